"""Starting a load run from the dashboard: the form's values become ``loadruns`` options,
checked (thresholds, ``allowed_hosts``, the workload) before anything is claimed or started;
the start is claimed in the store under the form's one-time token, then ``perfsight
loadcheck`` runs detached and records the run itself. Viewers follow the store, not this
process, so a refresh or a second browser sees the same run."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from loadruns import LoadOptions, make_plan, start_detached
from perfsight.cli.context import parse_tags
from perfsight.config import Settings
from perfsight.config.redact import redact_url, scrub
from perfsight.errors import PerfsightError
from perfsight.store import Store, launches, runs
from perfsight.store.launches import Launch
from perfsight.store.runs import RunRecord

LOG_TAIL = 3000  # characters of a failed start's log shown to the viewer


@dataclass(frozen=True, slots=True)
class LaunchForm:
    host: str
    locustfile: str = ""  # empty: the [[load.scenario]] of the config
    use_stages: bool = False  # the configured [load] stages instead of users/run time
    users: int = 10
    spawn_rate: float = 10.0
    run_time: str = "30s"
    profile: str = "configured"  # configured | seed | none
    thresholds: str = ""  # one METRIC=EXPR per line
    tags: str = ""  # one KEY=VALUE per line (or comma-separated)
    label: str = ""


def default_host(settings: Settings) -> str:
    """What the form's target field starts with: ``[target] base_url`` as it may be shown
    (credentials in it masked)."""
    return redact_url(settings.target.base_url) if settings.target.base_url else ""


def resolve_host(shown: str, settings: Settings) -> str:
    """The form's target as the run needs it: the masked default stands for the real URL."""
    base = settings.target.base_url
    if base and shown.strip() == redact_url(base):
        return base
    return shown.strip()


def workload_text(settings: Settings) -> tuple[str, list[str]]:
    """The configured scenario (one line) and stages (one label each), as the form shows them."""
    scenario = ", ".join(
        f"{e.method} {e.route or e.path} ×{e.weight}" for e in settings.load.scenario
    )
    stages = [f"{s.duration} → {s.target} users" for s in settings.load.stages]
    return scenario, stages


def _lines(text: str) -> list[str]:
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


def to_options(form: LaunchForm, run_id: str) -> LoadOptions:
    """The form as ``loadruns`` options. Raises ``ConfigError`` for malformed tags."""
    constant = not form.use_stages
    return LoadOptions(
        locustfile=form.locustfile.strip() or None,
        host=form.host.strip() or None,
        users=form.users if constant else None,
        spawn_rate=form.spawn_rate if constant else None,
        run_time=form.run_time.strip() if constant else None,
        thresholds=tuple(line.strip() for line in form.thresholds.splitlines() if line.strip()),
        profile=None if form.profile == "configured" else form.profile,
        tags=parse_tags(_lines(form.tags), option="tags"),
        label=form.label.strip() or None,
        run_id=run_id,
    )


@dataclass(frozen=True, slots=True)
class StartOutcome:
    run_id: str | None
    started: bool
    message: str
    launch: Launch | None = None
    process: subprocess.Popen[bytes] | None = None  # to reap, when this call started one


def start(
    store: Store,
    settings: Settings,
    form: LaunchForm,
    *,
    token: str,
    log_dir: Path,
    config: Path | None,
    requested_by: str | None = None,
) -> StartOutcome:
    """Check, claim, start. Never raises for a user's mistake: the outcome says what is wrong."""
    run_id = uuid.uuid4().hex
    form = replace(form, host=resolve_host(form.host, settings))
    try:
        options = to_options(form, run_id)
        make_plan(settings, options)  # bad thresholds, a host outside allowed_hosts, no workload
    except PerfsightError as exc:
        return StartOutcome(None, False, f"Not started: {exc}")
    runs.mark_abandoned_runs(store)
    claim = launches.claim(
        store,
        token=token,
        run_id=run_id,
        options=_describe(options),
        requested_by=requested_by,
    )
    if claim.launch is not None and not claim.new:
        return StartOutcome(claim.launch.run_id, False, "Already started (one run per click).")
    if claim.busy_run is not None:
        return StartOutcome(
            claim.busy_run, False, f"Run {claim.busy_run[:8]} is in progress: one run at a time."
        )
    log_path = log_dir / f"{run_id}.log"
    try:
        detached = start_detached(options, log_path=log_path, config=config)
    except (PerfsightError, OSError) as exc:
        launches.failed(store, token, str(exc))
        return StartOutcome(None, False, f"Could not start: {exc}")
    launches.started(store, token, pid=detached.pid, log_path=str(log_path))
    return StartOutcome(run_id, True, f"Started run {run_id[:8]}.", process=detached.process)


def _describe(options: LoadOptions) -> dict[str, object]:
    """What the form asked for, as stored with the launch (no header values: those are in the
    config, never in the form)."""
    return {
        "host": options.host,
        "locustfile": options.locustfile,
        "users": options.users,
        "spawn_rate": options.spawn_rate,
        "run_time": options.run_time,
        "profile": options.profile,
        "thresholds": list(options.thresholds),
        "tags": dict(options.tags),
        "label": options.label,
    }


@dataclass(frozen=True, slots=True)
class Followed:
    """The run a viewer follows: the one running, else the latest started from a dashboard."""

    run: RunRecord | None
    launch: Launch | None
    state: Literal["none", "starting", "running", "finished", "failed_to_start"]
    message: str = ""


def log_tail(launch: Launch, secrets: Iterable[str] = ()) -> str:
    if not launch.log_path:
        return ""
    try:
        text = Path(launch.log_path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(cannot read {launch.log_path}: {exc})"
    return scrub(text[-LOG_TAIL:], secrets)


def follow(store: Store, *, run_id: str | None = None, secrets: Iterable[str] = ()) -> Followed:
    running = runs.list_runs(store, limit=1, status="running")
    if run_id is None and running:
        run_id = running[0].id
    launch = launches.by_run(store, run_id) if run_id else launches.latest(store)
    if run_id is None and launch is not None:
        run_id = launch.run_id
    if run_id is None:
        return Followed(None, None, "none")
    record = runs.get_run(store, run_id)
    if record is not None:
        state: Literal["running", "finished"] = (
            "running" if record.status == "running" else "finished"
        )
        return Followed(record, launch, state)
    if launch is None:
        return Followed(None, None, "none")
    if launch.error:
        return Followed(None, launch, "failed_to_start", scrub(launch.error, secrets))
    if launch.exit_code is None and (launch.pid is None or runs.pid_alive(launch.pid)):
        return Followed(None, launch, "starting")
    tail = log_tail(launch, secrets)
    message = f"The load check ended before it recorded its run:\n{tail}"
    return Followed(None, launch, "failed_to_start", message)


def new_token() -> str:
    return uuid.uuid4().hex
