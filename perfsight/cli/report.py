"""`perfsight report`: the analysis report of a window, diffed against the previous one."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape
from rich.table import Table

from perfsight.cli.context import err, open_store, out, parse_tags, settings_from
from perfsight.durations import duration_option
from perfsight.reports.run import run_report

SUMMARY = "Write an analysis report for a window; diff it against the previous one."
_MARK = {"pass": "[green]✓[/]", "fail": "[red]✗[/]", "not_measured": "[yellow]–[/]"}


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help=SUMMARY,
        description=SUMMARY
        + " Each configured source gives a section; one that is down says so and why. "
        "Exit 0 when every measured threshold passed, 1 when one failed, 2 when no report "
        "could be written.",
    )
    parser.add_argument("--window", default="24h", help="how far back from now (default 24h)")
    parser.add_argument("--out", metavar="DIR", help="folder (default: [schedule] report_dir)")
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="K=V",
        help="tag the report (repeatable); the diff compares with the last report of equal tags",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    duration_option(args.window, "--window")
    tags = parse_tags(args.tag)
    with open_store(settings) as store:
        result = run_report(settings, store, window=args.window, out_dir=args.out, tags=tags)
    report = result.report
    table = Table(title=f"perfsight report {report.id} — {report.status}")
    table.add_column("")
    table.add_column("threshold")
    table.add_column("observed", justify="right")
    table.add_column("source / why not measured")
    for outcome in report.outcomes:
        observed = outcome["observed"]
        table.add_row(
            _MARK[outcome["status"]],
            escape(outcome["name"]),
            "—" if observed is None else f"{observed:,.3g}",
            escape(outcome.get("source") or outcome.get("detail") or ""),
        )
    out.print(table)
    for section in report.sections:
        if not section.available:
            reason = escape(section.reason or "")
            err.print(f"[yellow]{escape(section.title)}: unavailable[/] — {reason}", markup=True)
    if result.diff is not None:
        d = result.diff
        out.print(
            f"since the previous report: {len(d.new_findings)} new, "
            f"{len(d.resolved_findings)} resolved, {len(d.regressions)} regressions, "
            f"{len(d.improvements)} improvements"
        )
    for kind, path in result.paths.items():
        out.print(f"{kind}: {path}")
    if result.webhook_error:
        err.print(f"[yellow]{escape(result.webhook_error)}[/]")
    return 1 if report.status == "fail" else 0
