"""The "fix first" list: open findings ranked by the time they cost.

A finding's cost is the time spent in what it describes over the analysed window —
``evidence["total_ms"]``: every analyzer that can measure it reports it under that name (the
missing-index advisor, N+1, redundant and unpaginated queries, time outside the DB).
Findings without a measured cost follow, by severity, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

from perfsight.models import SEVERITY_RANK, Finding


def time_cost(finding: Finding) -> float | None:
    value = finding.evidence.get("total_ms")
    return float(value) if isinstance(value, int | float) else None


def fix_first(findings: Iterable[Finding], limit: int | None = 10) -> list[Finding]:
    """Most expensive first; ties and unmeasured ones by severity (critical first), then id."""

    def key(finding: Finding) -> tuple[int, float, int, str]:
        cost = time_cost(finding)
        return (
            0 if cost is not None else 1,
            -(cost or 0.0),
            -SEVERITY_RANK[finding.severity],
            finding.id,
        )

    ranked = sorted(findings, key=key)
    return ranked if limit is None else ranked[:limit]
