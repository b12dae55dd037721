"""The same store tests on SQLite and on the machine's real PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from perfsight.errors import StoreError
from perfsight.models import Finding
from perfsight.store import Store, findings, heartbeat, reports, runs
from perfsight.store.migrations import MIGRATIONS, applied_versions, migrate
from perfsight.store.prune import prune


def test_migrations_create_tables_once(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"load_runs", "findings", "reports", "scheduler_heartbeat", "schema_version"} <= names
    assert migrate(store.engine) == []  # idempotent
    with store.read() as conn:
        assert applied_versions(conn) == {m.version for m in MIGRATIONS}


def test_run_lifecycle(store: Store) -> None:
    run_id = runs.create_run(
        store, target="http://127.0.0.1:1", settings={"users": 5}, tags={"env": "ci"}, label="x"
    )
    assert runs.get_run(store, run_id).status == "running"  # type: ignore[union-attr]
    runs.append_series(
        store,
        run_id,
        [
            runs.SeriesRow(100.0, "Total", 10, 1, 12.5, 5),
            runs.SeriesRow(101.0, "Total", 12, 0, 11.0, 5),
        ],
    )
    runs.append_series(store, run_id, [runs.SeriesRow(101.0, "Total", 13, 0, 11.0, 5)])  # re-sent
    series = runs.series(store, run_id)
    assert [(r.ts, r.requests) for r in series] == [(100.0, 10), (101.0, 13)]
    runs.put_endpoint_stats(
        store, run_id, [{"endpoint": "Total", "requests": 23, "failures": 1, "p95_ms": 12.0}]
    )
    assert runs.endpoint_stats(store, run_id)[0]["requests"] == 23
    outcome = {"name": "http_req_duration p(95)<500", "status": "pass", "observed": 12.0}
    runs.put_outcomes(store, run_id, [outcome])
    assert runs.outcomes(store, run_id) == [outcome]
    runs.finish_run(store, run_id, "passed", summary={"requests": 23})
    record = runs.get_run(store, run_id)
    assert record is not None
    assert (record.status, record.summary, record.tags) == (
        "passed",
        {"requests": 23},
        {"env": "ci"},
    )
    assert record.ended_at is not None
    assert [r.id for r in runs.list_runs(store, tags={"env": "ci"})] == [run_id]
    assert runs.list_runs(store, tags={"env": "prod"}) == []
    with pytest.raises(ValueError):
        runs.finish_run(store, run_id, "running")


def test_abandoned_runs_become_aborted_with_partial_results(store: Store) -> None:
    dead = runs.create_run(store, target=None, settings={}, pid=999_999_999)
    runs.append_series(store, dead, [runs.SeriesRow(1.0, "Total", 5, 0, 3.0, 1)])
    alive = runs.create_run(store, target=None, settings={})  # this process
    assert runs.mark_abandoned_runs(store) == [dead]
    assert runs.get_run(store, dead).status == "aborted"  # type: ignore[union-attr]
    assert runs.series(store, dead)[0].requests == 5
    assert runs.get_run(store, alive).status == "running"  # type: ignore[union-attr]


def _finding(seen: datetime, summary: str = "s") -> Finding:
    return Finding(
        kind="n_plus_one",
        severity="critical",
        summary=summary,
        suggestion="batch with $in",
        namespace="travel.itinerary_days",
        endpoint="GET /api/itineraries/{id}",
        fingerprint='db.itinerary_days.find({"_id":"?"})',
        evidence={"requests": 3},
        first_seen=seen,
        last_seen=seen,
    )


def test_findings_upsert_and_acknowledge(store: Store) -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC)
    findings.upsert_findings(store, [_finding(late)], origin="analyze")
    findings.upsert_findings(store, [_finding(early, "newer words")], origin="run:x")
    [stored] = findings.list_findings(store)
    assert stored.finding.first_seen == early
    assert stored.finding.last_seen == late
    assert stored.finding.summary == "newer words"
    assert stored.origin == "run:x"
    assert findings.acknowledge(store, stored.finding.id, by="lead")
    assert findings.list_findings(store) == []
    [acked] = findings.list_findings(store, include_acknowledged=True)
    assert acked.acknowledged and acked.acknowledged_by == "lead"
    findings.upsert_findings(store, [_finding(late)], origin="analyze")  # seen again: still acked
    assert findings.list_findings(store) == []
    assert findings.unacknowledge(store, stored.finding.id)
    assert len(findings.list_findings(store)) == 1
    assert not findings.acknowledge(store, "0" * 16)


def test_reports_previous_by_tags(store: Store) -> None:
    first = reports.add_report(
        store,
        window_start=0,
        window_end=1,
        status="pass",
        summary={"n": 1},
        tags={"env": "a"},
        now=10,
    )
    reports.add_report(
        store,
        window_start=0,
        window_end=1,
        status="fail",
        summary={"n": 2},
        tags={"env": "b"},
        now=20,
    )
    third = reports.add_report(
        store,
        window_start=1,
        window_end=2,
        status="fail",
        summary={"n": 3},
        tags={"env": "a"},
        now=30,
    )
    assert reports.previous_report(store, {"env": "a"}).id == third  # type: ignore[union-attr]
    assert reports.previous_report(store, {"env": "a"}, before=30).id == first  # type: ignore[union-attr]
    assert reports.previous_report(store, {"env": "c"}) is None
    assert reports.get_report(store, first).summary == {"n": 1}  # type: ignore[union-attr]


def test_heartbeat_lock(store: Store) -> None:
    assert heartbeat.acquire(store, "scheduler", "a", ttl=30, now=100)
    assert not heartbeat.acquire(store, "scheduler", "b", ttl=30, now=110)
    assert heartbeat.acquire(store, "scheduler", "a", ttl=30, now=120)  # renew
    assert not heartbeat.acquire(store, "scheduler", "b", ttl=30, now=149)
    assert heartbeat.acquire(store, "scheduler", "b", ttl=30, now=151)  # a's heartbeat expired
    held = heartbeat.current(store, "scheduler")
    assert held is not None and held.owner == "b" and held.acquired_at == 151
    heartbeat.release(store, "scheduler", "b")
    assert heartbeat.acquire(store, "scheduler", "a", ttl=30)


def test_prune(store: Store) -> None:
    now = time.time()
    old = runs.create_run(store, target=None, settings={}, now=now - 40 * 86400)
    runs.append_series(store, old, [runs.SeriesRow(1.0, "Total", 1, 0, 1.0, 1)])
    runs.finish_run(store, old, "passed")
    still_running = runs.create_run(store, target=None, settings={}, now=now - 40 * 86400)
    fresh = runs.create_run(store, target=None, settings={}, now=now)
    old_seen = datetime.fromtimestamp(now - 40 * 86400, UTC)
    findings.upsert_findings(store, [_finding(old_seen)], origin="analyze")
    counts = prune(store, 30 * 86400, now=now)
    assert counts["load_runs"] == 1
    assert counts["load_run_series"] == 1
    assert counts["findings"] == 1
    assert runs.get_run(store, old) is None
    assert runs.get_run(store, still_running) is not None
    assert runs.get_run(store, fresh) is not None


def test_bad_store_url() -> None:
    with pytest.raises(StoreError, match=r"store\.url"):
        Store("mysql://u:secret@h/db")
    with pytest.raises(StoreError) as info:
        Store("postgresql+psycopg://u:secret@127.0.0.1:1/db")
    assert "secret" not in str(info.value)
