"""`perfsight schedule`: run the jobs of [schedule] until stopped (SIGTERM or Ctrl-C)."""

from __future__ import annotations

import argparse
import logging
import signal
from types import FrameType
from typing import Any

from rich.logging import RichHandler

from perfsight.cli.context import err, open_store, settings_from
from perfsight.config.loader import config_path
from perfsight.errors import ConfigError
from perfsight.scheduler.service import SchedulerService

SUMMARY = "Run the jobs of [schedule] (reports, collection, load checks) until stopped."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schedule",
        help=SUMMARY,
        description=SUMMARY
        + " Only one scheduler runs the jobs at a time: a second one waits on standby and "
        "takes over when the first one's heartbeat expires.",
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.schedule.jobs:
        raise ConfigError(
            "no jobs: add [[schedule.jobs]] entries (name, kind, cron or every)",
            source="schedule.jobs",
        )
    logging.basicConfig(
        level=logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, rich_tracebacks=False)],
    )
    file, _ = config_path(getattr(args, "config", None))
    with open_store(settings) as store:
        service = SchedulerService(
            settings, store, config_path=str(file.resolve()) if file.exists() else None
        )

        def stop(signum: int, _frame: FrameType | None) -> None:
            err.print(f"{signal.Signals(signum).name}: stopping after the running jobs stop")
            service.stop_event.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        err.print(f"scheduler {service.owner}: {len(settings.schedule.jobs)} job(s)")
        service.run_forever()
    err.print("scheduler stopped")
    return 0
