"""Queries: shapes as a query-analytics view, sortable; a shape's detail."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from analyzers.shapes import ShapeStats, totals_of
from dashboard.views import queries as view
from perfsight.models import QueryEvent
from perfsight.store.shapes import save_shape_stats
from tests.dashboard import seed
from tests.dashboard.conftest import Dashboard, frame, joined


def test_no_shapes_says_how_to_get_them(dashboard: Dashboard) -> None:
    at = dashboard.open("queries")
    assert not at.exception
    assert "perfsight analyze --profile-file" in joined(at)


def test_shapes_with_their_totals_sorted_by_what_costs_most(dashboard: Dashboard) -> None:
    seed.seed_shapes(dashboard.store, dashboard.now)
    seed.seed_findings(dashboard.store, dashboard.now)
    at = dashboard.open("queries")
    assert not at.exception
    shapes = frame(at, "shape", "fingerprint", "total (ms)")
    assert list(shapes["fingerprint"]) == [seed.LEADS, seed.BOOKINGS]  # total time first
    leads = shapes.iloc[0]
    assert leads["count"] == 40
    assert leads["total (ms)"] == 2 * sum(100 + i for i in range(20))
    assert leads["p95 (ms)"] == 118.0  # nearest rank over both buckets
    assert leads["docs examined"] == 200_000
    assert leads["scanned/returned"] == 500.0
    assert leads["in-memory sorts"] == 40
    assert leads["plans"] == "COLLSCAN ×40"
    assert shapes.iloc[1]["count"] == 300
    at.selectbox(key="q-sort").set_value("count").run()
    assert list(frame(at, "shape", "fingerprint")["fingerprint"]) == [seed.BOOKINGS, seed.LEADS]
    # the detail of the leads shape: its numbers, its finding with the createIndex to copy
    at.selectbox(key="q-sort").set_value("total time").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Operations"] == "40"
    assert metrics["Scanned / returned"] == "500.0"
    assert 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})' in [
        c.value for c in at.code
    ]
    assert len(at.get("plotly_chart")) == 1  # the trend over its two buckets


def test_a_profile_file_source_down_is_said_on_the_page(
    dashboard_factory: Callable[[str], Dashboard],
) -> None:
    dash = dashboard_factory('[mongo]\nprofile_files = ["/var/lib/app/system.profile.jsonl"]\n')
    seed.seed_shapes(dash.store, dash.now)
    seed.source_down(
        dash.store, "profile:system.profile.jsonl", "profile_file", "no such file", dash.now
    )
    at = dash.open("queries")
    assert len(at.error) == 1
    assert "profile:system.profile.jsonl is down" in at.error[0].value
    assert frame(at, "shape", "count")["count"].sum() == 340


def test_the_top_by_p95_is_exact_without_reading_every_histogram(store) -> None:
    """Shapes whose bucket p95s mislead (one slow bucket among many fast ones) still rank by
    their exact p95 over the whole range."""
    rng = random.Random(3)
    stats = ShapeStats(bucket_seconds=3600)
    start = 1_699_999_200.0  # on an hour: the range holds the five buckets whole
    for shape in range(120):
        for bucket in range(5):
            slow = rng.random() < 0.2
            for i in range(rng.randint(1, 30)):
                stats.feed(
                    QueryEvent(
                        ts=datetime.fromtimestamp(start + bucket * 3600 + i, UTC),
                        op="query",
                        namespace="db.c",
                        command_name="find",
                        fingerprint=f'db.c.find({{"f{shape}":"?"}})',
                        millis=float(rng.randint(200, 900) if slow else rng.randint(1, 150)),
                    )
                )
    save_shape_stats(store, stats.buckets(), source="t")
    expected = sorted(totals_of(stats.buckets()), key=lambda s: (-(s.p95_millis or 0), s.id))
    got = view.query_list(store, since=start, until=start + 5 * 3600, sort="p95", limit=10).shapes
    assert [(s.id, s.p95_millis) for s in got] == [(s.id, s.p95_millis) for s in expected[:10]]
    by_total = view.query_list(
        store, since=start, until=start + 5 * 3600, sort="total time", limit=5
    ).shapes
    assert [s.summary.total_millis for s in by_total] == sorted(
        (s.total_millis for s in expected), reverse=True
    )[:5]
