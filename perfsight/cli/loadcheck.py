"""`perfsight loadcheck`: run a load test against the target and pass or fail it against
thresholds (exit 0 pass, 1 a threshold failed, 2 could not run)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from dataclasses import replace
from typing import Any

from rich.console import Console

from collectors.mongo_source import profiling_for_run
from loadruns import LoadOptions, Progress, RunResult
from loadruns.backend import backend_observer
from loadruns.formatting import format_ms
from loadruns.html_report import write_html
from loadruns.jsonout import write_json
from loadruns.junit import write_junit
from loadruns.plan import make_plan
from loadruns.remote import run_worker
from loadruns.runner import execute
from loadruns.summary import print_summary
from perfsight.cli.context import err, open_store, out, parse_tags, say, settings_from
from perfsight.cli.signals import signals_as_interrupt
from perfsight.config import Settings
from perfsight.durations import format_duration
from perfsight.errors import ConfigError

SUMMARY = "Run a load test against the target; pass or fail it against thresholds."
EPILOG = """\
examples:
  perfsight loadcheck -H http://127.0.0.1:8000 -u 20 -t 1m
  perfsight loadcheck --threshold 'http_req_duration=p(95)<300' --profile none --junit out.xml
  perfsight loadcheck -f locustfile.py --tag environment=staging --json result.json
  perfsight loadcheck --tag environment=staging --baseline last-pass --html report.html

exit codes: 0 pass, 1 a threshold failed, 2 could not run (bad input, host not allowed,
target unreachable, interrupted)."""


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "loadcheck",
        help=SUMMARY,
        description=SUMMARY,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("-f", "--locustfile", metavar="FILE", help="your own locustfile, run unchanged")
    add("-H", "--host", metavar="URL", help="base URL of the target (default: [target] base_url)")
    add("-u", "--users", type=int, metavar="N", help="concurrent users (replaces [load] stages)")
    add("-r", "--spawn-rate", type=float, metavar="R", help="users started per second")
    add("-t", "--run-time", metavar="DURATION", help="e.g. 30s, 5m (replaces [load] stages)")
    add(
        "--workers",
        type=int,
        metavar="N",
        help="local Locust worker processes under a master (default: [load] workers; 0: one)",
    )
    add(
        "--remote-workers",
        type=int,
        metavar="N",
        help="also wait for N workers on other machines (default: [load] remote_workers)",
    )
    add("--master-bind-host", metavar="HOST", help="interface the master listens on for workers")
    add("--master-port", type=int, metavar="PORT", help="the master's port (default 5557)")
    add(
        "--worker",
        action="store_true",
        help="run as a worker of a master on another machine (needs --master-host)",
    )
    add("--master-host", metavar="HOST", help="with --worker: the machine of the master")
    add(
        "--threshold",
        action="append",
        default=[],
        metavar="METRIC=EXPR",
        help="add a threshold, e.g. 'http_req_duration=p(95)<200' or "
        "'http_req_duration{endpoint:/api/bookings}=p(95)<300' (repeatable)",
    )
    add(
        "--profile",
        choices=("seed", "none"),
        help="threshold profile instead of [thresholds] (none: only --threshold ones)",
    )
    add("--tag", action="append", default=[], metavar="K=V", help="tag the run (repeatable)")
    add("--label", metavar="TEXT", help="a free label stored with the run")
    add("--json", metavar="FILE", help="write the result as JSON ('-' for stdout)")
    add("--junit", metavar="FILE", help="write JUnit XML, one testcase per threshold")
    add("--html", metavar="FILE", help="write a self-contained HTML report (plotly charts)")
    add(
        "--baseline",
        metavar="last-pass|RUN_ID",
        help="compare with a baseline run: the last passed run with the same tags, or a run id "
        "(p95 per endpoint no worse than +10 %%, req/s no lower than -10 %%; [load] baseline_*)",
    )
    add(
        "--no-backend",
        action="store_true",
        help="do not watch Redis, Prometheus, the profiler, the probe or the processes",
    )
    add("--strict", action="store_true", help="a threshold nothing measured fails the check")
    add("--run-id", metavar="ID", help="id for the new run (for callers that follow it)")
    parser.set_defaults(handler=handle)
    return parser


def options_from(args: argparse.Namespace) -> LoadOptions:
    tags = parse_tags(args.tag)
    return LoadOptions(
        locustfile=args.locustfile,
        host=args.host,
        users=args.users,
        spawn_rate=args.spawn_rate,
        run_time=args.run_time,
        workers=args.workers,
        remote_workers=args.remote_workers,
        master_bind_host=args.master_bind_host,
        master_port=args.master_port,
        thresholds=tuple(args.threshold),
        profile=args.profile,
        tags=tags,
        label=args.label,
        strict=args.strict,
        run_id=args.run_id,
        baseline=args.baseline,
    )


def handle(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    options = options_from(args)
    if args.worker or args.master_host:
        return _worker(args, settings, options)
    # With the JSON on stdout, the summary goes to stderr.
    summary_console = err if args.json == "-" else out
    progress = _ProgressLine(err)
    plan = make_plan(settings, options)  # bad input stops here, before anything is changed
    with (
        open_store(settings) as store,
        signals_as_interrupt(signal.SIGTERM),  # ends the run aborted, as Ctrl-C
        profiling_for_run(settings, store, planned=plan.planned_duration, say=say),
    ):
        observers = [] if args.no_backend else [backend_observer(settings, plan, store)]
        try:
            result = execute(
                plan,
                store,
                observers=observers,
                on_progress=progress,
                on_abandoned=lambda ids: err.print(
                    f"marked {len(ids)} run(s) left running by a stopped process as aborted: "
                    + ", ".join(ids),
                    highlight=False,
                ),
            )
        finally:
            progress.close()
    _write_outputs(result, args)
    print_summary(result, summary_console)
    return result.exit_code


def _worker(args: argparse.Namespace, settings: Settings, options: LoadOptions) -> int:
    if not (args.worker and args.master_host):
        raise ConfigError("a worker needs both --worker and --master-host", source="--worker")
    # The target comes from the master; a host is still needed to build the plan.
    host = options.host or settings.target.base_url or "http://127.0.0.1"
    plan = make_plan(settings, replace(options, host=host))
    err.print(
        f"worker of the master at {args.master_host}:{plan.master_port}; stops when it ends "
        "the test",
        highlight=False,
    )
    return run_worker(plan, args.master_host)


def _write_outputs(result: RunResult, args: argparse.Namespace) -> None:
    if args.json:
        data = write_json(result, args.json)
        if args.json == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    if args.junit:
        write_junit(result, args.junit, strict=args.strict)
    if args.html:
        write_html(result, args.html)


class _ProgressLine:
    """One line of progress on stderr: rewritten in place on a terminal, every 10 s in a log."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.last_print = 0.0

    def __call__(self, progress: Progress) -> None:
        rps = f"{progress.rps:.1f}" if progress.rps is not None else "-"
        line = (
            f"{format_duration(progress.elapsed)}/{format_duration(progress.planned)}  "
            f"users {progress.users if progress.users is not None else '-'}  "
            f"requests {progress.requests}  failed {progress.failures}  req/s {rps}  "
            f"p95 {format_ms(progress.p95_ms)}"
        )
        if self.console.is_terminal:
            self.console.file.write(f"\r\x1b[2K  {line}")
            self.console.file.flush()
        elif time.monotonic() - self.last_print >= 10:
            self.last_print = time.monotonic()
            self.console.print(f"  {line}", highlight=False)

    def close(self) -> None:
        if self.console.is_terminal:
            self.console.file.write("\r\x1b[2K")
