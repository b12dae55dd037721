"""What the log and profile-file readers share: opening the input (from a stored cursor when it
is still valid), saying when it restarted, and keeping the cursor for the next read."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from collectors.file_input import FileCursor, OpenedInput, open_input
from collectors.input_report import InputReport
from collectors.mongo_normalize import ReadOptions
from perfsight.models import QueryEvent

Progress = Callable[[int], None]
TRUNCATED_REASON = "command truncated by the server (over 50 KB): its query shape is unknown"
# Failures in the middle of a stream: what was read so far stands, the rest is reported.
READ_ERRORS = (EOFError, zlib.error, OSError)


def read_error(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "compressed data ends early: the file is truncated"
    return f"cannot read further: {exc}"


class FileReader:
    """Streams the events of one input. ``incremental``: stop before a record still being
    written and keep ``cursor`` (where this read stopped) for the next read. ``progress`` is
    called now and then with the bytes of the file read so far."""

    def __init__(
        self,
        path: str | Path,
        *,
        options: ReadOptions | None = None,
        report: InputReport | None = None,
        cursor: FileCursor | None = None,
        incremental: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.path = path
        self.options = options or ReadOptions()
        self.report = report if report is not None else InputReport()
        self.start = cursor
        self.incremental = incremental
        self.progress = progress
        self.cursor: FileCursor | None = cursor
        self.restarted: str | None = None  # why the given cursor was not used

    def events(self) -> Iterator[QueryEvent]:
        opened = self._open()
        self.restarted = opened.restarted
        if opened.restarted:
            self.report.notice(f"{opened.name}: {opened.restarted}")
        self.report.sources.append(opened.name)
        try:
            yield from self._scan(opened)
        finally:
            opened.close()

    def _open(self) -> OpenedInput:
        return open_input(self.path, self.start)

    def _scan(self, opened: OpenedInput) -> Iterator[QueryEvent]:
        raise NotImplementedError
