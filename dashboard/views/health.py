"""Source health: when each collected source last answered, what went wrong, and whether the
scheduler is alive (its heartbeat)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dashboard.views.timefmt import ago, when
from perfsight.config import Settings
from perfsight.config.redact import redact_url, scrub, secret_values
from perfsight.scheduler.service import LOCK_NAME
from perfsight.store import Store, heartbeat, jobruns
from perfsight.store.source_health import SourceHealth, source_health


@dataclass(frozen=True, slots=True)
class HealthRow:
    source: str
    status: str  # ok | down | never sampled | not running
    target: str
    last_success: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_row(self) -> dict[str, str]:
        return {
            "source": self.source,
            "status": self.status,
            "target": self.target,
            "last success": self.last_success,
            "detail": self.detail,
        }


def configured_sources(settings: Settings) -> dict[str, str]:
    """Source name → redacted target, as ``perfsight collect`` names them."""
    names = {f"redis:{name}": redact_url(url) for name, url in settings.redis.urls().items()}
    if settings.prometheus.url:
        names["prometheus"] = redact_url(settings.prometheus.url)
    for path in settings.mongo.profile_files:
        names[f"profile:{Path(path).name}"] = path
    return names


def _row(h: SourceHealth, now: float, secrets: frozenset[str]) -> HealthRow:
    if h.ok:
        status, detail = "ok", f"last sampled {ago(h.last_attempt_at, now)}"
    else:
        status = "down"
        detail = f"{h.failures} failed attempt(s) in a row: {scrub(h.last_error or '', secrets)}"
        if h.next_attempt_at:
            detail += f"; next try {ago(h.next_attempt_at, now)}"
    return HealthRow(h.name, status, h.target or "—", when(h.last_success_at, now), detail)


def source_rows(
    store: Store,
    settings: Settings,
    now: float | None = None,
    *,
    secrets: frozenset[str] | None = None,
) -> list[HealthRow]:
    """``secrets``: the settings' secret values, when the caller has them already (pages: the
    dashboard's cached ``state.secrets()``)."""
    stamp = time.time() if now is None else now
    stored = source_health(store)
    if secrets is None:
        secrets = frozenset(secret_values(settings))
    rows = [_row(h, stamp, secrets) for h in stored]
    seen = {h.name for h in stored}
    for name, target in configured_sources(settings).items():
        if name not in seen:
            rows.append(HealthRow(name, "never sampled", target, "never", "run perfsight collect"))
    return rows


def scheduler_row(store: Store, settings: Settings, now: float | None = None) -> HealthRow:
    stamp = time.time() if now is None else now
    beat = heartbeat.current(store, LOCK_NAME)
    if beat is None:
        hint = (
            "start it: perfsight schedule"
            if settings.schedule.jobs
            else "no [schedule] jobs configured"
        )
        return HealthRow("scheduler", "not running", "—", "never", hint)
    jobs = ", ".join(str(j.get("name")) for j in beat.info.get("jobs", []) if isinstance(j, dict))
    detail = f"held by {beat.owner}" + (f"; jobs: {jobs}" if jobs else "")
    if beat.alive(stamp):
        return HealthRow("scheduler", "ok", "—", when(beat.heartbeat_at, stamp), detail)
    if beat.info.get("released"):
        detail = f"stopped cleanly; was {detail}"
    else:
        detail = f"heartbeat expired {ago(beat.expires_at, stamp)}; was {detail}"
    return HealthRow("scheduler", "down", "—", when(beat.heartbeat_at, stamp), detail)


def job_rows(store: Store, now: float | None = None, limit: int = 10) -> list[dict[str, str]]:
    """The latest scheduled job runs."""
    return [
        {
            "job": r.job,
            "kind": r.kind,
            "status": r.status,
            "started": when(r.started_at, now),
            "exit code": "—" if r.exit_code is None else str(r.exit_code),
        }
        for r in jobruns.recent(store, limit=limit)
    ]


def down(rows: Sequence[HealthRow]) -> list[HealthRow]:
    return [r for r in rows if r.status == "down"]
