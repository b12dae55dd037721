"""The analysis pipeline: analyzers plug in as a list, allow-lists remove findings, reports and
partial reads merge, truncated commands are listed, the progress bar follows the bytes read."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from analyzers.base import AnalysisContext
from analyzers.shapes import ShapeStats
from collectors.input_report import InputReport
from collectors.profile_file import read_profile_file
from perfsight.analysis import Inputs, analyze, default_analyzers, is_allow_listed, read_events
from perfsight.cli import analyze as analyze_cli
from perfsight.config.analysis import AnalysisSettings
from perfsight.models import Finding, QueryEvent
from tests.analyze.conftest import LOG_SAMPLES, PROFILE_SAMPLES


class Counter:
    """A minimal analyzer of the same interface (the N+1 and pagination analyzers plug in so)."""

    name = "counter"

    def __init__(self) -> None:
        self.seen = 0

    def feed(self, event: QueryEvent) -> None:
        self.seen += 1

    def findings(self) -> list[Finding]:
        return [
            Finding(
                kind="slow_endpoint",
                severity="info",
                summary=f"{self.seen} events",
                suggestion="-",
                endpoint="GET /api/leads",
            )
        ]


def test_analyzers_are_a_list_and_allow_lists_apply_to_all(
    sample: Callable[[str], Path],
) -> None:
    inputs = Inputs(profile_files=[sample(PROFILE_SAMPLES[0])])
    context = AnalysisContext()
    counter = Counter()
    report = InputReport()
    events = read_events(inputs, report=report)
    result = analyze(
        events,
        context=context,
        shapes=ShapeStats(),
        analyzers=[*default_analyzers(context), counter],
        report=report,
    )
    assert [f.kind for f in result.findings] == [
        "missing_index",
        "redundant_query",
        "slow_endpoint",
    ]
    assert counter.seen == report.events == 4 and len(result.shapes.totals()) == 2
    quiet = AnalysisContext(
        settings=AnalysisSettings(
            allow_namespaces=["integration.*"], allow_endpoints=["GET /api/*"]
        )
    )
    events = read_events(inputs, report=InputReport())
    again = analyze(
        events, context=quiet, shapes=ShapeStats(), analyzers=[*default_analyzers(quiet), Counter()]
    )
    assert again.findings == []


def test_allow_listed_fingerprints_match_exactly_or_as_patterns() -> None:
    fingerprint = 'db.l.aggregate([{"$match":{"a":"?"}}])'  # brackets are no fnmatch class here
    finding = Finding(
        kind="n_plus_one",
        severity="warning",
        summary="s",
        suggestion="-",
        fingerprint=fingerprint,
        namespace="travel.l",
    )
    assert is_allow_listed(finding, AnalysisSettings(allow_fingerprints=[fingerprint]))
    assert is_allow_listed(finding, AnalysisSettings(allow_fingerprints=["db.l.aggregate(*"]))
    assert not is_allow_listed(finding, AnalysisSettings(allow_fingerprints=["db.x.*"]))
    assert not is_allow_listed(finding, AnalysisSettings())


def test_truncated_commands_are_events_listed_as_partial(tmp_path: Path) -> None:
    path = tmp_path / "profile.jsonl"
    doc = {
        "op": "query",
        "ns": "travel.leads",
        "ts": {"$date": "2024-01-01T00:00:00Z"},
        "millis": 900,
        "docsExamined": 80_000,
        "planSummary": "COLLSCAN",
        "command": {"$truncated": '{ find: "leads", filter: { id: { $in: [ 1, 2, 3'},
    }
    path.write_text("\n" + json.dumps(doc) + "\n")
    report = InputReport()
    (event,) = read_profile_file(path, report=report)
    assert event.truncated and report.partial == 1
    assert report.partials[0].line == 2 and "truncated" in report.partials[0].reason
    assert report.to_dict()["partials"] == [issue.to_dict() for issue in report.partials]


def test_input_reports_merge() -> None:
    left, right = InputReport(), InputReport()
    left.sources.append("a.log")
    left.lines_read, left.events = 10, 7
    left.skip("blank lines", 2)
    left.reject("a.log", 3, "not JSON")
    right.sources.extend(["a.log", "b.log"])
    right.lines_read, right.events, right.duplicates_merged = 5, 4, 1
    right.skip("blank lines")
    right.reject("b.log", 1, "missing field 'ns'")
    right.notice("b.log: the file was replaced")
    left.merge(right)
    assert (left.lines_read, left.events, left.duplicates_merged, left.rejected) == (15, 11, 1, 2)
    assert left.sources == ["a.log", "b.log"] and left.skipped == {"blank lines": 3}
    assert [issue.line for issue in left.rejections] == [3, 1] and left.notices


def test_progress_bar_on_a_terminal_follows_the_bytes(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(analyze_cli, "err", terminal)
    monkeypatch.setattr(analyze_cli, "PROGRESS_MIN_BYTES", 0)
    inputs = Inputs(logs=[str(sample(LOG_SAMPLES[2]))])
    calls: list[tuple[str, int]] = []
    with analyze_cli._progress(inputs) as advance:
        assert advance is not None

        def spy(name: str, done: int) -> None:
            calls.append((name, done))
            advance(name, done)

        list(read_events(inputs, report=InputReport(), progress=spy))
    size = sample(LOG_SAMPLES[2]).stat().st_size
    assert calls[-1] == (str(sample(LOG_SAMPLES[2])), size)
    stdin = Inputs(logs=["-"])
    with analyze_cli._progress(stdin) as none:
        assert none is None  # no size to measure against
