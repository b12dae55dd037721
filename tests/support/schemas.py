"""Validate JSON output against the shipped schemas, with their cross-references resolved."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from perfsight.schemas import load

SCHEMAS = ("finding", "report")


def validate(instance: Any, name: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` fits ``<name>.schema.json``."""
    resources = []
    for other in (*SCHEMAS, name):
        schema = load(other)
        resource = Resource.from_contents(schema)
        resources += [(schema["$id"], resource), (f"{other}.schema.json", resource)]
    registry: Registry[Any] = Registry().with_resources(resources)
    Draft202012Validator(load(name), registry=registry).validate(instance)
