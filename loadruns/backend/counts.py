"""Counter metrics counted from the findings of a run's window: ``n_plus_one``,
``unpaginated_endpoints``, ``missing_indexes`` (k6 counters: ``count``, and ``rate`` per second
of the run)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from loadruns.attribution import on_endpoint
from loadruns.verdict import Observation
from perfsight.models import Finding
from perfsight.thresholds import Threshold


class FindingCounts:
    """Answers the counter metrics of ``kinds`` (metric -> finding kind) from ``findings``."""

    def __init__(
        self,
        findings: Sequence[Finding],
        kinds: Mapping[str, str],
        *,
        source: str,
        seconds: float,
    ) -> None:
        self.findings = list(findings)
        self.kinds = dict(kinds)
        self.source = source
        self.seconds = seconds

    def observe(self, threshold: Threshold) -> Observation | None:
        kind = self.kinds.get(threshold.metric)
        if kind is None:
            return None
        chosen = [f for f in self.findings if f.kind == kind]
        endpoint = threshold.scope_value("endpoint")
        if endpoint is not None:
            chosen = [f for f in chosen if on_endpoint(f, endpoint)]
        namespace = threshold.scope_value("namespace")
        if namespace is not None:
            chosen = [f for f in chosen if f.namespace == namespace]
        count = float(len(chosen))
        if threshold.aggregation == "rate":
            if self.seconds <= 0:
                return Observation(None, self.source, "the window has no length")
            return Observation(count / self.seconds, self.source)
        return Observation(count, self.source)
