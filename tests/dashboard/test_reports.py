"""Reports: the stored reports listed, one report's content and its diff with the previous."""

from __future__ import annotations

from tests.dashboard import seed
from tests.dashboard.conftest import Dashboard, frame, joined


def test_no_reports_says_how_to_make_one(dashboard: Dashboard) -> None:
    at = dashboard.open("reports")
    assert not at.exception
    assert "perfsight report" in joined(at)


def test_report_content_and_diff(dashboard: Dashboard) -> None:
    first, second = seed.seed_reports(dashboard.store, dashboard.now)
    at = dashboard.open("reports")
    assert not at.exception
    listed = frame(at, "report", "status", "findings")
    assert list(listed["report"]) == [second, first]  # newest first
    assert list(listed["findings"]) == [2, 1]
    text = joined(at)
    assert "Status: ✗ fail" in text
    # the diff against the previous report with the same tags: the new finding and the metric
    assert "new unpaginated_endpoint: Unpaginated list GET /api/bookings: 5000 items" in text
    assert "regression cache_hit_ratio: 80.0% → 61.0% (-24%)" in text
    outcomes = frame(at, "threshold", "status", "observed")
    assert outcomes.iloc[0]["observed"] == 0.61
    section = frame(at, "endpoint", "p95 ms")
    assert section.iloc[0]["p95 ms"] == 777.0
    assert "Cache unavailable: Redis refused the connection" in text
    fix = frame(at, "#", "time (ms)", "fix")
    assert fix.iloc[0]["time (ms)"] == 4321.0


def test_the_first_report_has_nothing_to_compare_with(dashboard: Dashboard) -> None:
    seed.seed_reports(dashboard.store, dashboard.now)
    at = dashboard.open("reports")
    labels = at.selectbox(key="report").options
    at.selectbox(key="report").set_value(labels[1]).run()
    assert "No earlier report with the same tags" in joined(at)
