"""The target's list endpoints and static assets, probed now: pagination, compression,
Cache-Control (the HTTP probe of ``perfsight analyze --probe``)."""

from __future__ import annotations

from analyzers.endpoint_probe import findings_for_settings
from collectors.http_probe import HttpProbe
from perfsight.errors import ConfigError, SourceUnavailable
from perfsight.reports.evaluate import Observation
from perfsight.reports.layout import table
from perfsight.reports.model import MetricValue, Section
from perfsight.reports.sections.base import SectionContext, SectionOutput, SectionSpec

TITLE = "Endpoint probes (pagination, compression, caching)"


def build(context: SectionContext) -> SectionOutput:
    target = context.settings.target
    if not target.base_url or not (target.list_endpoints or target.static_assets or target.openapi):
        raise ConfigError(
            "not configured: set [target] base_url and list_endpoints, static_assets or openapi",
            source="probes",
        )
    report = HttpProbe(target).run()
    answered = [p for p in report.probes if p.status is not None]
    if report.probes and not answered:
        reasons = "; ".join(f"{p.endpoint}: {p.error or p.skipped}" for p in report.probes[:5])
        raise SourceUnavailable(f"no endpoint answered ({reasons})", source=target.base_url)
    found = findings_for_settings(context.settings, report)
    unpaginated = sum(1 for f in found if f.kind == "unpaginated_endpoint")
    rows = [
        [
            p.endpoint,
            p.status,
            p.items,
            p.response_bytes,
            p.content_encoding,
            p.paging_param,
            p.cache_control,
            p.error or p.skipped,
        ]
        for p in report.probes
    ]
    section = Section(
        "probes",
        TITLE,
        True,
        data={
            "summary": f"{len(answered)} of {len(report.probes)} endpoint(s) answered; "
            f"{report.requests} request(s) sent.",
            "tables": [
                table(
                    "Probed endpoints",
                    [
                        "endpoint",
                        "status",
                        "items",
                        "bytes",
                        "encoding",
                        "paging",
                        "cache-control",
                        "problem",
                    ],
                    rows,
                )
            ],
        },
    )
    return SectionOutput(
        section,
        metrics=(
            MetricValue(
                "unpaginated_endpoints count", float(unpaginated), "findings", "probe", "lower"
            ),
        ),
        findings=tuple(found),
        observations=(Observation("unpaginated_endpoints", "count", float(unpaginated), "probe"),),
    )


SPEC = SectionSpec("probes", TITLE, ("unpaginated_endpoints",), build)
