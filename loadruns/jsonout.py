"""The JSON form of a run (``--json``), its schema (``perfsight/schemas/loadcheck.schema.json``)
and the summaries kept with the run in the store."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from loadruns.aggregate import RunAggregate
from loadruns.histogram import EXACT_LIMIT_MS
from loadruns.result import RunResult
from perfsight.errors import PerfsightError
from perfsight.models import iso

SCHEMA_VERSION = 1

EXACTNESS = {
    "resolution_ms": 1,
    "exact_below_ms": EXACT_LIMIT_MS,
    "percentile": "nearest-rank over every request, each time rounded to the nearest ms",
    "clock": "client side: Locust's measured response time, including network and client",
    "rps": "requests / (end of the last request - start of the first), Locust's total_rps",
}


def _iso(epoch: float) -> str | None:
    return iso(datetime.fromtimestamp(epoch, tz=UTC))


def to_json(result: RunResult) -> dict[str, Any]:
    return {**result_summary(result), "series": series_json(result)}


def result_summary(result: RunResult) -> dict[str, Any]:
    """Everything but the series: what the store keeps as the run's summary."""
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": result.run_id,
        "status": result.status,
        "verdict": result.verdict,
        "exit_code": result.exit_code,
        "target": result.target,
        "label": result.label,
        "tags": dict(result.tags),
        "started_at": _iso(result.started_at),
        "ended_at": _iso(result.ended_at),
        "duration_s": round(result.duration, 3),
        "plan": dict(result.plan),
        "aborted_by": result.aborted_by,
        "totals": result.total.to_dict(),
        "endpoints": [stats.to_dict() for stats in result.endpoints],
        "thresholds": [outcome.to_dict() for outcome in result.outcomes],
        "counts": result.counts(),
        "exactness": EXACTNESS,
        "generator": dict(result.generator),
        "warnings": list(result.warnings),
        "sections": dict(result.sections),
        "findings": [finding.to_dict() for finding in result.findings],
        "baseline": dict(result.baseline) if result.baseline is not None else None,
    }


def series_json(result: RunResult) -> list[dict[str, Any]]:
    return [asdict(row) for row in result.series]


def partial_summary(
    aggregate: RunAggregate, started_at: float, generator: dict[str, Any], aborted_by: str | None
) -> dict[str, Any]:
    """What a running run shows in the store (and keeps if its process is killed)."""
    return {
        "partial": True,
        "elapsed_s": round(time.time() - started_at, 3),
        "users": aggregate.users,
        "totals": aggregate.total_stats().to_dict(),
        "generator": dict(generator),
        "aborted_by": aborted_by,
    }


def write_json(result: RunResult, path: str) -> bytes:
    """Write the JSON to ``path`` (``-``: return it for stdout)."""
    data = orjson.dumps(to_json(result), option=orjson.OPT_INDENT_2) + b"\n"
    if path != "-":
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            raise PerfsightError(f"cannot write the JSON: {exc}", source=path) from exc
    return data
