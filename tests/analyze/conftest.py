"""Fixtures of the analysis tests: the real samples by name, files written on the fly, a JSON
Schema validator that resolves perfsight's shipped schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from perfsight.schemas import load, registry

LOG_SAMPLES = (
    "datadog-getLog-standalone-7.x-slowqueries.jsonl",
    "hatchet-replica-rs1-6.0.14-slowqueries.jsonl",
    "hatchet-sample-mongod-6.0.11-slowqueries.jsonl",
)
PROFILE_SAMPLES = (
    "datadog-system.profile-7.x.json",
    "percona-toolkit-profile-4.4.extjson.json",
)


@pytest.fixture(scope="session")
def sample(samples_dir: Path) -> Callable[[str], Path]:
    """``sample("name")``: the path of one real sample, skipping when it is missing."""

    def find(name: str) -> Path:
        path = samples_dir / name
        if not path.exists():
            pytest.skip(f"sample {name} not found in {samples_dir}")
        return path

    return find


@pytest.fixture
def write_lines(tmp_path: Path) -> Callable[..., Path]:
    """``write_lines([doc or bytes, ...], name=...)``: a JSON-lines file of the given items."""

    def write(items: list[Any], name: str = "input.log") -> Path:
        path = tmp_path / name
        with path.open("wb") as handle:
            for item in items:
                line = item if isinstance(item, bytes) else json.dumps(item).encode()
                handle.write(line + b"\n")
        return path

    return write


@pytest.fixture(scope="session")
def analyze_validator() -> jsonschema.Draft202012Validator:
    schema = load("analyze")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, registry=registry(), format_checker=jsonschema.FormatChecker()
    )
