"""Overview: verdict per target with its source, fix-first list, trends, source health."""

from __future__ import annotations

from tests.dashboard import seed
from tests.dashboard.conftest import Dashboard, frame, joined


def _row(table, target: str):
    rows = table[table["target"] == target]
    assert len(rows) == 1, f"{target} not in {list(table['target'])}"
    return rows.iloc[0]


def test_empty_store_lists_every_target_as_not_measured_and_says_what_to_configure(
    dashboard: Dashboard,
) -> None:
    at = dashboard.open()
    assert not at.exception
    verdict = frame(at, "target", "status", "observed", "source")
    assert len(verdict) == 8  # the seed profile
    assert set(verdict["status"]) == {"– not measured"}
    assert "a load run" in _row(verdict, "http_req_duration p(95)<500")["source"]
    text = joined(at)
    assert "perfsight analyze" in text
    assert "[prometheus] url" in text
    assert "[redis] url" in text
    assert "[mongo] profile_files" in text
    assert "No source configured" in text


def test_seeded_history_appears_where_it_belongs(dashboard: Dashboard) -> None:
    store, now = dashboard.store, dashboard.now
    _, new_run = seed.seed_runs(store, now)
    seed.seed_findings(store, now)
    seed.seed_samples(store, now)
    seed.seed_scheduler(store, now)
    at = dashboard.open()
    assert not at.exception

    verdict = frame(at, "target", "status", "observed", "source")
    p95 = _row(verdict, "http_req_duration p(95)<500")
    assert (p95["status"], p95["observed"]) == ("✗ fail", "1,234 ms")
    assert p95["expected"] == "p95 < 500 ms"
    assert f"load run {new_run[:8]} (failed)" in p95["source"]
    assert "exact listener" in p95["source"]
    cache = _row(verdict, "cache_hit_ratio value>0.70")
    assert (cache["status"], cache["observed"]) == ("✓ pass", "72.0%")
    assert _row(verdict, "db_queries_per_request avg<=5")["observed"] == "33 queries"
    assert _row(verdict, "http_reqs rate>500")["status"] == "– not measured"
    assert {m.label: m.value for m in at.metric} == {
        "Targets met": "1",
        "Targets missed": "2",
        "Not measured": "5",
    }

    fix = frame(at, "#", "time (ms)", "fix")
    assert list(fix["time (ms)"])[:2] == [98765.0, 4321.0]  # most expensive first
    assert fix.iloc[0]["fix"] == 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})'
    assert 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})' in [
        c.value for c in at.code
    ]

    health = frame(at, "source", "status", "last success")
    assert dict(zip(health["source"], health["status"], strict=True)) == {
        "prometheus": "ok",
        "redis:main": "ok",
    }
    assert any("**Scheduler** — ok" in m.value and "nightly" in m.value for m in at.markdown)
    assert not at.error
    # four trend charts: p95 and req/s (runs, Prometheus), cache ratio, queries per request
    assert len(at.get("plotly_chart")) == 4


def test_a_source_down_is_reported_in_source_health_only(dashboard: Dashboard) -> None:
    store, now = dashboard.store, dashboard.now
    seed.seed_runs(store, now)
    seed.seed_samples(store, now)
    seed.source_down(
        store,
        "prometheus",
        "prometheus",
        "cannot reach http://admin:hunter22@127.0.0.1:9/: connection refused",
        now,
    )
    seed.seed_scheduler(store, now, alive=False)
    at = dashboard.open()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 2
    assert any("prometheus is down" in e and "connection refused" in e for e in errors)
    assert any("scheduler is down" in e and "heartbeat expired" in e for e in errors)
    assert "hunter22" not in joined(at)
    # the rest of the page still shows its numbers
    verdict = frame(at, "target", "status", "observed")
    assert _row(verdict, "http_req_duration p(95)<500")["observed"] == "1,234 ms"
    health = frame(at, "source", "status", "last success")
    assert dict(zip(health["source"], health["status"], strict=True))["prometheus"] == "down"
