"""mongod logv2 reader: "Slow query" lines (id 51803) from a file, a ``.gz`` file or stdin.

Usage::

    report = InputReport()
    for event in read_log("mongod.log.gz", options=ReadOptions(since=...), report=report):
        ...

or, to continue where the last read stopped (``collect``, reports)::

    reader = LogReader(path, cursor=stored_cursor, incremental=True, report=report)
    events = list(reader.events())
    store_the(reader.cursor)

Each update/delete is logged twice: a ``WRITE`` line per statement (filter, plan, counters) and
a ``COMMAND`` line for the whole command with ``ns: "<db>.$cmd"``. The ``COMMAND`` twin of a
``WRITE`` line on the same connection (``ctx``) is merged into it (counted under
``duplicates_merged``); a ``COMMAND`` line without its ``WRITE`` line is an event of its own.

Speed: lines without ``51803`` in them are not parsed (a cheap check that they look like a
JSON object still catches garbage); every other line is parsed once with orjson.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

from collectors.file_input import FileCursor, OpenedInput, cursor_for, open_input
from collectors.input_report import InputReport
from collectors.mongo_normalize import BadRecord, Normalizer, ReadOptions
from perfsight.models import QueryEvent

SLOW_QUERY_ID = 51803
TRUNCATED_REASON = "command truncated by the server (over 50 KB): its query shape is unknown"
_PROGRESS_EVERY = 8192  # lines between progress callbacks

Progress = Callable[[int], None]


class LogReader:
    """Streams the slow-query events of one logv2 source.

    ``incremental``: stop before a last line that has no newline yet (a writer may be in the
    middle of it) and keep ``cursor`` for the next read. ``progress`` is called now and then
    with the bytes of the file read so far.
    """

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
        self.restarted: str | None = None

    def events(self) -> Iterator[QueryEvent]:
        opened = open_input(self.path, self.start)
        self.restarted = opened.restarted
        if opened.restarted:
            self.report.notice(f"{opened.name}: {opened.restarted}")
        self.report.sources.append(opened.name)
        try:
            yield from self._scan(opened)
        finally:
            opened.close()

    def _scan(self, opened: OpenedInput) -> Iterator[QueryEvent]:
        report, name, progress = self.report, opened.name, self.progress
        log_entry = Normalizer(self.options).log_entry
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        lineno, offset = opened.start_line, opened.start_offset
        consumed_line, consumed = lineno, offset
        # ctx -> (namespace, op) of the last WRITE line, waiting for its COMMAND twin
        pending: dict[object, tuple[str, str]] = {}
        lines = skipped = blank = merged = before = events = 0
        try:
            for line in opened.stream:
                if self.incremental and not line.endswith(b"\n"):
                    break
                lineno += 1
                lines += 1
                offset += len(line)
                if progress is not None and not lines % _PROGRESS_EVERY:
                    progress(opened.progress_position(offset))
                if b"51803" not in line:
                    stripped = line.strip()
                    if not stripped:
                        blank += 1
                        continue
                    if stripped[:1] == b"{" and stripped[-1:] == b"}":
                        skipped += 1
                        continue
                try:
                    entry = loads(line)
                except decode_error as exc:
                    report.reject(name, lineno, f"not JSON: {exc}")
                    continue
                if type(entry) is not dict:
                    report.reject(name, lineno, "not a log entry (a JSON object)")
                    continue
                if entry.get("id") != SLOW_QUERY_ID:
                    skipped += 1
                    continue
                try:
                    event = log_entry(entry, f"{name}:{lineno}")
                except BadRecord as exc:
                    report.reject(name, lineno, exc.reason)
                    continue
                if event is None:
                    before += 1
                    continue
                op = event.op
                if op == "update" or op == "remove":
                    ctx = entry.get("ctx")
                    if entry.get("c") == "WRITE":
                        pending[ctx] = (event.namespace, op)
                    elif pending.get(ctx) == (event.namespace, op) and event.filter_shape is None:
                        del pending[ctx]
                        merged += 1
                        continue
                elif pending:
                    pending.pop(entry.get("ctx"), None)
                if event.truncated:
                    report.mark_partial(name, lineno, TRUNCATED_REASON)
                events += 1
                consumed_line, consumed = lineno, offset
                yield event
            consumed_line, consumed = lineno, offset
        except EOFError:
            report.reject(name, lineno + 1, "compressed data ends early: the file is truncated")
        except (zlib.error, OSError) as exc:
            report.reject(name, lineno + 1, f"cannot read further: {exc}")
        finally:
            report.lines_read += lines
            report.events += events
            report.duplicates_merged += merged
            report.before_since += before
            if skipped:
                report.skip("log lines that are not slow-query entries", skipped)
            if blank:
                report.skip("blank lines", blank)
            if opened.path is not None:
                self.cursor = cursor_for(opened, consumed, consumed_line)
            if progress is not None:
                progress(opened.progress_position(offset))


def read_log(
    path: str | Path,
    *,
    options: ReadOptions | None = None,
    report: InputReport | None = None,
    progress: Progress | None = None,
) -> Iterator[QueryEvent]:
    """The slow-query events of a whole logv2 file (``.gz`` too) or of stdin (``"-"``)."""
    return LogReader(path, options=options, report=report, progress=progress).events()
