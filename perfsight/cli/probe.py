"""The HTTP probe on the command line: ``perfsight analyze --probe``.

Kept apart from ``perfsight/cli/analyze.py``: the analyze command adds the options
(``perfsight.cli.probe_options``) and, when ``--probe`` is given, imports this module and calls
``run``; ``analyzers.endpoint_probe.findings_for_settings`` gives the findings to merge into
other output. Findings go to the store like every other finding (origin ``probe``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import ValidationError
from rich.table import Table

from analyzers.endpoint_probe import findings_for_settings
from collectors.http_probe import EndpointProbe, HttpProbe, ProbeReport
from perfsight.cli.context import err, open_store, out, settings_from
from perfsight.config import Settings
from perfsight.config.target import TargetSettings
from perfsight.errors import ConfigError
from perfsight.models import Finding
from perfsight.store.findings import upsert_findings

ORIGIN = "probe"


def target_settings(settings: Settings, base_url: str | None) -> TargetSettings:
    if base_url is None:
        return settings.target
    try:
        return TargetSettings.model_validate({**settings.target.model_dump(), "base_url": base_url})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise ConfigError(f"{base_url!r}: {reason}", source="--probe-base-url") from None


def probe_target(settings: Settings, args: argparse.Namespace) -> ProbeReport:
    """Run the probe the options describe."""
    target = target_settings(settings, args.probe_base_url)
    probe = HttpProbe(target, extra_endpoints=args.probe_endpoint, openapi=args.probe_openapi)
    return probe.run()


def run(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Probe, store the findings, print. 0: probed (findings or not); 2: could not run."""
    settings = settings or settings_from(args)
    report = probe_target(settings, args)
    found = findings_for_settings(settings, report)
    if not args.probe_no_store and found:
        with open_store(settings) as store:
            upsert_findings(store, found, origin=ORIGIN)
    if args.probe_json:
        payload = {"probe": report.to_dict(), "findings": [f.to_dict() for f in found]}
        out.print(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode(), markup=False)
    else:
        render(report, found)
    if report.openapi_error:
        err.print(f"[bold red]perfsight analyze --probe:[/] {report.openapi_error}")
        return 2
    return 0


def _state(probe: EndpointProbe) -> str:
    if probe.skipped:
        return f"[yellow]skipped[/]: {probe.skipped}"
    if probe.error:
        return f"[red]error[/]: {probe.error}"
    return "ok"


def _paging(probe: EndpointProbe) -> str:
    if probe.kind != "list" or probe.items is None:
        return ""
    if probe.paging_param:
        return f"{probe.paging_param}=1 honoured"
    if not probe.paging_tried:
        return "not tested (≤ 1 item)"
    return "ignored" + (f" ({', '.join(probe.paging_metadata)})" if probe.paging_metadata else "")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def render(report: ProbeReport, found: Sequence[Finding]) -> None:
    render_probes(report)
    if not found:
        out.print("No probe findings.")
    for finding in found:
        out.print(f"[bold]{finding.severity}[/] {finding.kind}: {finding.summary}", highlight=False)
        out.print(f"  fix: {finding.suggestion}", highlight=False, markup=False)


def render_probes(report: ProbeReport) -> None:
    """The table of what each probed endpoint answered."""
    table = Table(title=f"HTTP probe — {report.requests} of at most {report.max_requests} requests")
    table.add_column("endpoint", no_wrap=True)
    for column in ("kind", "status", "items", "bytes", "encoding", "paging", "fields"):
        table.add_column(column, justify="right" if column in ("items", "bytes") else "left")
    table.add_column("cache-control / result", overflow="fold")
    for probe in report.probes:
        cells: list[Any] = [
            probe.endpoint,
            probe.kind,
            "" if probe.status is None else str(probe.status),
            "" if probe.items is None else str(probe.items),
            "" if probe.response_bytes is None else str(probe.response_bytes),
            probe.content_encoding or ("none" if probe.status else ""),
            _paging(probe),
            _yes_no(probe.fields_honoured),
        ]
        note = _state(probe)
        if note == "ok" and probe.kind == "static":
            note = probe.cache_control or "no Cache-Control"
        table.add_row(*cells, note)
    out.print(table)
