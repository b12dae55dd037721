"""The live MongoDB profiler followed during a load run (``[mongo] uri`` and ``databases``):
``system.profile`` of each database read from the run's start, a bounded batch every read, with
the rollover gaps the reader detects reported as problems of the run (documents lost, not
hidden). The profiling level itself is set and restored around the run by
``collectors.mongo_source.profiling_for_run``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from collectors.input_report import InputReport
from collectors.mongo_live import LiveMongo
from collectors.mongo_normalize import ReadOptions
from collectors.mongo_profiler import ProfileCursor, ProfileReader, to_ms
from perfsight.config.mongo import MongoSettings
from perfsight.errors import PerfsightError
from perfsight.models import QueryEvent


class LiveProfilerFeed:
    """``EventFeed`` of the live profiler. Connects at ``begin``: a server that cannot be
    reached is a problem of this feed, never the end of the run."""

    def __init__(
        self, mongo: MongoSettings, *, connect: Callable[[MongoSettings], LiveMongo] | None = None
    ) -> None:
        self.mongo = mongo
        self.connect = connect or LiveMongo.connect
        self.name = "live profiler"
        self.report = InputReport()
        self.live: LiveMongo | None = None
        self.reader: ProfileReader | None = None
        self.cursors: dict[str, ProfileCursor | None] = {}
        self.errors: list[str] = []

    def begin(self, since: float) -> None:
        try:
            self.live = self.connect(self.mongo)
        except PerfsightError as exc:
            self.errors.append(f"{self.name}: {exc}")
            return
        self.name = f"live profiler {self.live.target}"
        start = datetime.fromtimestamp(since, UTC)
        options = ReadOptions.from_settings(self.mongo, since=start, keep_raw=False)
        self.reader = self.live.reader(options, self.report)
        self.cursors = dict.fromkeys(self.live.databases, ProfileCursor(to_ms(start)))

    def read(self) -> Iterator[QueryEvent]:
        if self.reader is None:
            return
        try:
            poll = self.reader.read(self.cursors)
        except PerfsightError as exc:
            self.errors.append(f"{self.name}: {exc}")
            return
        self.cursors.update(poll.cursors())
        yield from poll.events

    def problems(self) -> list[str]:
        lines = [*dict.fromkeys(self.errors), *dict.fromkeys(self.report.notices)]
        if self.report.rejected:
            lines.append(f"{self.name}: {self.report.rejected} documents rejected")
        return lines

    def close(self) -> None:
        if self.live is not None:
            self.live.close()
            self.live = None
