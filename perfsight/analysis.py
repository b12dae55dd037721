"""The analysis pipeline: query events from the readers → shape statistics and every analyzer →
findings. ``perfsight analyze`` runs it on files; reports, ``collect`` and load runs call the
same functions on what they read (``collectors.mongo_log``, ``collectors.profile_file``).

Adding an analyzer to every analysis is one line in ``default_analyzers``.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from analyzers.allowlist import AllowList
from analyzers.base import AnalysisContext, Analyzer, feed_all
from analyzers.indexes import MissingIndexAdvisor
from analyzers.nplusone import NPlusOneAnalyzer
from analyzers.pagination import UnpaginatedQueryAnalyzer
from analyzers.queries_per_request import QueriesPerRequestAnalyzer
from analyzers.shapes import ShapeStats
from collectors.input_report import InputReport
from collectors.mongo_log import read_log
from collectors.mongo_normalize import ReadOptions
from collectors.profile_file import read_profile_file
from perfsight.config import Settings
from perfsight.config.analysis import AnalysisSettings
from perfsight.durations import parse_duration
from perfsight.models import SEVERITY_RANK, Finding, QueryEvent

_A = TypeVar("_A")


def default_analyzers(context: AnalysisContext) -> list[Analyzer]:
    """The analyzers every analysis runs, in the order their findings are listed."""
    return [
        MissingIndexAdvisor(context),
        NPlusOneAnalyzer(context),
        UnpaginatedQueryAnalyzer(context),
        QueriesPerRequestAnalyzer(context),
    ]


@dataclass(frozen=True, slots=True)
class Inputs:
    """Files to read: logv2 logs (``.gz`` or ``"-"`` for stdin) and profile files."""

    logs: Sequence[str | Path] = ()
    profile_files: Sequence[str | Path] = ()


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    findings: list[Finding]
    shapes: ShapeStats
    input: InputReport
    analyzers: Sequence[Analyzer] = ()

    def analyzer(self, kind: type[_A]) -> _A | None:
        """The analyzer of that class that ran, for the figures it measures besides findings."""
        return next((a for a in self.analyzers if isinstance(a, kind)), None)

    def queries_per_request(self) -> dict[str, Any] | None:
        """``db_queries_per_request`` per endpoint and overall; None without request ids."""
        counter = self.analyzer(QueriesPerRequestAnalyzer)
        overall = counter.overall() if counter is not None else None
        if counter is None or overall is None:
            return None
        return {
            "overall": overall.to_dict(),
            "endpoints": {
                endpoint or "(no route)": stats.to_dict()
                for endpoint, stats in counter.per_endpoint().items()
            },
        }

    def request_coverage(self) -> dict[str, int] | None:
        """How many events carried a request id (what the per-request analyzers could see)."""
        grouper = self.analyzer(NPlusOneAnalyzer)
        return asdict(grouper.coverage) if grouper is not None else None


def read_events(
    inputs: Inputs,
    *,
    options: ReadOptions | None = None,
    report: InputReport,
    progress: Callable[[str, int], None] | None = None,
) -> Iterator[QueryEvent]:
    """Every event of every input in turn. ``progress(name, bytes_read)`` reports progress."""
    for path in inputs.logs:
        yield from read_log(path, options=options, report=report, progress=_bind(progress, path))
    for path in inputs.profile_files:
        yield from read_profile_file(
            path, options=options, report=report, progress=_bind(progress, path)
        )


def _bind(
    progress: Callable[[str, int], None] | None, path: str | Path
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    name = str(path)
    return lambda done: progress(name, done)


def shape_stats_for(settings: Settings) -> ShapeStats:
    """Shape statistics with the configured bucket and example redaction."""
    return ShapeStats(
        parse_duration(settings.analysis.shape_bucket),
        raw_examples=settings.mongo.raw_examples,
        redact_fields=settings.mongo.redact_fields,
    )


@contextlib.contextmanager
def bulk_collection() -> Iterator[None]:
    """Fewer garbage collections while millions of short-lived events stream through: the
    collector would otherwise run every 700 allocations and rescan the analyzers' state each
    time (about a tenth of the time of a large analysis). Cycles are still collected.
    Nested uses are the outermost one."""
    global _BULK_DEPTH
    _BULK_DEPTH += 1
    previous = gc.get_threshold()
    if _BULK_DEPTH == 1:
        gc.freeze()  # what exists now (modules, settings) is never garbage: stop rescanning it
        gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        _BULK_DEPTH -= 1
        if _BULK_DEPTH == 0:
            gc.set_threshold(*previous)
            gc.unfreeze()


_BULK_DEPTH = 0


def analyze(
    events: Iterable[QueryEvent],
    *,
    context: AnalysisContext,
    shapes: ShapeStats,
    analyzers: Sequence[Analyzer] | None = None,
    report: InputReport | None = None,
) -> AnalysisResult:
    """Feed ``events`` to the shape statistics and to every analyzer (``default_analyzers``
    unless given); findings in analyzer order, allow-listed ones removed."""
    chosen = default_analyzers(context) if analyzers is None else list(analyzers)
    feed_all([shapes, *chosen], events)
    return result_of(shapes, chosen, context, report)


def result_of(
    shapes: ShapeStats,
    analyzers: Sequence[Analyzer],
    context: AnalysisContext,
    report: InputReport | None,
) -> AnalysisResult:
    """The findings of analyzers that were fed (in analyzer order, allow-listed ones removed)."""
    findings = [f for a in [shapes, *analyzers] for f in a.findings()]
    allow = AllowList.from_settings(context.settings)
    kept = [f for f in findings if not _muted(allow, f)]
    chosen = list(analyzers)
    return AnalysisResult(kept, shapes, report if report is not None else InputReport(), chosen)


def is_allow_listed(finding: Finding, settings: AnalysisSettings) -> bool:
    """Whether ``[analysis] allow_*`` says never to report this finding."""
    return _muted(AllowList.from_settings(settings), finding)


def _muted(allow: AllowList, finding: Finding) -> bool:
    return allow.allows(
        endpoint=finding.endpoint, namespaces=[finding.namespace], fingerprint=finding.fingerprint
    )


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity, the analyzers' own order (their ranking)."""
    return sorted(findings, key=lambda f: -SEVERITY_RANK[f.severity])
