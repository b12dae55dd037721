"""The missing-index advisor: query shapes that scan, sort in memory or read far more documents
than they return, and the index (ESR order, ``analyzers.index_advice``) that would serve them.

A shape is flagged when, over its executions:

- it ran a collection scan (``COLLSCAN``) with a non-empty filter or sort;
- it examined at least ``index_scan_ratio`` (100, mtools ``mlogfilter --scan``) documents per
  document returned, and at least ``index_min_wasted_docs`` (500, Atlas Performance Advisor)
  more than it returned per execution;
- or it sorted in memory (``hasSortStage``) or spilled to disk (``usedDisk``) for a sort.

An empty filter without a sort cannot use an index: that is an unbounded read (the pagination
analyzer's business), never an index suggestion. Admin and diagnostic commands, inserts and
truncated commands are not analysed. Severity: ``critical`` when a flagged shape examines at
least ``index_critical_examined`` (10,000, mtools) documents per execution at the scan ratio or
spills a sort to disk; ``warning`` when its waste per execution reaches
``index_min_wasted_docs``; ``info`` (low confidence) otherwise — a scan of a small collection
that will matter when it grows.

Suggestions already served by an existing index (``--indexes``, the live server's indexes, the
``_id`` index, or an index the plan summaries show in use) are dropped; so is a suggestion
served by a longer suggestion on the same collection (its shapes count for the longer one).
Findings are ranked by wasted work (documents examined − returned, summed), then total time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analyzers.base import AnalysisContext, merge_keyed
from analyzers.events import fields_of
from analyzers.examples import example_of
from analyzers.fingerprint import base_fingerprint
from analyzers.index_advice import (
    ID_INDEX,
    IndexNeed,
    classify,
    create_index_command,
    esr_need,
    plan_indexes,
    served_by_any,
)
from perfsight.models import SEVERITY_RANK, Finding, IndexKey, QueryEvent, Severity


@dataclass(slots=True)
class ShapeWork:
    """What one query shape cost, summed over its executions."""

    namespace: str
    fingerprint: str
    filter_shape: Any
    sort: tuple[tuple[str, int], ...] | None
    count: int = 0
    millis: float = 0.0
    max_millis: float = 0.0
    docs_examined: int = 0
    keys_examined: int = 0
    returned: int = 0
    collscans: int = 0
    sort_stages: int = 0
    disk_uses: int = 0
    plans: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    example: dict[str, Any] | None = None

    @property
    def wasted(self) -> int:
        return max(self.docs_examined - self.returned, 0)

    @property
    def ratio(self) -> float:
        return self.docs_examined / max(self.returned, 1)

    def merge(self, other: ShapeWork, *, later: bool = False) -> None:
        """Add ``other``'s work; ``later``: it was read after this one (the example stays)."""
        for name in ("count", "millis", "docs_examined", "keys_examined", "returned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("collscans", "sort_stages", "disk_uses"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.max_millis = max(self.max_millis, other.max_millis)
        for plan, count in other.plans.items():
            self.plans[plan] = self.plans.get(plan, 0) + count
        if other.first_seen and (not self.first_seen or other.first_seen < self.first_seen):
            self.first_seen = other.first_seen
            if not later:
                self.example = other.example or self.example  # the earliest execution's
        if other.last_seen and (not self.last_seen or other.last_seen > self.last_seen):
            self.last_seen = other.last_seen


@dataclass(frozen=True, slots=True)
class _Candidate:
    work: ShapeWork
    need: IndexNeed
    label: str  # the shape's fingerprint, with the $or branch when there are several
    severity: Severity
    confident: bool
    reasons: tuple[str, ...]


class MissingIndexAdvisor:
    """Analyzer (``analyzers.base.Analyzer``): events in, ``missing_index`` findings out."""

    name = "missing_index"

    def __init__(self, context: AnalysisContext | None = None) -> None:
        self.context = context or AnalysisContext()
        settings = self.context.settings
        self.scan_ratio = settings.index_scan_ratio
        self.min_wasted = settings.index_min_wasted_docs
        self.critical_examined = settings.index_critical_examined
        self._shapes: dict[tuple[str, str], ShapeWork] = {}

    def feed(self, event: QueryEvent) -> None:
        f = fields_of(event)  # (the compiled record of the event's fields: analyzers.events)
        op = f.op
        if f.is_admin or f.truncated or op == "insert":
            return
        filter_shape, sort = f.filter_shape, f.sort
        if not filter_shape and not sort:
            return
        namespace, fingerprint, ts = f.namespace, f.fingerprint, f.ts
        if op == "getmore":
            fingerprint = base_fingerprint(fingerprint)  # its work belongs to the query
        key = (namespace, fingerprint)
        work = self._shapes.get(key)
        if work is None:
            work = self._shapes[key] = ShapeWork(namespace, fingerprint, filter_shape, sort)
            work.first_seen = work.last_seen = ts
            work.example = example_of(event)
        work.count += 1
        millis = f.millis
        work.millis += millis
        if millis > work.max_millis:
            work.max_millis = millis
        docs, keys = f.docs_examined, f.keys_examined
        if docs:
            work.docs_examined += docs
        if keys:
            work.keys_examined += keys
        returned = f.returned
        if returned:
            work.returned += returned
        plan = f.plan_summary
        if plan is not None:
            work.plans[plan] = work.plans.get(plan, 0) + 1
            if "COLLSCAN" in plan:
                work.collscans += 1
        if f.has_sort_stage:
            work.sort_stages += 1
        if f.used_disk:
            work.disk_uses += 1
        if ts > work.last_seen:  # type: ignore[operator]
            work.last_seen = ts
        elif ts < work.first_seen:  # type: ignore[operator]
            work.first_seen = ts

    def merge(self, other: MissingIndexAdvisor, *, later: bool = False) -> None:
        """Add what another advisor saw (the same analysis split over processes); ``later``:
        ``other`` read the part of the input after this one's."""
        merge_keyed(
            self._shapes, other._shapes, lambda ours, theirs: ours.merge(theirs, later=later)
        )

    def examples(self) -> list[dict[str, Any] | None]:
        """Each shape's example (to rewrite where they were read)."""
        return [work.example for work in self._shapes.values()]

    def findings(self) -> list[Finding]:
        candidates = [c for work in self._shapes.values() for c in self._candidates(work)]
        by_namespace: dict[str, list[_Candidate]] = {}
        for candidate in candidates:
            by_namespace.setdefault(candidate.work.namespace, []).append(candidate)
        found: list[Finding] = []
        for namespace, group in sorted(by_namespace.items()):
            existing = self._existing_indexes(namespace)
            kept = [c for c in group if served_by_any(existing, c.need) is None]
            found.extend(self._finding(g) for g in _fold_prefixes(kept))
        found.sort(key=lambda f: (-f.evidence["wasted_docs"], -f.evidence["total_ms"], f.id))
        return found

    # -- flagging ---------------------------------------------------------------------------

    def _candidates(self, work: ShapeWork) -> list[_Candidate]:
        reasons = self._reasons(work)
        if not reasons:
            return []
        per_execution_wasted = work.wasted / work.count
        per_execution_examined = work.docs_examined / work.count
        if (work.disk_uses and work.sort) or (
            per_execution_examined >= self.critical_examined and work.ratio >= self.scan_ratio
        ):
            severity: Severity = "critical"
        elif per_execution_wasted >= self.min_wasted:
            severity = "warning"
        else:
            severity = "info"
        confident = severity != "info"
        needs = [esr_need(p, work.sort) for p in classify(work.filter_shape)]
        labelled = [n for n in needs if n is not None]
        out = []
        for index, need in enumerate(labelled):
            label = work.fingerprint if len(labelled) == 1 else f"{work.fingerprint} $or[{index}]"
            out.append(_Candidate(work, need, label, severity, confident, reasons))
        return out

    def _reasons(self, work: ShapeWork) -> tuple[str, ...]:
        reasons = []
        if work.collscans:
            reasons.append("collection scan")
        if work.ratio >= self.scan_ratio and work.wasted / work.count >= self.min_wasted:
            reasons.append(f"examined {work.ratio:,.0f} documents per document returned")
        if (work.sort_stages or work.disk_uses) and work.sort:
            reasons.append("sort spilled to disk" if work.disk_uses else "in-memory sort")
        return tuple(reasons)

    def _existing_indexes(self, namespace: str) -> list[IndexKey]:
        existing: list[IndexKey] = [ID_INDEX, *self.context.indexes.get(namespace, ())]
        for (ns, _fp), work in self._shapes.items():
            if ns == namespace:
                for plan in work.plans:
                    existing.extend(plan_indexes(plan))
        return existing

    # -- reporting --------------------------------------------------------------------------

    def _finding(self, group: list[_Candidate]) -> Finding:
        head = group[0]
        namespace = head.work.namespace
        database, _, collection = namespace.partition(".")
        works = list({id(c.work): c.work for c in group}.values())
        total = ShapeWork(namespace, head.label, None, None)
        for work in works:
            total.merge(work)
        severity = max((c.severity for c in group), key=SEVERITY_RANK.__getitem__)
        reasons = list(dict.fromkeys(r for c in group for r in c.reasons))
        command = create_index_command(collection, head.need.key)
        index_text = ", ".join(f"{f}: {d}" for f, d in head.need.key)
        summary = (
            f"{total.count:,} runs of {len(works)} query shape{'s' if len(works) > 1 else ''} on "
            f"{namespace} examined {total.docs_examined:,} documents to return "
            f"{total.returned:,} ({', '.join(reasons)}); an index {{{index_text}}} would serve "
            f"{'them' if len(works) > 1 else 'it'}"
        )
        return Finding(
            kind="missing_index",
            severity=severity,
            confidence="high" if any(c.confident for c in group) else "low",
            namespace=namespace,
            fingerprint=head.label,
            summary=summary,
            suggestion=command,
            index=head.need.key,
            first_seen=total.first_seen,
            last_seen=total.last_seen,
            evidence=self._evidence(group, total, works, database, collection, command, reasons),
        )

    def _evidence(
        self,
        group: list[_Candidate],
        total: ShapeWork,
        works: list[ShapeWork],
        database: str,
        collection: str,
        command: str,
        reasons: list[str],
    ) -> dict[str, Any]:
        need = group[0].need
        return {
            "create_index": command,
            "database": database,
            "collection": collection,
            "reasons": reasons,
            "executions": total.count,
            "total_ms": round(total.millis, 3),
            "avg_ms": round(total.millis / total.count, 3) if total.count else 0.0,
            "max_ms": total.max_millis,
            "docs_examined": total.docs_examined,
            "keys_examined": total.keys_examined,
            "returned": total.returned,
            "wasted_docs": total.wasted,
            "scan_ratio": round(total.ratio, 2),
            "collection_scans": total.collscans,
            "in_memory_sorts": total.sort_stages,
            "disk_sorts": total.disk_uses,
            "plans": dict(sorted(total.plans.items(), key=lambda kv: -kv[1])),
            "esr": {
                "equality": [f for (f, _), r in zip(need.key, need.roles, strict=True) if r == "E"],
                "sort": [list(p) for p in need.sort],
                "range": [f for (f, _), r in zip(need.key, need.roles, strict=True) if r == "R"],
            },
            "ignored_fields": sorted({f for c in group for f in c.need.ignored}),
            "truncated_from": need.truncated_from,
            "shapes": sorted({c.label for c in group}),
            "example": max(works, key=lambda w: w.wasted).example,
            "thresholds": {
                "scan_ratio": self.scan_ratio,
                "min_wasted_docs": self.min_wasted,
                "critical_examined": self.critical_examined,
            },
        }


def _fold_prefixes(candidates: Iterable[_Candidate]) -> list[list[_Candidate]]:
    """Group one collection's candidates so that a need another need's index serves (its
    prefix, equality fields in any order) goes with the longer one. The head of each group is
    the candidate whose own index is the group's; ties go to the smallest label, so the result
    does not depend on the order events came in."""
    ordered = sorted(candidates, key=lambda c: (-len(c.need.key), c.label))
    groups: list[list[_Candidate]] = []
    for candidate in ordered:
        for group in groups:
            if served_by_any([group[0].need.key], candidate.need) is not None:
                group.append(candidate)
                break
        else:
            groups.append([candidate])
    return groups
