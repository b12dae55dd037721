"""Reads across many load runs at once (the dashboard's trends and run lists): one query each,
not one per run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from perfsight.store import Store
from perfsight.store.runs import TOTAL, RunRecord, list_runs
from perfsight.store.tables import load_run_endpoints, threshold_outcomes

FINISHED = ("passed", "failed", "aborted", "error")


def run_totals(store: Store, run_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The whole-run row (``Total``) of each run's endpoint stats, by run id."""
    ids = list(run_ids)
    if not ids:
        return {}
    t = load_run_endpoints
    with store.read() as conn:
        rows = conn.execute(select(t).where(t.c.run_id.in_(ids), t.c.endpoint == TOTAL)).mappings()
        return {row["run_id"]: dict(row) for row in rows}


def run_outcomes(store: Store, run_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each run's threshold outcomes (``Outcome.to_dict()`` plus what the run added), by run id."""
    ids = list(run_ids)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    t = threshold_outcomes
    with store.read() as conn:
        for run_id, outcome in conn.execute(
            select(t.c.run_id, t.c.outcome).where(t.c.run_id.in_(ids)).order_by(t.c.name)
        ):
            out[run_id].append(dict(outcome))
    return out


def finished_runs(store: Store, *, limit: int = 100) -> list[RunRecord]:
    """The latest runs that ended, newest first."""
    return list_runs(store, limit=limit, status=FINISHED)
