"""`perfsight collect`: sample every configured source (Redis, Prometheus) into the store,
every ``--every`` until SIGINT/SIGTERM, or once with ``--once``."""

from __future__ import annotations

import argparse
from typing import Any

from collectors.build import sources_from_settings, store_sink
from collectors.loop import CollectLoop
from collectors.mongo_source import profiling_for_collect
from collectors.source import SourceResult
from perfsight.cli.collect_view import cycle_line, render_once
from perfsight.cli.context import err, open_store, out, say, settings_from
from perfsight.cli.signals import stop_on_signals
from perfsight.config.redact import redact_url
from perfsight.durations import duration_option, format_duration
from perfsight.errors import ConfigError

SUMMARY = "Sample every configured source (Redis, Prometheus, profile files) into the store."


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "collect",
        help=SUMMARY,
        description=SUMMARY + " SIGINT/SIGTERM stop it after one last sample. A source that "
        "is down is retried with backoff and reported by name; the others keep going.",
    )
    parser.add_argument(
        "--every", metavar="DURATION", help="interval between samples (default: [collect] every)"
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="take one sample, store it, print it per source; exit 2 if a source is down",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only failures and recoveries while running"
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    every = _duration(args.every or settings.collect.every, "--every" if args.every else None)
    max_backoff = _duration(settings.collect.max_backoff, "collect.max_backoff")
    with open_store(settings) as store:
        sources = sources_from_settings(settings, store=store)
        if not sources:
            raise ConfigError(
                "nothing to collect: set [redis] url (or instances), [prometheus] url, "
                "[mongo] profile_files, or [mongo] uri and databases",
                source="collect",
            )
        loop = CollectLoop(
            sources,
            every=every,
            max_backoff=max_backoff,
            sink=store_sink(store),
            on_result=None if args.once else _printer(args.quiet),
        )
        try:
            if args.once:
                results = loop.cycle()
                render_once(out, results)
                return 0 if all(r.ok and not r.store_error for r in results) else 2
            names = ", ".join(f"{s.name} ({s.target})" for s in sources)
            err.print(
                f"collecting every {format_duration(every)} from {names} into "
                f"{redact_url(store.url)}; Ctrl-C or SIGTERM stops after one last sample",
                highlight=False,
            )
            with (
                stop_on_signals("stopping after one last sample") as stop,
                profiling_for_collect(settings, store, sources, say=say),
            ):
                loop.run(stop)
            err.print(f"stopped after {loop.cycles} samples; the last one is stored")
            return 0
        finally:
            loop.close()


def _duration(text: str, source: str | None) -> float:
    return duration_option(text, source or "collect.every", positive=True)


def _printer(quiet: bool) -> Any:
    def show(result: SourceResult) -> None:
        if quiet and result.ok and not result.recovered_after and not result.store_error:
            return
        line = cycle_line(result)
        if line is not None:
            err.print(line, highlight=False)

    return show
