"""`perfsight analyze`: MongoDB slow-query logs and profile files → query shapes and findings.

Exit codes: 0 it ran (whatever it found), 1 ``--fail-on`` was given and a finding reached that
severity, 2 it could not run (a file missing or unreadable, bad options, the store, or an input
of which nothing could be read). Lines that cannot be read are counted and reported with their
line numbers (stderr, and ``input`` of ``--format json``); they do not stop the analysis.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from analyzers.base import AnalysisContext
from collectors.file_input import STDIN
from collectors.index_file import load_indexes
from collectors.input_report import InputReport
from collectors.mongo_normalize import ReadOptions
from perfsight.analysis import (
    AnalysisResult,
    Inputs,
    analyze,
    bulk_collection,
    read_events,
    shape_stats_for,
)
from perfsight.analysis_parallel import analyze_log_parallel, parallel_log
from perfsight.cli import live_options, probe_options
from perfsight.cli.analyze_output import input_summary, render_markdown, render_table, report_json
from perfsight.cli.context import err, open_store, out, settings_from
from perfsight.config import Settings
from perfsight.durations import parse_duration
from perfsight.errors import ConfigError, InputError
from perfsight.models import SEVERITY_RANK, Finding, parse_iso, utcnow

if TYPE_CHECKING:
    from collectors.http_probe import ProbeReport
    from perfsight.store import Store

SUMMARY = "Analyse MongoDB query events (logs, profile files, live profiler); report findings."
EXIT_OK, EXIT_FAILED = 0, 1
PROGRESS_MIN_BYTES = 16 << 20  # smaller inputs finish before a bar would help


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "analyze",
        help=SUMMARY,
        description=f"{SUMMARY} Without --log/--profile-file: the files of [mongo] log_files "
        "and profile_files.",
        epilog="Exit codes: 0 ran, 1 a finding reached --fail-on, 2 could not run.",
    )
    parser.add_argument(
        "--log",
        metavar="FILE",
        nargs="+",
        action="extend",
        default=[],
        help="mongod logv2 file(s) (.log or .gz; - reads stdin): the 'Slow query' lines",
    )
    parser.add_argument(
        "--profile-file",
        metavar="FILE",
        nargs="+",
        action="extend",
        default=[],
        help="system.profile export(s): JSON array or JSON lines, Extended JSON (.gz too)",
    )
    parser.add_argument(
        "--indexes",
        metavar="FILE",
        help="JSON of the existing indexes per namespace, in the shape of pymongo's "
        'index_information(): {"db.coll": {"name": {"key": [["field", 1]]}}}',
    )
    parser.add_argument(
        "--since",
        metavar="WHEN",
        help="only operations that ended after WHEN: a duration back from now (30m, 24h, 7d) "
        "or an ISO 8601 time",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json", "markdown"),
        default="table",
        help="table (default), markdown, or json (perfsight/schemas/analyze.schema.json)",
    )
    parser.add_argument(
        "--top",
        metavar="N",
        type=_positive,
        default=20,
        help="findings and shapes to list (default 20)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("warning", "critical"),
        help="exit 1 when a finding has this severity or a higher one",
    )
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=_positive,
        help="processes reading one large plain log (default: one per CPU; 1: this process)",
    )
    parser.add_argument(
        "--no-store",
        action="store_true",
        help="do not write the shape statistics and findings to the store",
    )
    probe_options.add_arguments(parser)
    live_options.add_arguments(parser)
    parser.set_defaults(handler=run)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """``--since``: a duration back from ``now`` or an ISO 8601 time (UTC when no offset)."""
    if text is None:
        return None
    try:
        return now - timedelta(seconds=parse_duration(text))
    except ValueError:
        pass
    try:
        return parse_iso(text.strip())
    except ValueError:
        raise ConfigError(
            f"not a duration or an ISO time: {text!r} (e.g. 2h, 7d, 2024-07-09T18:00:00Z)",
            source="--since",
        ) from None


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.live:
        return run_live(args, settings)
    have_files = any(
        (args.log, args.profile_file, settings.mongo.log_files, settings.mongo.profile_files)
    )
    probe_report = None
    if args.probe:
        from perfsight.cli import probe  # httpx and the store: only for --probe

        if not have_files:
            return probe.run(args, settings)  # the HTTP probe alone
        probe_report = probe.probe_target(settings, args)
    now = utcnow()
    inputs = _inputs(
        args.log, args.profile_file, settings.mongo.log_files, settings.mongo.profile_files
    )
    since = parse_since(args.since, now)
    indexes: dict[str, Any] = {}
    if args.indexes:
        indexes, notes = load_indexes(args.indexes)
        for note in notes:
            err.print(note, markup=False, highlight=False)
    stores: list[Store] = []

    def open_the_store() -> None:
        """Called once the input is being read (by other processes, for a large log): the
        store and its libraries load while they read, not before they start."""
        if not args.no_store and not stores:
            stores.append(open_store(settings))

    try:
        report = InputReport()
        context = AnalysisContext(settings=settings.analysis, indexes=indexes, now=now)
        options = ReadOptions.from_settings(settings.mongo, since=since)
        with _progress(inputs) as progress, bulk_collection():
            result = _analyze(
                inputs, args.jobs, context, settings, options, report, progress, open_the_store
            )
        if probe_report is not None:
            from analyzers.endpoint_probe import findings_for_settings

            result = replace(
                result, findings=[*result.findings, *findings_for_settings(settings, probe_report)]
            )
        for line in input_summary(report):
            err.print(line, markup=False, highlight=False)
        if not report.usable:
            first = report.rejections[0]
            raise InputError(
                f"nothing could be read: all {report.rejected:,} records were rejected (first: "
                f"line {first.line}: {first.reason})",
                source=first.source,
            )
        if stores:
            from perfsight.store.findings import upsert_findings
            from perfsight.store.shapes import save_shape_stats

            upsert_findings(stores[0], result.findings, origin="analyze")
            save_shape_stats(stores[0], result.shapes.buckets(), source=_source_label(inputs))
    finally:
        for store in stores:
            store.close()
    failed = _failed(result.findings, args.fail_on)
    _print(result, args, since, failed, probe_report)
    return EXIT_FAILED if failed else EXIT_OK


def _analyze(
    inputs: Inputs,
    jobs: int | None,
    context: AnalysisContext,
    settings: Settings,
    options: ReadOptions,
    report: InputReport,
    progress: Callable[[str, int], None] | None,
    started: Callable[[], None],
) -> AnalysisResult:
    """One large plain log is read by several processes (the same result, sooner).
    ``started()`` is called once reading has begun."""
    path = parallel_log(inputs) if jobs != 1 else None
    if path is not None:
        advance = (lambda done: progress(path, done)) if progress is not None else None
        result = analyze_log_parallel(
            path,
            context=context,
            shapes=shape_stats_for(settings),
            options=options,
            report=report,
            workers=jobs,
            progress=advance,
            started=started,
        )
        if result is not None:
            return result
    started()
    events = read_events(inputs, options=options, report=report, progress=progress)
    return analyze(events, context=context, shapes=shape_stats_for(settings), report=report)


def run_live(
    args: argparse.Namespace,
    settings: Settings,
    *,
    connect: Any = None,
) -> int:
    """``--live``: the same analysis, output and exit codes, from a running server."""
    from perfsight.cli import analyze_live  # pymongo and friends: only for --live
    from perfsight.store.findings import upsert_findings
    from perfsight.store.shapes import save_shape_stats

    if args.log or args.profile_file:
        raise InputError("--live reads the server: drop --log/--profile-file", source="--live")
    now = utcnow()
    since = parse_since(args.since, now)
    with open_store(settings) as store:
        outcome = analyze_live.analyze_live(
            args,
            settings,
            now=now,
            since=since,
            store=store,
            connect=connect or analyze_live.connect,
        )
        result = outcome.result
        for line in input_summary(result.input):
            err.print(line, markup=False, highlight=False)
        if not result.input.usable:
            first = result.input.rejections[0]
            raise InputError(
                f"nothing could be read: all {result.input.rejected:,} documents were rejected "
                f"(first: document {first.line}: {first.reason})",
                source=first.source,
            )
        if not args.no_store:
            upsert_findings(store, result.findings, origin="analyze")
            label = f"analyze --live {outcome.section['target']} " + ",".join(
                sorted(outcome.section["databases"])
            )
            save_shape_stats(store, result.shapes.buckets(), source=label)
    failed = _failed(result.findings, args.fail_on)
    _print(result, args, since, failed, None, live=outcome.section)
    return EXIT_FAILED if failed else EXIT_OK


def _inputs(
    logs: Sequence[str],
    profiles: Sequence[str],
    log_files: Sequence[str],
    profile_files: Sequence[str],
) -> Inputs:
    if not logs and not profiles:
        logs, profiles = log_files, profile_files
    if not logs and not profiles:
        raise InputError(
            "nothing to analyze: give --log FILE or --profile-file FILE (or set [mongo] "
            "log_files / profile_files)",
            source="perfsight analyze",
        )
    if [*logs, *profiles].count(STDIN) > 1 or STDIN in profiles:
        raise InputError("only one --log can read stdin ('-')", source="perfsight analyze")
    for path in (*logs, *profiles):
        if path != STDIN and not Path(path).is_file():
            raise InputError("no such file", source=str(path))
    return Inputs(logs=tuple(logs), profile_files=tuple(profiles))


def _failed(findings: list[Finding], fail_on: str | None) -> bool:
    if fail_on is None:
        return False
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)


def _print(
    result: Any,
    args: argparse.Namespace,
    since: datetime | None,
    failed: bool,
    probe_report: ProbeReport | None,
    *,
    live: dict[str, Any] | None = None,
) -> None:
    if args.format == "json":
        data = report_json(result, top=args.top, since=since, fail_on=args.fail_on, failed=failed)
        data["probe"] = probe_report.to_dict() if probe_report is not None else None
        if live is not None:
            data["live"] = live
        text = orjson.dumps(data, default=str, option=orjson.OPT_INDENT_2).decode()
        out.file.write(text + "\n")
    elif args.format == "markdown":
        out.file.write(render_markdown(result, top=args.top, since=since))
    else:
        render_table(result, top=args.top, console=out)
        if probe_report is not None:
            from perfsight.cli.probe import render_probes

            render_probes(probe_report)
    out.file.flush()


def _source_label(inputs: Inputs) -> str:
    """The store key of this input set: analysing the same files again replaces their rows."""
    names = [
        p if str(p) == STDIN else str(Path(p).resolve())
        for p in (*inputs.logs, *inputs.profile_files)
    ]
    label = "analyze " + " ".join(sorted(str(n) for n in names))
    if len(label) > 400:
        label = "analyze sha256:" + hashlib.sha256(label.encode()).hexdigest()[:32]
    return label


@contextmanager
def _progress(inputs: Inputs) -> Iterator[Callable[[str, int], None] | None]:
    """A progress bar (stderr, on a terminal) over the input bytes, for large inputs."""
    paths = [str(p) for p in (*inputs.logs, *inputs.profile_files)]
    if STDIN in paths or not err.is_terminal:
        yield None
        return
    sizes = {p: Path(p).stat().st_size for p in paths if Path(p).is_file()}
    total = sum(sizes.values())
    if total < PROGRESS_MIN_BYTES:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("analysing", total=total)
        offsets = dict.fromkeys(paths, 0)

        def advance(name: str, done: int) -> None:
            offsets[name] = done
            bar.update(task, completed=sum(offsets.values()))

        yield advance
