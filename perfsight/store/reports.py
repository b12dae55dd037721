"""Stored analysis reports, found again by their tags for the diff with the previous one."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from perfsight.store import Store
from perfsight.store.tables import reports


@dataclass(frozen=True, slots=True)
class ReportRecord:
    id: str
    created_at: float
    window_start: float
    window_end: float
    tags: Mapping[str, str]
    status: str
    summary: Mapping[str, Any]
    paths: Mapping[str, str]


def add_report(
    store: Store,
    *,
    window_start: float,
    window_end: float,
    status: str,
    summary: Mapping[str, Any],
    tags: Mapping[str, str] | None = None,
    paths: Mapping[str, str] | None = None,
    now: float | None = None,
    report_id: str | None = None,
) -> str:
    report_id = report_id or uuid.uuid4().hex
    with store.write() as conn:
        conn.execute(
            reports.insert().values(
                id=report_id,
                created_at=time.time() if now is None else now,
                window_start=window_start,
                window_end=window_end,
                tags=dict(tags or {}),
                status=status,
                summary=dict(summary),
                paths=dict(paths or {}),
            )
        )
    return report_id


def _record(row: Any) -> ReportRecord:
    return ReportRecord(
        id=row.id,
        created_at=row.created_at,
        window_start=row.window_start,
        window_end=row.window_end,
        tags=row.tags or {},
        status=row.status,
        summary=row.summary or {},
        paths=row.paths or {},
    )


def get_report(store: Store, report_id: str) -> ReportRecord | None:
    with store.read() as conn:
        row = conn.execute(select(reports).where(reports.c.id == report_id)).first()
    return _record(row) if row else None


def list_reports(store: Store, *, limit: int = 100) -> list[ReportRecord]:
    with store.read() as conn:
        rows = conn.execute(
            select(reports).order_by(reports.c.created_at.desc()).limit(limit)
        ).all()
    return [_record(row) for row in rows]


def previous_report(
    store: Store, tags: Mapping[str, str], *, before: float | None = None
) -> ReportRecord | None:
    """The newest report with exactly these tags (created before ``before``, if given)."""
    query = select(reports).order_by(reports.c.created_at.desc())
    if before is not None:
        query = query.where(reports.c.created_at < before)
    with store.read() as conn:
        for row in conn.execute(query):
            if dict(row.tags or {}) == dict(tags):
                return _record(row)
    return None
