"""A profile file (``[mongo] profile_files``) followed during a load run: read incrementally with
``collectors.profile_file.ProfileFileReader`` from a position near its end when the run starts.

The run's window starts a moment before the watchers do (Locust starts, then they are told),
so the feed starts a little before the end of the file — ``BACKLOG_BYTES`` back, at a line
boundary — and the events before the window are dropped by time. A JSON-lines file (what the
sample API and ``mongoexport`` write) can be entered at any line; a JSON array or a ``.gz`` file
is read from its start (the reader's own cursor rules), its old events dropped by time too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from collectors.file_input import FileCursor, cursor_for, open_input
from collectors.input_report import InputReport
from collectors.mongo_normalize import ReadOptions
from collectors.profile_file import ProfileFileReader
from perfsight.config.mongo import MongoSettings
from perfsight.errors import InputError
from perfsight.models import QueryEvent

BACKLOG_BYTES = 8 << 20  # at 500 req/s of 5 queries each, more than 3 s of profile
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


def start_cursor(path: Path) -> FileCursor | None:
    """A cursor at the first line boundary at or after ``size - BACKLOG_BYTES`` of a plain
    JSON-lines file; None (read from the start) for anything else or a missing file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_CHUNK)
            if head.startswith(_GZIP_MAGIC) or head.lstrip().startswith(b"["):
                return None
            size = os.fstat(handle.fileno()).st_size
            target = max(0, size - BACKLOG_BYTES)
            offset, lines = _line_boundary(handle, target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    if offset == 0:
        return None
    opened = open_input(path)
    try:
        return cursor_for(opened, offset, lines, "stream")
    finally:
        opened.close()


def _line_boundary(stream: BinaryIO, target: int) -> tuple[int, int]:
    """The offset just after the last newline before ``target`` (0 if none), and the number of
    lines before it."""
    stream.seek(0)
    offset = lines = done = 0
    while done < target:
        chunk = stream.read(min(_CHUNK, target - done))
        if not chunk:
            break
        last = chunk.rfind(b"\n")
        if last >= 0:
            lines += chunk.count(b"\n")
            offset = done + last + 1
        done += len(chunk)
    return offset, lines


class ProfileFileFeed:
    """``EventFeed`` of one profile file."""

    def __init__(self, path: str | Path, mongo: MongoSettings) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.mongo = mongo
        self.cursor: FileCursor | None = None
        self.report = InputReport()
        self.options = ReadOptions.from_settings(mongo, keep_raw=False)
        self.waiting = False  # the file does not exist (yet)

    def begin(self, since: float) -> None:
        self.cursor = start_cursor(self.path)
        self.options = ReadOptions.from_settings(
            self.mongo, since=datetime.fromtimestamp(since, UTC), keep_raw=False
        )

    def read(self) -> Iterator[QueryEvent]:
        if not self.path.exists():
            self.waiting = True  # the API may create it with its first operation
            return
        self.waiting = False
        reader = ProfileFileReader(
            self.path,
            options=self.options,
            report=self.report,
            cursor=self.cursor,
            incremental=True,
        )
        yield from reader.events()
        self.cursor = reader.cursor

    def problems(self) -> list[str]:
        lines = list(dict.fromkeys(self.report.notices))
        if self.report.rejected:
            first = self.report.rejections[0] if self.report.rejections else None
            example = f" (line {first.line}: {first.reason})" if first else ""
            lines.append(f"{self.name}: {self.report.rejected} documents rejected{example}")
        if self.waiting:
            lines.append(f"{self.name}: the file does not exist")
        return lines

    def close(self) -> None:
        return None
