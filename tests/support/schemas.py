"""Validate JSON output against the shipped schemas, with their cross-references resolved."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from perfsight.schemas import load, registry


def validate(instance: Any, name: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` fits ``<name>.schema.json``."""
    Draft202012Validator(load(name), registry=registry()).validate(instance)
