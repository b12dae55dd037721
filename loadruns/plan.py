"""What to run: the configuration and the caller's options turned into one checked ``LoadPlan``.

Everything that can be wrong with the input is found here, before anything is recorded or sent:
thresholds that do not parse, a host outside ``allowed_hosts``, a missing locustfile or one with
a syntax error, a placeholder without values. Command-line values override the configuration;
as in k6, ``--users`` or ``--run-time`` on the command line replace configured stages.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadruns import scenario as scenario_mod
from loadruns import stages as stage_math
from perfsight.config import Settings
from perfsight.config.load import LoadEndpoint
from perfsight.config.redact import redact_url
from perfsight.durations import duration_option, parse_duration
from perfsight.errors import ConfigError, InputError
from perfsight.safety import check_allowed
from perfsight.thresholds import Threshold, parse_cli

# Environment variables CI systems put the commit in, checked before asking git.
_COMMIT_VARIABLES = ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "BUILD_SOURCEVERSION")
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """What a caller sets on top of the configuration (the CLI's flags, a dashboard form)."""

    locustfile: str | None = None
    host: str | None = None
    users: int | None = None
    spawn_rate: float | None = None
    run_time: str | None = None
    workers: int | None = None
    remote_workers: int | None = None  # workers of other machines the master waits for
    master_bind_host: str | None = None
    master_port: int | None = None
    thresholds: tuple[str, ...] = ()  # METRIC[{scope}]=EXPR, added to the profile
    profile: str | None = None  # seed | none; replaces [thresholds]
    tags: Mapping[str, str] = field(default_factory=dict)
    label: str | None = None
    strict: bool = False  # a threshold not measured fails the check
    run_id: str | None = None  # chosen by a caller that follows the run in the store
    baseline: str | None = None  # last-pass | a run id: regression rules against that run

    def to_argv(self) -> list[str]:
        """The same options as ``perfsight loadcheck`` flags (for a detached start)."""
        argv: list[str] = []
        pairs: list[tuple[str, Any]] = [
            ("--locustfile", self.locustfile),
            ("--host", self.host),
            ("--users", self.users),
            ("--spawn-rate", self.spawn_rate),
            ("--run-time", self.run_time),
            ("--workers", self.workers),
            ("--remote-workers", self.remote_workers),
            ("--master-bind-host", self.master_bind_host),
            ("--master-port", self.master_port),
            ("--profile", self.profile),
            ("--label", self.label),
            ("--run-id", self.run_id),
            ("--baseline", self.baseline),
        ]
        for flag, value in pairs:
            if value is not None:
                argv += [flag, str(value)]
        for threshold in self.thresholds:
            argv += ["--threshold", threshold]
        for key, value in self.tags.items():
            argv += ["--tag", f"{key}={value}"]
        if self.strict:
            argv.append("--strict")
        return argv


@dataclass(frozen=True, slots=True)
class LoadPlan:
    host: str
    thresholds: tuple[Threshold, ...]
    allowed_hosts: tuple[str, ...]
    locustfile: Path | None = None
    scenario: tuple[LoadEndpoint, ...] = ()
    users: int = 10
    spawn_rate: float = 10.0
    run_time: float | None = 30.0  # None with stages
    stages: tuple[tuple[float, int], ...] = ()
    think_time: float = 0.0
    workers: int = 0
    remote_workers: int = 0
    master_bind_host: str = "127.0.0.1"
    master_port: int = 5557
    remote_wait: float = 120.0
    headers: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    label: str | None = None
    strict: bool = False
    run_id: str | None = None
    connect_timeout: float = 10.0
    baseline: str | None = None  # last-pass | a run id (resolved against the store)
    baseline_p95_tolerance: float = 0.10
    baseline_rps_tolerance: float = 0.10

    @property
    def planned_duration(self) -> float:
        if self.stages:
            return stage_math.total_duration(self.stages)
        return float(self.run_time or 0.0)

    @property
    def peak_users(self) -> int:
        return stage_math.peak_users(self.stages) if self.stages else self.users

    @property
    def endpoints(self) -> list[str]:
        return [scenario_mod.endpoint_of(endpoint) for endpoint in self.scenario]

    def describe(self) -> dict[str, Any]:
        """The plan as stored with the run and written to the JSON (no header values)."""
        return {
            "target": redact_url(self.host),
            "locustfile": str(self.locustfile) if self.locustfile else None,
            "scenario": self.endpoints,
            "users": None if self.stages else self.users,
            "spawn_rate": None if self.stages else self.spawn_rate,
            "run_time_s": self.run_time,
            "stages": [{"duration_s": d, "target": t} for d, t in self.stages],
            "think_time_s": self.think_time,
            "workers": self.workers,
            "remote_workers": self.remote_workers,
            "planned_duration_s": self.planned_duration,
            "thresholds": [t.name for t in self.thresholds],
            "strict": self.strict,
            "baseline": self.baseline,
        }


def make_plan(settings: Settings, options: LoadOptions) -> LoadPlan:
    """Check the input and resolve it into a plan. Raises a ``PerfsightError`` (exit 2)."""
    load = settings.load
    if options.run_id is not None and not RUN_ID_PATTERN.match(options.run_id):
        raise ConfigError(
            f"{options.run_id!r}: 1 to 32 letters, digits, '-' or '_'", source="--run-id"
        )
    thresholds = list(settings.threshold_list(options.profile))
    thresholds += [parse_cli(text) for text in options.thresholds]
    host = _host(options.host or settings.target.base_url)
    check_allowed(host, settings.target.allowed_hosts)
    locustfile, scenario = _workload(settings, options)
    stages: tuple[tuple[float, int], ...] = ()
    if load.stages and options.users is None and options.run_time is None:
        stages = tuple((parse_duration(s.duration), s.target) for s in load.stages)
        if locustfile is not None and _defines_shape(locustfile):
            raise ConfigError(
                f"{locustfile} defines its own LoadTestShape and [load] stages are set: "
                "remove one of them",
                source="load.stages",
            )
    run_time = _duration(options.run_time, "--run-time") if options.run_time else None
    if run_time is None and not stages:
        run_time = parse_duration(load.run_time)
    if run_time is not None and run_time <= 0:
        raise ConfigError("the run time must be above 0", source="--run-time")
    return LoadPlan(
        host=host,
        thresholds=tuple(thresholds),
        allowed_hosts=tuple(settings.target.allowed_hosts),
        locustfile=locustfile,
        scenario=scenario,
        users=_positive(options.users, load.users, "--users"),
        spawn_rate=float(_positive(options.spawn_rate, load.spawn_rate, "--spawn-rate")),
        run_time=None if stages else run_time,
        stages=stages,
        think_time=parse_duration(load.think_time),
        workers=load.workers if options.workers is None else _workers(options.workers),
        remote_workers=(
            load.remote_workers
            if options.remote_workers is None
            else _workers(options.remote_workers, "--remote-workers")
        ),
        master_bind_host=options.master_bind_host or load.master_bind_host,
        master_port=_port(options.master_port or load.master_port),
        remote_wait=parse_duration(load.remote_wait),
        headers=dict(settings.target.headers),
        tags={**_automatic_tags(), **load.tags, **options.tags},
        label=options.label,
        strict=options.strict,
        run_id=options.run_id,
        connect_timeout=parse_duration(settings.target.timeout),
        baseline=_baseline_spec(
            options.baseline or load.baseline,
            "--baseline" if options.baseline else "load.baseline",
        ),
        baseline_p95_tolerance=load.baseline_p95_tolerance,
        baseline_rps_tolerance=load.baseline_rps_tolerance,
    )


def _baseline_spec(spec: str | None, source: str) -> str | None:
    if spec is None or spec == "last-pass" or RUN_ID_PATTERN.match(spec):
        return spec
    raise ConfigError(f"{spec!r}: write last-pass or the id of a run", source=source)


def _host(url: str | None) -> str:
    if not url:
        raise ConfigError(
            "no target: give -H/--host http://host:port or set [target] base_url",
            source="target.base_url",
        )
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url!r} is not an http:// or https:// URL", source="--host")
    return url.rstrip("/")


def _workload(
    settings: Settings, options: LoadOptions
) -> tuple[Path | None, tuple[LoadEndpoint, ...]]:
    load = settings.load
    if options.locustfile is None and load.locustfile and load.scenario:
        raise ConfigError(
            "[load] has both locustfile and scenario entries: keep one",
            source="load.locustfile",
        )
    path_text = options.locustfile or load.locustfile
    if path_text:
        return _check_locustfile(Path(path_text)), ()
    if not load.scenario:
        raise ConfigError(
            "nothing to run: add [[load.scenario]] entries (method, path, weight) or give "
            "-f/--locustfile",
            source="load.scenario",
        )
    scenario_mod.check_scenario(load.scenario)
    return None, tuple(load.scenario)


def _check_locustfile(path: Path) -> Path:
    if not path.is_file():
        raise InputError("no such locustfile", source=str(path))
    try:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        raise InputError(f"line {exc.lineno}: {exc.msg}", source=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from exc
    return path.resolve()


def _defines_shape(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name == "LoadTestShape":
                    return True
    return False


def _duration(text: str, source: str) -> float:
    return duration_option(text, source)


def _positive(option: float | None, configured: float, source: str) -> Any:
    if option is None:
        return configured
    if option <= 0:
        raise ConfigError(f"must be above 0, not {option}", source=source)
    return option


def _workers(count: int, source: str = "--workers") -> int:
    if count < 0:
        raise ConfigError(f"must be 0 or more, not {count}", source=source)
    return count


def _port(port: int) -> int:
    if not 0 < port < 65536:
        raise ConfigError(f"{port} is not a TCP port", source="--master-port")
    return port


def _automatic_tags() -> dict[str, str]:
    """``git_commit`` from the CI's variables, else from git in the working directory."""
    for name in _COMMIT_VARIABLES:
        value = os.environ.get(name)
        if value:
            return {"git_commit": value[:12]}
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    commit = done.stdout.strip()
    return {"git_commit": commit} if done.returncode == 0 and commit else {}
