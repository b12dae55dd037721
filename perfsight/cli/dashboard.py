"""`perfsight dashboard`: serve the Streamlit dashboard (127.0.0.1:8501 by default)."""

from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from perfsight.cli.context import err, out, settings_from
from perfsight.config.loader import config_path
from perfsight.errors import ConfigError
from perfsight.passwords import hash_password
from perfsight.safety import is_loopback

SUMMARY = "Serve the Streamlit dashboard (binds 127.0.0.1:8501 unless told otherwise)."
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dashboard", help=SUMMARY, description=SUMMARY
    )
    parser.add_argument("--host", help="address to bind (default: [dashboard] host)")
    parser.add_argument("--port", type=int, help="port (default: [dashboard] port)")
    parser.add_argument(
        "--hash-password",
        action="store_true",
        help="ask for a password and print its hash for [dashboard] password_hash, then exit "
        "(reads one line from stdin when it is not a terminal)",
    )
    parser.set_defaults(handler=run)
    return parser


def streamlit_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def dashboard_env(config: str | None) -> dict[str, str]:
    """The environment of the Streamlit process: the same config file, by absolute path."""
    env = dict(os.environ)
    file, _ = config_path(config)
    if file.exists():
        env["PERFSIGHT_CONFIG"] = str(file.resolve())
    return env


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("dashboard password: ")
    if getpass.getpass("again: ") != first:
        raise ConfigError("the two passwords differ", source="--hash-password")
    return first


def run(args: argparse.Namespace) -> int:
    if args.hash_password:
        digest = hash_password(_read_password())
        out.print(f'[dashboard]\npassword_hash = "{digest}"', markup=False, highlight=False)
        return 0
    settings = settings_from(args)
    host = args.host or settings.dashboard.host
    port = args.port or settings.dashboard.port
    if not is_loopback(host) and not settings.dashboard.protected:
        err.print(
            f"[bold yellow]warning:[/] the dashboard binds {host}, reachable from other machines, "
            "with no sign-in: set [dashboard] password_hash (perfsight dashboard "
            "--hash-password) or oidc, or put authentication in front of it"
        )
    err.print(f"dashboard: http://{host}:{port}")
    process = subprocess.Popen(streamlit_command(host, port), env=dashboard_env(args.config))
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=15)
        return 0
