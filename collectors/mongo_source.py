"""The live profiler as a source of ``perfsight collect``: each sample reads what every
configured database's ``system.profile`` gained since the stored cursor, and hands back the
query-shape statistics of those operations with the new cursors and any gap. The store writer
(``perfsight.store.profiler.write_profiler_sample``) keeps all three in one transaction, so a
cursor never moves past documents whose statistics were not stored.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from analyzers.shapes import ShapeStat
from collectors.input_report import InputReport
from collectors.mongo_connect import target_label
from collectors.mongo_live import LiveMongo
from collectors.mongo_normalize import ReadOptions
from collectors.mongo_profiler import ProfileCursor, ProfilerGap
from collectors.profiling_window import Say
from perfsight.analysis import shape_stats_for
from perfsight.config import Settings
from perfsight.durations import format_duration, parse_duration
from perfsight.errors import PerfsightError
from perfsight.store import Store
from perfsight.store.profiler import load_cursors, restore_rows

CONSUMER = "collect"


@dataclass(frozen=True, slots=True)
class ProfilerSample:
    consumer: str
    target: str
    source_label: str  # query_shapes.source of these statistics
    buckets: tuple[ShapeStat, ...]
    cursors: Mapping[str, ProfileCursor]
    gaps: tuple[ProfilerGap, ...]
    documents: int
    events: int
    rejected: int


class MongoProfilerSource:
    """``collectors.source.Source`` over a live server's profiler."""

    kind = "mongo"

    def __init__(
        self, live: LiveMongo, store: Store, settings: Settings, *, consumer: str = CONSUMER
    ) -> None:
        self.live = live
        self.store = store
        self.settings = settings
        self.consumer = consumer
        self.name = "mongo:profiler"
        self.target = f"{live.target} ({', '.join(live.databases)})"

    def sample(self, now: float | None = None) -> Sequence[object]:
        cursors: dict[str, ProfileCursor | None] = dict(
            load_cursors(self.store, self.consumer, self.live.target)
        )
        report = InputReport()
        reader = self.live.reader(ReadOptions.from_settings(self.settings.mongo), report)
        poll = reader.read(cursors)
        shapes = shape_stats_for(self.settings)
        for event in poll.events:
            shapes.feed(event)
        return [
            ProfilerSample(
                consumer=self.consumer,
                target=self.live.target,
                source_label=f"profiler {self.live.target}",
                buckets=tuple(shapes.buckets()),
                cursors=poll.cursors(),
                gaps=tuple(poll.gaps),
                documents=report.documents,
                events=report.events,
                rejected=report.rejected,
            )
        ]

    def close(self) -> None:
        self.live.close()


@contextlib.contextmanager
def profiling_for_collect(
    settings: Settings, store: Store, sources: Sequence[object], *, say: Say
) -> Iterator[None]:
    """``[mongo] profile_level`` during ``collect``, for ``[mongo] profile_window`` at most:
    collection may run for weeks, a changed level must not. A server that cannot be reached
    (or refuses) leaves the level alone and collection goes on."""
    level = settings.mongo.profile_level
    source = next((s for s in sources if isinstance(s, MongoProfilerSource)), None)
    if source is not None and level is None:
        try:
            source.live.restore_abandoned(store, say=say)
        except PerfsightError as exc:
            say(f"could not check for profiling levels left changed: {exc}")
    if level is None or source is None:
        yield
        return
    length = parse_duration(settings.mongo.profile_window)
    with contextlib.ExitStack() as stack:
        try:
            window = stack.enter_context(
                source.live.profiling(
                    store,
                    level=level,
                    slowms=settings.mongo.slowms,
                    command="collect",
                    until=time.time() + length,
                    say=say,
                )
            )
        except PerfsightError as exc:
            say(f"profiling level left unchanged: {exc}")
            window = None
        if window is None:
            yield
            return

        def end() -> None:
            try:
                window.end()
            except PerfsightError as exc:
                say(str(exc))
            say(f"profile_window ({format_duration(length)}) is over: collection goes on")

        timer = threading.Timer(length, end)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()


# Beyond a load run's planned length: Locust starting, its workers connecting, a graceful stop.
RUN_GRACE = 120.0


@contextlib.contextmanager
def profiling_for_run(
    settings: Settings, store: Store, *, planned: float, say: Say
) -> Iterator[None]:
    """``[mongo] profile_level`` for a load run's window (restored at its end, on Ctrl-C, on an
    error). A server that cannot be reached leaves the level alone: the run still happens."""
    uri = settings.mongo.uri
    if not uri or (
        settings.mongo.profile_level is None and not restore_rows(store, target_label(uri))
    ):
        yield
        return
    with contextlib.ExitStack() as stack:
        try:
            live = LiveMongo.connect(settings.mongo)
            stack.callback(live.close)
            live.restore_abandoned(store, say=say)
            stack.enter_context(
                live.profiling(
                    store,
                    level=settings.mongo.profile_level,
                    slowms=settings.mongo.slowms,
                    command="loadcheck",
                    until=time.time() + planned + RUN_GRACE,
                    say=say,
                )
            )
        except PerfsightError as exc:
            say(f"profiling level left unchanged: {exc}")
        yield
