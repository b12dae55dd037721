"""The findings the page lists: filtered by kind, severity, namespace and endpoint, the
acknowledged ones hidden unless asked for, each with the command that fixes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from analyzers.index_advice import create_index_command
from analyzers.ranking import fix_first, time_cost
from perfsight.models import Finding
from perfsight.store.findings import StoredFinding

# The page's groups, in the order a lead reads them.
GROUPS: dict[str, tuple[str, ...]] = {
    "Indexes": ("missing_index", "unused_index"),
    "N+1 and redundant queries": ("n_plus_one", "redundant_query"),
    "Pagination": ("unpaginated_query", "unpaginated_endpoint"),
    "Compression and caching": ("uncompressed_response", "missing_cache_control", "low_cache_hit"),
    "Time": ("slow_endpoint", "time_outside_db"),
}
SEVERITY_ORDER = ("critical", "warning", "info")


@dataclass(frozen=True, slots=True)
class FindingFilter:
    kinds: frozenset[str] = field(default_factory=frozenset)  # empty: every kind
    severities: frozenset[str] = field(default_factory=frozenset)
    namespaces: frozenset[str] = field(default_factory=frozenset)
    endpoints: frozenset[str] = field(default_factory=frozenset)

    def keep(self, finding: Finding) -> bool:
        return (
            (not self.kinds or finding.kind in self.kinds)
            and (not self.severities or finding.severity in self.severities)
            and (not self.namespaces or finding.namespace in self.namespaces)
            and (not self.endpoints or finding.endpoint in self.endpoints)
        )


def choices(stored: Iterable[StoredFinding]) -> dict[str, list[str]]:
    """The values each filter can take, from the findings there are."""
    items = [s.finding for s in stored]
    return {
        "kinds": sorted({f.kind for f in items}),
        "severities": [s for s in SEVERITY_ORDER if any(f.severity == s for f in items)],
        "namespaces": sorted({f.namespace for f in items if f.namespace}),
        "endpoints": sorted({f.endpoint for f in items if f.endpoint}),
    }


def apply(stored: Iterable[StoredFinding], flt: FindingFilter) -> list[StoredFinding]:
    """Kept findings, the most expensive first (the fix-first order)."""
    kept = {s.finding.id: s for s in stored if flt.keep(s.finding)}
    return [kept[f.id] for f in fix_first([s.finding for s in kept.values()], limit=None)]


def fix_command(finding: Finding) -> str:
    """What to run or change: the exact ``createIndex`` for a missing index, else the
    analyzer's suggestion."""
    if finding.kind == "missing_index" and finding.index and finding.namespace:
        collection = finding.namespace.partition(".")[2] or finding.namespace
        command = create_index_command(collection, finding.index)
        return command if command in finding.suggestion else f"{command}\n// {finding.suggestion}"
    return finding.suggestion


def repeats(finding: Finding) -> float | None:
    """How many times per request the pattern repeats (N+1 and redundant queries)."""
    for key in ("median_queries", "median_copies"):
        value = finding.evidence.get(key)
        if isinstance(value, int | float):
            return float(value)
    return None


def rows(items: Sequence[StoredFinding]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.finding.id,
            "severity": s.finding.severity,
            "kind": s.finding.kind,
            "endpoint": s.finding.endpoint,
            "namespace": s.finding.namespace,
            "repeats": repeats(s.finding),
            "time (ms)": time_cost(s.finding),
            "summary": s.finding.summary,
            "confidence": s.finding.confidence,
            "acknowledged": s.acknowledged,
        }
        for s in items
    ]


def grouped(items: Sequence[StoredFinding]) -> list[tuple[str, list[StoredFinding]]]:
    """Findings under their group's title, groups with none left out."""
    out = []
    for title, kinds in GROUPS.items():
        members = [s for s in items if s.finding.kind in kinds]
        if members:
            out.append((title, members))
    return out


def label(stored: StoredFinding) -> str:
    f = stored.finding
    text = f.summary if len(f.summary) <= 90 else f.summary[:89] + "…"
    return f"{f.id} · {f.severity} · {text}"


def fix_first_rows(items: Iterable[Finding], limit: int = 10) -> list[dict[str, Any]]:
    """The "fix first" list: findings by the time they cost, with the fix."""
    ranked = fix_first(items, limit=limit)
    return [
        {
            "#": rank,
            "time (ms)": time_cost(f),
            "severity": f.severity,
            "where": f.endpoint or f.namespace or "—",
            "finding": f.summary,
            "fix": fix_command(f).splitlines()[0],
            "id": f.id,
        }
        for rank, f in enumerate(ranked, start=1)
    ]
