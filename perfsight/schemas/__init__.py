"""JSON Schemas of perfsight's JSON outputs, shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """The schema ``<name>.schema.json`` (e.g. ``finding``)."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


NAMES = tuple(
    sorted(
        entry.name.removesuffix(".schema.json")
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(".schema.json")
    )
)


def registry() -> Any:
    """A ``referencing.Registry`` of every shipped schema, so a validator resolves the ``$ref``s
    between them (needs ``jsonschema``, which the test extra installs)::

        jsonschema.Draft202012Validator(load("analyze"), registry=registry()).validate(data)
    """
    from referencing import Registry, Resource

    entries = [(load(n)["$id"], Resource.from_contents(load(n))) for n in NAMES]
    return Registry().with_resources(entries)
