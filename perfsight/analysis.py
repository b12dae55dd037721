"""The analysis pipeline: query events from the readers → shape statistics and every analyzer →
findings. ``perfsight analyze`` runs it on files; reports, ``collect`` and load runs call the
same functions on what they read (``collectors.mongo_log``, ``collectors.profile_file``).

Adding an analyzer to every analysis is one line in ``default_analyzers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from analyzers.base import AnalysisContext, Analyzer, run_analyzers
from analyzers.indexes import MissingIndexAdvisor
from analyzers.shapes import ShapeStats
from collectors.input_report import InputReport
from collectors.mongo_log import read_log
from collectors.mongo_normalize import ReadOptions
from collectors.profile_file import read_profile_file
from perfsight.config import Settings
from perfsight.config.analysis import AnalysisSettings
from perfsight.durations import parse_duration
from perfsight.models import SEVERITY_RANK, Finding, QueryEvent


def default_analyzers(context: AnalysisContext) -> list[Analyzer]:
    """The analyzers every analysis runs, in the order their findings are listed."""
    return [
        MissingIndexAdvisor(context),
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
    findings = run_analyzers([shapes, *chosen], events)
    kept = [f for f in findings if not is_allow_listed(f, context.settings)]
    return AnalysisResult(kept, shapes, report if report is not None else InputReport())


def is_allow_listed(finding: Finding, settings: AnalysisSettings) -> bool:
    """Whether ``[analysis] allow_*`` says never to report this finding. A pattern matches
    when it equals the value or matches it as an fnmatch pattern."""
    checks = (
        (finding.namespace, settings.allow_namespaces),
        (finding.fingerprint, settings.allow_fingerprints),
        (finding.endpoint, settings.allow_endpoints),
    )
    return any(
        value is not None and any(p == value or fnmatchcase(value, p) for p in patterns)
        for value, patterns in checks
    )


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity, the analyzers' own order (their ranking)."""
    return sorted(findings, key=lambda f: -SEVERITY_RANK[f.severity])
