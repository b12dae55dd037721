"""Build a report for a window: each section reads its source; a source that is down gives a
section that says so (and why), and the thresholds it would have measured say "not measured"."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from perfsight.config import Settings
from perfsight.errors import PerfsightError
from perfsight.models import Finding
from perfsight.reports.evaluate import evaluate
from perfsight.reports.model import Report
from perfsight.reports.sections import cache, latency, probes, queries
from perfsight.reports.sections.base import (
    PrometheusWindow,
    SectionContext,
    SectionOutput,
    SectionSpec,
)
from perfsight.store import Store
from perfsight.thresholds import Threshold, overall_status

log = logging.getLogger("perfsight.report")

SECTIONS: tuple[SectionSpec, ...] = (latency.SPEC, cache.SPEC, queries.SPEC, probes.SPEC)
BASE_QUANTILES = (0.5, 0.95, 0.99)


def needed_quantiles(thresholds: Iterable[Threshold]) -> tuple[float, ...]:
    """p50/p95/p99, plus any other percentile a latency threshold asks for."""
    wanted = set(BASE_QUANTILES)
    for threshold in thresholds:
        if threshold.metric == "http_req_duration" and threshold.percentile is not None:
            wanted.add(round(threshold.percentile / 100, 6))
    return tuple(sorted(wanted))


def _run_section(spec: SectionSpec, context: SectionContext) -> tuple[SectionOutput, str | None]:
    try:
        return spec.build(context), None
    except PerfsightError as exc:
        return spec.unavailable(str(exc)), str(exc)
    except Exception as exc:  # a bug in one section must not cost the whole report
        log.exception("report section %s failed", spec.name)
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return spec.unavailable(reason), reason


def build_report(
    settings: Settings,
    store: Store,
    *,
    start: float,
    end: float,
    tags: Mapping[str, str] | None = None,
    now: float | None = None,
    sections: Sequence[SectionSpec] | None = None,
) -> Report:
    thresholds = settings.threshold_list()
    quantiles = needed_quantiles(thresholds)
    prometheus = PrometheusWindow(settings, start, end, quantiles)
    context = SectionContext(settings, store, start, end, quantiles, prometheus)
    outputs = []
    unavailable: dict[str, str] = {}
    try:
        for spec in SECTIONS if sections is None else sections:
            output, problem = _run_section(spec, context)
            outputs.append(output)
            if problem is not None:
                for metric in spec.measures:
                    unavailable[metric] = f"{spec.title} unavailable: {problem}"
    finally:
        prometheus.close()
    findings: dict[str, Finding] = {}
    for output in outputs:
        for finding in output.findings:
            findings.setdefault(finding.id, finding)
    observations = [o for output in outputs for o in output.observations]
    outcomes = evaluate(thresholds, observations, unavailable=unavailable)
    created = datetime.fromtimestamp(now if now is not None else end, UTC)
    return Report(
        window_start=datetime.fromtimestamp(start, UTC),
        window_end=datetime.fromtimestamp(end, UTC),
        created_at=created,
        tags=dict(tags or {}),
        status=overall_status(outcomes),
        outcomes=[o.to_dict() for o in outcomes],
        findings=list(findings.values()),
        metrics=[m for output in outputs for m in output.metrics],
        sections=[output.section for output in outputs],
    )
