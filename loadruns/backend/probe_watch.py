"""The HTTP probe at the end of a load run: the target's GET list endpoints (``[target]
list_endpoints`` and the OpenAPI document's) called once each, after the load, so its requests
stay out of the measured window. ``unpaginated_endpoints`` counts its ``unpaginated_endpoint``
findings; its other findings (uncompressed responses, static files a CDN cannot keep) are
reported with the run's."""

from __future__ import annotations

from analyzers.endpoint_probe import findings_for_settings
from collectors.http_probe import HttpProbe
from loadruns.backend.counts import FindingCounts
from loadruns.observers import ObserverReport
from loadruns.result import Progress
from perfsight.config import Settings
from perfsight.errors import SourceUnavailable

SOURCE = "HTTP probe of the list endpoints ([target] list_endpoints, openapi)"


class ProbeWatch:
    name = "probe"

    def __init__(self, settings: Settings, host: str) -> None:
        target = settings.target.model_copy(update={"base_url": host})
        self.settings = settings.model_copy(update={"target": target})

    def start(self, run_id: str, started_at: float) -> None:
        """Nothing: the probe runs once the load is over."""

    def tick(self, progress: Progress) -> None:
        """Nothing."""

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        report = HttpProbe(self.settings.target).run()
        probed = [p for p in report.probes if p.kind == "list" and not p.skipped]
        if not probed:
            raise SourceUnavailable(
                report.openapi_error or "no GET list endpoint to probe", source="probe"
            )
        found = findings_for_settings(self.settings, report)
        errors = [f"{p.endpoint}: {p.error}" for p in probed if p.error]
        return ObserverReport(
            metrics=FindingCounts(
                found,
                {"unpaginated_endpoints": "unpaginated_endpoint"},
                source=SOURCE,
                seconds=ended_at - started_at,
            ),
            findings=tuple(found),
            warnings=tuple(f"probe: {line}" for line in errors),
            section={
                "requests": report.requests,
                "endpoints": [
                    {
                        "endpoint": p.endpoint,
                        "status": p.status,
                        "items": p.items,
                        "paging_param": p.paging_param,
                        "response_bytes": p.response_bytes,
                        "content_encoding": p.content_encoding,
                        "error": p.error,
                        "skipped": p.skipped,
                    }
                    for p in report.probes
                ],
            },
        )
