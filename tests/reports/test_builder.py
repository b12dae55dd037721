"""The report builder with sections of the test's own: outages, not-measured thresholds, the
diff against a planted previous report, the files written."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import orjson
import pytest

from perfsight.config import Settings
from perfsight.errors import SourceUnavailable
from perfsight.models import Finding
from perfsight.reports.builder import build_report, needed_quantiles
from perfsight.reports.evaluate import Observation
from perfsight.reports.model import MetricValue, Report, Section
from perfsight.reports.run import run_report, write_files
from perfsight.reports.sections.base import SectionContext, SectionOutput, SectionSpec
from perfsight.store import Store, reports
from perfsight.thresholds import parse_table
from tests.support.schemas import validate

SETTINGS = Settings(
    thresholds={
        "http_req_duration": ["p(95)<500", "p(90)<400"],
        "http_req_duration{endpoint:/api/slow}": ["p(95)<100"],
        "cache_hit_ratio": ["value>0.7"],
        "http_reqs": ["rate>500"],
    }
)


def _finding(ns: str, total_ms: float) -> Finding:
    return Finding(
        kind="missing_index",
        severity="warning",
        summary=f"COLLSCAN on {ns}",
        suggestion=f"db.{ns}.createIndex(...)",
        namespace=ns,
        fingerprint=f"db.{ns}.find()",
        evidence={"total_ms": total_ms},
        index=(("status", 1),),
    )


def _latency(p95_slow: float) -> SectionSpec:
    def build(context: SectionContext) -> SectionOutput:
        assert 0.9 in context.quantiles  # the p(90) threshold asked for it
        return SectionOutput(
            Section("latency", "Latency", True, data={"summary": "ok"}),
            metrics=(MetricValue("p95 GET /api/slow", p95_slow, "ms", "test", "lower"),),
            observations=(
                Observation("http_req_duration", "p95", 120.0, "test"),
                Observation(
                    "http_req_duration", "p95", p95_slow, "test", {"endpoint": "GET /api/slow"}
                ),
            ),
        )

    return SectionSpec("latency", "Latency", ("http_req_duration",), build)


def _down(context: SectionContext) -> SectionOutput:
    raise SourceUnavailable("no answer: connection refused", source="redis:main (redis://h)")


def _broken(context: SectionContext) -> SectionOutput:
    raise ZeroDivisionError("a bug")


def _queries(*found: Finding) -> SectionSpec:
    def build(context: SectionContext) -> SectionOutput:
        return SectionOutput(Section("queries", "Queries", True), findings=found)

    return SectionSpec("queries", "Queries", ("missing_indexes",), build)


def test_outages_and_not_measured(sqlite_store: Store) -> None:
    sections = (
        _latency(p95_slow=250.0),
        SectionSpec("cache", "Cache", ("cache_hit_ratio",), _down),
        SectionSpec("probes", "Probes", ("unpaginated_endpoints",), _broken),
    )
    report = build_report(SETTINGS, sqlite_store, start=0, end=3600, sections=sections)
    by_name = {o["name"]: o for o in report.outcomes}
    assert by_name["http_req_duration p(95)<500"]["status"] == "pass"
    assert by_name["http_req_duration{endpoint:/api/slow} p(95)<100"]["observed"] == 250.0
    assert by_name["http_req_duration{endpoint:/api/slow} p(95)<100"]["status"] == "fail"
    assert by_name["http_req_duration p(90)<400"]["status"] == "not_measured"
    cache = by_name["cache_hit_ratio value>0.7"]
    assert cache["status"] == "not_measured"
    assert "connection refused" in cache["detail"]
    assert "http_reqs rate>500" not in by_name  # passive throughput: information only
    assert report.status == "fail"
    assert [s.available for s in report.sections] == [True, False, False]
    assert report.section("probes").reason == "internal error: ZeroDivisionError: a bug"  # type: ignore[union-attr]


def test_needed_quantiles() -> None:
    assert needed_quantiles(parse_table({"http_req_duration": ["p(90)<1", "p(99.9)<2"]})) == (
        0.5,
        0.9,
        0.95,
        0.99,
        0.999,
    )


def test_diff_against_planted_previous_report(sqlite_store: Store, tmp_path: Path) -> None:
    resolved = _finding("travel.old", 5000.0)
    kept = _finding("travel.kept", 100.0)
    new = _finding("travel.new", 900.0)
    previous = build_report(
        SETTINGS,
        sqlite_store,
        start=0,
        end=3600,
        tags={"env": "prod"},
        sections=(_latency(p95_slow=80.0), _queries(resolved, kept)),
    )
    reports.add_report(
        sqlite_store,
        window_start=0,
        window_end=3600,
        status=previous.status,
        summary={**previous.to_dict(), "id": "planted"},
        tags={"env": "prod"},
        now=3600,
    )
    result = run_report(
        SETTINGS,
        sqlite_store,
        window="1h",
        out_dir=str(tmp_path),
        tags={"env": "prod"},
        now=7200,
        sections=(_latency(p95_slow=250.0), _queries(kept, new)),
    )
    diff = result.diff
    assert diff is not None and diff.previous_id == "planted"
    assert [f.namespace for f in diff.new_findings] == ["travel.new"]
    assert [f.namespace for f in diff.resolved_findings] == ["travel.old"]
    [regression] = diff.regressions
    assert (regression.before, regression.after) == (80.0, 250.0)
    document = orjson.loads(Path(result.paths["json"]).read_bytes())
    validate(document, "report")
    assert document["diff"]["new_findings"][0]["namespace"] == "travel.new"
    markdown = Path(result.paths["md"]).read_text()
    assert "**new** missing_index: COLLSCAN on travel.new" in markdown
    assert "**resolved** missing_index: COLLSCAN on travel.old" in markdown
    assert "80 → 250 ms" in markdown
    stored = reports.get_report(sqlite_store, result.report.id or "")
    assert stored is not None and stored.paths == result.paths
    assert Report.from_dict(stored.summary).findings == result.report.findings


def test_schema_rejects_a_bad_document(sqlite_store: Store, tmp_path: Path) -> None:
    report = build_report(SETTINGS, sqlite_store, start=0, end=60, sections=(_latency(1.0),))
    paths = write_files(report, None, tmp_path)
    document = orjson.loads(Path(paths["json"]).read_bytes())
    validate(document, "report")
    document["status"] = "great"
    with pytest.raises(jsonschema.ValidationError):
        validate(document, "report")
