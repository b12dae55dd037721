"""`perfsight demo`: the sample travel-CRM API in ``before`` mode with a Redis (the configured
one when it answers, else one of its own), a Prometheus scraping the API, and the dashboard —
all on 127.0.0.1. Prints every URL; Ctrl-C (or SIGTERM) stops everything it started, and
nothing else."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import redis

from perfsight.cli.context import err, out, settings_from
from perfsight.cli.dashboard import dashboard_env, streamlit_command
from perfsight.cli.signals import signals_as_interrupt
from perfsight.config import Settings
from perfsight.config.redact import redact_url
from perfsight.demo.config import DEFAULT_PROFILE_FILE, default_profile_file
from perfsight.demo.indexes import MODES
from perfsight.demo.process import DashboardProcess, SampleApi
from perfsight.demo.seed import SIZES
from perfsight.errors import ServiceError
from perfsight.services import (
    LOOPBACK,
    ManagedProcess,
    PrometheusServer,
    RedisServer,
    free_port,
    port_open,
)

SUMMARY = "Start the sample travel-CRM API with Redis, Prometheus and the dashboard."
LIST_ENDPOINTS = ["/api/bookings", "/api/leads", "/api/itineraries"]
STATIC_ASSETS = ["/static/app.js", "/static/styles.css"]


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help=SUMMARY,
        description=SUMMARY + " Ctrl-C stops everything it started. Port 0 picks a free port.",
    )
    parser.add_argument("--mode", choices=MODES, default="before", help="default: before")
    parser.add_argument("--size", choices=tuple(SIZES), default="small", help="seed data size")
    parser.add_argument("--api-port", type=int, default=8000, help="default: 8000")
    parser.add_argument("--prometheus-port", type=int, default=9090, help="default: 9090")
    parser.add_argument("--dashboard-port", type=int, help="default: [dashboard] port (8501)")
    parser.add_argument(
        "--redis-port", type=int, default=0, help="port of the Redis the demo starts (default any)"
    )
    parser.add_argument(
        "--profile-file",
        type=Path,
        help="simulated profile file (default: first [mongo] profile_files entry, else "
        f"{DEFAULT_PROFILE_FILE})",
    )
    parser.add_argument("--smtp-ms", type=int, default=300, help="simulated SMTP time (ms)")
    parser.set_defaults(handler=run)
    return parser


def _port(requested: int, option: str) -> int | None:
    """The port to use (None: let the service pick a free one); a busy one is an error."""
    if requested < 0 or requested > 65535:
        raise ServiceError(f"{option} {requested} is not a port number", source="demo")
    if requested and port_open(LOOPBACK, requested):
        raise ServiceError(
            f"port {requested} on {LOOPBACK} is in use; pick another with {option} "
            "(0 picks a free port)",
            source="demo",
        )
    return requested or None


def _profile_file(args: argparse.Namespace, settings: Settings) -> Path:
    return default_profile_file(args.profile_file, settings.mongo.profile_files).resolve()


def _answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        with contextlib.closing(client):
            return bool(client.ping())
    except (redis.RedisError, ValueError):
        return False


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    ports = {
        "api": _port(args.api_port, "--api-port"),
        "prometheus": _port(args.prometheus_port, "--prometheus-port"),
        "dashboard": _port(
            settings.dashboard.port if args.dashboard_port is None else args.dashboard_port,
            "--dashboard-port",
        ),
        "redis": _port(args.redis_port, "--redis-port"),
    }
    profile = _profile_file(args, settings)
    started: list[ManagedProcess] = []
    try:
        with signals_as_interrupt(signal.SIGTERM, signal.SIGHUP), contextlib.ExitStack() as stack:

            def launch(service: Any, label: str) -> Any:
                stack.callback(service.stop)  # registered first: a failed start is cleaned too
                err.print(f"starting {label}…")
                started.append(service)
                return service.start()

            redis_url = settings.redis.url
            if not (redis_url and _answers(redis_url)):
                if redis_url:
                    err.print(f"[yellow]Redis {redact_url(redis_url)} does not answer[/]")
                redis_url = launch(RedisServer(ports["redis"]), "Redis").url
            api = launch(
                SampleApi(
                    mode=args.mode,
                    size=args.size,
                    port=ports["api"],
                    profile_file=profile,
                    redis_url=redis_url,
                    smtp_ms=args.smtp_ms,
                ),
                f"the sample API ({args.mode})",
            )
            prometheus = launch(
                PrometheusServer([f"{LOOPBACK}:{api.port}"], port=ports["prometheus"]),
                "Prometheus",
            )
            env = _dashboard_env(args, api.url, prometheus.url, redis_url, profile)
            dashboard_port = ports["dashboard"] or free_port()
            dashboard = launch(
                DashboardProcess(
                    streamlit_command(LOOPBACK, dashboard_port),
                    port=dashboard_port,
                    env=env,
                    cwd=Path.cwd(),
                ),
                "the dashboard",
            )
            _print_urls(api, prometheus, dashboard, redis_url, profile, env)
            stack.callback(err.print, "stopping the demo…")  # runs first on the way out
            return _watch(started)
    except KeyboardInterrupt:
        err.print("stopped: everything the demo started is down")
        return 0


def _dashboard_env(
    args: argparse.Namespace, api: str, prometheus: str, redis_url: str, profile: Path
) -> dict[str, str]:
    """The dashboard's environment: the user's config, pointed at the demo's services."""
    env = dashboard_env(getattr(args, "config", None))
    env.update(
        {
            "PERFSIGHT_TARGET__BASE_URL": api,
            "PERFSIGHT_PROMETHEUS__URL": prometheus,
            "PERFSIGHT_REDIS__URL": redis_url,
            "PERFSIGHT_MONGO__PROFILE_FILES": json.dumps([str(profile)]),
            "PERFSIGHT_TARGET__LIST_ENDPOINTS": json.dumps(LIST_ENDPOINTS),
            "PERFSIGHT_TARGET__STATIC_ASSETS": json.dumps(STATIC_ASSETS),
        }
    )
    return env


def _print_urls(
    api: SampleApi,
    prometheus: PrometheusServer,
    dashboard: DashboardProcess,
    redis_url: str,
    profile: Path,
    env: dict[str, str],
) -> None:
    lines = [
        f"sample API ({api.mode})  {api.url}/",
        f"API metrics        {api.url}/metrics",
        f"Prometheus         {prometheus.url}",
        f"dashboard          {dashboard.url}",
        f"Redis              {redact_url(redis_url)}",
        f"profile file       {profile}  (simulated system.profile)",
    ]
    out.print("\n".join(lines), markup=False, highlight=False)
    out.print("\nPoint other perfsight commands at the demo with:", markup=False)
    for name in (
        "PERFSIGHT_TARGET__BASE_URL",
        "PERFSIGHT_PROMETHEUS__URL",
        "PERFSIGHT_REDIS__URL",
        "PERFSIGHT_MONGO__PROFILE_FILES",
    ):
        out.print(f"  export {name}='{env[name]}'", markup=False, highlight=False)
    out.print("\nCtrl-C stops everything the demo started.", markup=False)
    sys.stdout.flush()


def _watch(services: list[ManagedProcess]) -> int:
    """Wait for Ctrl-C; a service that dies on its own ends the demo with exit code 2."""
    while True:
        for service in services:
            process = service.process
            if process is not None and process.poll() is not None:
                err.print(
                    f"[bold red]{service.name} exited with code {process.returncode}[/]; "
                    f"its log ends:\n{service.log_tail()}",
                )
                return 2
        time.sleep(0.5)
