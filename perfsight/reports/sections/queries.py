"""MongoDB over the window: the query shapes that cost the most, missing and unused indexes,
N+1 and redundant queries, unpaginated queries, and database queries per request — from the
profile files and slow-query logs of ``[mongo]`` and from the live profiler (``[mongo] uri``
and ``databases``), each read from the window's start."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

from analyzers.base import AnalysisContext
from analyzers.unused_indexes import unused_index_findings
from collectors.input_report import InputReport
from collectors.mongo_indexes import existing_indexes, index_usage
from collectors.mongo_live import connected
from collectors.mongo_normalize import ReadOptions
from collectors.mongo_profiler import ProfileCursor, to_ms
from perfsight.analysis import AnalysisResult, Inputs, analyze, read_events, shape_stats_for
from perfsight.config.mongo import MongoSettings
from perfsight.errors import ConfigError, InputError
from perfsight.models import Finding, QueryEvent, utcnow
from perfsight.reports.evaluate import Observation
from perfsight.reports.layout import table
from perfsight.reports.model import MetricValue, Section
from perfsight.reports.sections.base import SectionContext, SectionOutput, SectionSpec

TITLE = "MongoDB queries (profile files, slow-query logs, live profiler)"
SOURCE = "profiler"
TOP_SHAPES = 15


# Reads of system.profile per report: 50,000 documents per database each (the reader's bound).
MAX_LIVE_READS = 20


@dataclass
class _Live:
    """What the live profiler gave for the window."""

    events: list[QueryEvent] = field(default_factory=list)
    indexes: dict[str, Any] = field(default_factory=dict)
    unused: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read_live(mongo: MongoSettings, report: InputReport, since: datetime) -> _Live:
    found = _Live()
    with connected(mongo) as live:
        found.indexes, notes = existing_indexes(
            live.client, live.namespaces(), target=live.target, uri=live.uri
        )
        found.notes += notes
        reader = live.reader(ReadOptions.from_settings(mongo, since=since, keep_raw=False), report)
        start = ProfileCursor(to_ms(since))
        cursors: dict[str, ProfileCursor | None] = dict.fromkeys(live.databases, start)
        for _ in range(MAX_LIVE_READS):
            poll = reader.read(cursors)
            found.events += poll.events
            cursors.update(poll.cursors())
            found.notes += [gap.describe() for gap in poll.gaps]
            if not any(read.more for read in poll.reads):
                break
        else:
            found.notes.append(
                f"system.profile held more than {MAX_LIVE_READS} reads: the rest was not read"
            )
        usages, usage_notes = index_usage(live.admin, live.client, live.databases, uri=live.uri)
        found.notes += usage_notes
        found.unused = unused_index_findings(usages, window_start=since, now=utcnow())
    return found


def _read(context: SectionContext) -> tuple[AnalysisResult, list[str]]:
    mongo = context.settings.mongo
    inputs = Inputs(logs=tuple(mongo.log_files), profile_files=tuple(mongo.profile_files))
    use_live = bool(mongo.uri and mongo.databases)
    if not inputs.logs and not inputs.profile_files and not use_live:
        raise ConfigError(
            "not configured: set [mongo] profile_files or log_files, or uri and databases",
            source="mongo",
        )
    missing = [str(p) for p in (*inputs.logs, *inputs.profile_files) if not Path(p).is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}", source="mongo")
    since = datetime.fromtimestamp(context.start, UTC)
    report = InputReport()
    live = _read_live(mongo, report, since) if use_live else _Live()
    options = ReadOptions.from_settings(mongo, since=since, keep_raw=False)
    events = (
        e
        for e in chain(read_events(inputs, options=options, report=report), live.events)
        if e.ts.timestamp() <= context.end
    )
    result = analyze(
        events,
        context=AnalysisContext(settings=context.settings.analysis, indexes=live.indexes),
        shapes=shape_stats_for(context.settings),
        report=report,
    )
    notes = [*live.notes, *report.notices]
    return replace(result, findings=[*result.findings, *live.unused]), notes


def _per_request(
    result: AnalysisResult,
) -> tuple[list[Observation], list[MetricValue], list[list[object]]]:
    per_request = result.queries_per_request()
    if per_request is None:
        return [], [], []
    observations, metrics, rows = [], [], []
    for endpoint, stats in [*per_request["endpoints"].items(), ("*", per_request["overall"])]:
        scope = {} if endpoint == "*" else {"endpoint": endpoint}
        for stat in ("avg", "min", "med", "p95", "max"):
            observations.append(
                Observation("db_queries_per_request", stat, stats[stat], SOURCE, scope)
            )
        label = "" if endpoint == "*" else f"{{endpoint:{endpoint}}}"
        metrics.append(
            MetricValue(
                f"db_queries_per_request{label} avg", stats["avg"], "queries", SOURCE, "lower"
            )
        )
        rows.append(
            [
                "all requests" if endpoint == "*" else endpoint,
                stats["requests"],
                stats["avg"],
                stats["med"],
                stats["p95"],
                stats["max"],
            ]
        )
    return observations, metrics, rows


def build(context: SectionContext) -> SectionOutput:
    result, notes = _read(context)
    found = result.findings
    n_plus_one = sum(1 for f in found if f.kind == "n_plus_one")
    missing = [f for f in found if f.kind == "missing_index"]
    observations, metrics, request_rows = _per_request(result)
    observations += [
        Observation("n_plus_one", "count", float(n_plus_one), SOURCE),
        Observation("missing_indexes", "count", float(len(missing)), SOURCE),
    ]
    for namespace in sorted({f.namespace for f in missing if f.namespace}):
        count = sum(1 for f in missing if f.namespace == namespace)
        observations.append(
            Observation("missing_indexes", "count", float(count), SOURCE, {"namespace": namespace})
        )
    metrics += [
        MetricValue("n_plus_one count", float(n_plus_one), "findings", SOURCE, "lower"),
        MetricValue("missing_indexes count", float(len(missing)), "findings", SOURCE, "lower"),
    ]
    shapes = result.shapes.totals()
    shape_rows = [
        [s.namespace, s.fingerprint, s.count, s.total_millis, s.p95_millis, s.scan_ratio]
        for s in shapes[:TOP_SHAPES]
    ]
    read = result.input
    section = Section(
        "queries",
        TITLE,
        True,
        data={
            "summary": (
                f"{read.events:,} operations in the window from {len(read.sources)} input(s) "
                f"({read.rejected:,} records rejected); {len(shapes)} query shapes; "
                f"{len(found)} findings." + "".join(f" {note}." for note in notes)
            ),
            "tables": [
                table(
                    "Query shapes by total time",
                    ["namespace", "fingerprint", "count", "total ms", "p95 ms", "scanned/returned"],
                    shape_rows,
                ),
                table(
                    "Database queries per request (the plan's target: 2–5)",
                    ["endpoint", "requests", "avg", "med", "p95", "max"],
                    request_rows,
                ),
            ],
        },
    )
    return SectionOutput(
        section, metrics=tuple(metrics), findings=tuple(found), observations=tuple(observations)
    )


SPEC = SectionSpec(
    "queries", TITLE, ("db_queries_per_request", "n_plus_one", "missing_indexes"), build
)
