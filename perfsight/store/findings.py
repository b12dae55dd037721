"""Findings in the store, keyed by their stable id: first/last seen, acknowledgement."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from perfsight.models import Finding, epoch, from_epoch
from perfsight.store import Store
from perfsight.store.tables import findings


@dataclass(frozen=True, slots=True)
class StoredFinding:
    finding: Finding
    origin: str | None
    updated_at: float
    acknowledged_at: float | None
    acknowledged_by: str | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else epoch(value)


def _dt(value: float | None) -> datetime | None:
    return None if value is None else from_epoch(value)


def upsert_findings(
    store: Store, items: Iterable[Finding], *, origin: str, now: float | None = None
) -> int:
    """Insert new findings; for known ids keep the earliest first_seen and the latest last_seen
    and refresh what they say. An acknowledgement survives (it is by id)."""
    with store.write() as conn:
        return write_findings(conn, items, origin=origin, now=now)


def write_findings(
    conn: Connection, items: Iterable[Finding], *, origin: str, now: float | None = None
) -> int:
    """``upsert_findings`` inside a caller's transaction."""
    stamp = time.time() if now is None else now
    batch = {f.id: f for f in items}
    if not batch:
        return 0
    existing = {
        row.id: row
        for row in conn.execute(
            select(findings.c.id, findings.c.first_seen, findings.c.last_seen).where(
                findings.c.id.in_(list(batch))
            )
        )
    }
    for ident, finding in batch.items():
        values: dict[str, Any] = {
            "kind": finding.kind,
            "severity": finding.severity,
            "confidence": finding.confidence,
            "namespace": finding.namespace,
            "endpoint": finding.endpoint,
            "fingerprint": finding.fingerprint,
            "summary": finding.summary,
            "suggestion": finding.suggestion,
            "evidence": dict(finding.evidence),
            "index_key": [list(p) for p in finding.index] if finding.index else None,
            "first_seen": _epoch(finding.first_seen),
            "last_seen": _epoch(finding.last_seen),
            "updated_at": stamp,
            "origin": origin,
            "resolved": False,
        }
        old = existing.get(ident)
        if old is None:
            conn.execute(findings.insert().values(id=ident, **values))
            continue
        values["first_seen"] = _min(old.first_seen, values["first_seen"])
        values["last_seen"] = _max(old.last_seen, values["last_seen"])
        conn.execute(update(findings).where(findings.c.id == ident).values(**values))
    return len(batch)


def _min(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def acknowledge(store: Store, finding_id: str, *, by: str | None = None) -> bool:
    with store.write() as conn:
        result = conn.execute(
            update(findings)
            .where(findings.c.id == finding_id)
            .values(acknowledged_at=time.time(), acknowledged_by=by)
        )
    return bool(result.rowcount)


def unacknowledge(store: Store, finding_id: str) -> bool:
    with store.write() as conn:
        result = conn.execute(
            update(findings)
            .where(findings.c.id == finding_id)
            .values(acknowledged_at=None, acknowledged_by=None)
        )
    return bool(result.rowcount)


def list_findings(
    store: Store,
    *,
    kinds: Iterable[str] | None = None,
    include_acknowledged: bool = False,
    since: float | None = None,
    origin_prefix: str | None = None,
) -> list[StoredFinding]:
    query = select(findings).order_by(findings.c.last_seen.desc())
    if kinds is not None:
        query = query.where(findings.c.kind.in_(list(kinds)))
    if not include_acknowledged:
        query = query.where(findings.c.acknowledged_at.is_(None))
    if since is not None:
        query = query.where(findings.c.last_seen >= since)
    if origin_prefix is not None:
        query = query.where(findings.c.origin.startswith(origin_prefix))
    with store.read() as conn:
        rows = conn.execute(query).all()
    return [
        StoredFinding(
            finding=Finding(
                kind=row.kind,
                severity=row.severity,
                confidence=row.confidence,
                namespace=row.namespace,
                endpoint=row.endpoint,
                fingerprint=row.fingerprint,
                summary=row.summary,
                suggestion=row.suggestion,
                evidence=row.evidence or {},
                first_seen=_dt(row.first_seen),
                last_seen=_dt(row.last_seen),
                index=tuple((str(f), d) for f, d in row.index_key) if row.index_key else None,
            ),
            origin=row.origin,
            updated_at=row.updated_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
        )
        for row in rows
    ]
