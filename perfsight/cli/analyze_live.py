"""``perfsight analyze --live``: the same analysis as for files, from a live server's
``system.profile``, plus unused indexes from ``$indexStats``.

Without ``--for``: one read of what ``system.profile`` holds now (since ``--since``). With
``--for 10m``: a window — the profiling level of ``--profile-level`` (or ``[mongo]
profile_level``) set for it and restored after it, ``system.profile`` read every ``[mongo]
poll_interval`` from the window's start, a gap reported whenever the capped collection rolled
over between two reads. Ctrl-C or SIGTERM ends the window early; the analysis still runs.

The existing indexes (``list_indexes``) are read before the window — the missing-index advisor
never suggests one that exists — and the usage counters (``$indexStats``) after it.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from analyzers.base import AnalysisContext
from analyzers.unused_indexes import unused_index_findings
from collectors.input_report import InputReport
from collectors.mongo_indexes import existing_indexes, index_usage
from collectors.mongo_live import LiveMongo
from collectors.mongo_normalize import ReadOptions
from collectors.mongo_profiler import ProfileCursor, ProfileReader, ProfilerGap, to_ms
from collectors.profiling_window import ProfilingWindow
from perfsight.analysis import AnalysisResult, analyze, shape_stats_for
from perfsight.cli.context import err, open_store, say
from perfsight.cli.signals import stop_on_signals
from perfsight.config import Settings
from perfsight.durations import duration_option, format_duration, parse_duration
from perfsight.errors import ConfigError
from perfsight.models import QueryEvent, iso, utcnow
from perfsight.store import Store

Connect = Callable[[Settings, argparse.Namespace], LiveMongo]


@dataclass
class LiveOutcome:
    result: AnalysisResult
    section: dict[str, Any]
    gaps: list[ProfilerGap] = field(default_factory=list)


def connect(settings: Settings, args: argparse.Namespace) -> LiveMongo:
    return LiveMongo.connect(settings.mongo, uri=args.mongo_uri, databases=args.database)


def analyze_live(
    args: argparse.Namespace,
    settings: Settings,
    *,
    now: datetime,
    since: datetime | None,
    store: Store | None,
    connect: Connect = connect,
) -> LiveOutcome:
    window = _window_seconds(args)
    level = args.profile_level if args.profile_level is not None else settings.mongo.profile_level
    slowms = args.slowms if args.slowms is not None else settings.mongo.slowms
    if window is None and args.profile_level is not None:
        raise ConfigError(
            "--profile-level needs --for DURATION: a changed level must end with a window",
            source="--profile-level",
        )
    if window is None:
        level = slowms = None  # one read of what is there: nothing to change
    live = connect(settings, args)
    try:
        return _run(live, args, settings, now, since, store, window, level, slowms)
    finally:
        live.close()


def _run(
    live: LiveMongo,
    args: argparse.Namespace,
    settings: Settings,
    now: datetime,
    since: datetime | None,
    store: Store | None,
    window: float | None,
    level: int | None,
    slowms: int | None,
) -> LiveOutcome:
    indexes, notes = existing_indexes(
        live.client, live.namespaces(), target=live.target, uri=live.uri
    )
    report = InputReport()
    watch = _Watch(
        live,
        live.reader(ReadOptions.from_settings(settings.mongo, since=since), report),
        start=_start(since, now if window is not None else None),
        until=time.time() + window if window is not None else None,
    )
    section: dict[str, Any] = {
        "target": live.target,
        "databases": live.databases,
        "window": {"requested_seconds": window, "start": iso(now), "end": None},
        "profiling": None,
    }
    context = AnalysisContext(settings=settings.analysis, indexes=indexes, now=now)
    owned = store if store is not None else open_store(settings)
    try:
        live.restore_abandoned(owned, say=say)
        profiling = live.profiling(
            owned,
            level=level,
            slowms=slowms,
            command="analyze --live",
            until=watch.until,
            say=say,
        )
        with (
            stop_on_signals("ending the window; analysing what was read") as stop,
            closing(watch.events(profiling, stop, section)) as events,
        ):
            result = analyze(
                events, context=context, shapes=shape_stats_for(settings), report=report
            )
    finally:
        if store is None:
            owned.close()
    usages, usage_notes = index_usage(live.admin, live.client, live.databases, uri=live.uri)
    window_start = min(x for x in (since, _first_event(result), now) if x is not None)
    unused = unused_index_findings(usages, window_start=window_start, now=utcnow())
    for note in [*notes, *usage_notes]:
        report.notice(note)
    section["gaps"] = [gap.to_dict() for gap in watch.gaps]
    section["index_usage"] = {"indexes": len(usages), "window_start": iso(window_start)}
    return LiveOutcome(replace(result, findings=[*result.findings, *unused]), section, watch.gaps)


class _Watch:
    """Reads system.profile once, or every poll_interval until the window ends; the profiling
    level is restored as soon as the window ends (before the analysis is computed)."""

    def __init__(
        self,
        live: LiveMongo,
        reader: ProfileReader,
        *,
        start: ProfileCursor | None,
        until: float | None,
    ) -> None:
        self.live = live
        self.reader = reader
        self.cursors: dict[str, ProfileCursor | None] = dict.fromkeys(live.databases, start)
        self.until = until
        self.gaps: list[ProfilerGap] = []
        self.events_read = 0

    def events(
        self,
        profiling: AbstractContextManager[ProfilingWindow | None],
        stop: threading.Event,
        section: dict[str, Any],
    ) -> Generator[QueryEvent, None, None]:
        with profiling as window:
            if window is not None:
                section["profiling"] = {
                    "set_level": window.level,
                    "set_slowms": window.slowms,
                    "databases": {
                        db: {"previous_level": s.level, "previous_slowms": s.slowms}
                        for db, s in window.previous.items()
                    },
                }
            yield from self._polls(window, stop)
        section["window"]["end"] = iso(utcnow())

    def _polls(self, window: ProfilingWindow | None, stop: threading.Event) -> Iterator[QueryEvent]:
        interval = parse_duration(self.live.settings.poll_interval)
        said = 0.0
        while True:
            poll = self.reader.read(self.cursors)
            self.cursors.update(poll.cursors())
            for gap in poll.gaps:
                self.gaps.append(gap)
                say(gap.describe())
            self.events_read += len(poll.events)
            yield from poll.events
            if window is not None:
                window.heartbeat()
            if self.until is None:
                return
            if any(read.more for read in poll.reads):
                continue  # more is waiting: read on at once
            left = self.until - time.time()
            if left <= 0 or stop.is_set():
                return
            if err.is_terminal or time.monotonic() - said >= 60:
                said = time.monotonic()
                say(
                    f"watching {', '.join(self.live.databases)}: {self.events_read:,} events, "
                    f"{format_duration(left)} left (Ctrl-C ends the window)"
                )
            stop.wait(min(interval, left))


def _window_seconds(args: argparse.Namespace) -> float | None:
    if args.window is None:
        return None
    return duration_option(args.window, "--for", positive=True)


def _start(since: datetime | None, window_start: datetime | None) -> ProfileCursor | None:
    """Where the first read starts: the window's start, else ``--since``, else everything."""
    moments = [m for m in (since, window_start) if m is not None]
    return ProfileCursor(to_ms(max(moments))) if moments else None


def _first_event(result: AnalysisResult) -> datetime | None:
    firsts = [s.first_seen for s in result.shapes.buckets() if s.first_seen is not None]
    return min(firsts) if firsts else None
