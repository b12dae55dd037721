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
A twin is recognised before it is normalised (its data is its ``WRITE`` line's).

Speed: lines without ``51803`` in them are not parsed (a cheap check that they look like a
JSON object still catches garbage); every other line is decoded once with the msgspec schema
of the fields perfsight reads (``collectors.log_schema``), or, when that schema does not fit
it, parsed whole with orjson (which then names what is wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import orjson
from msgspec import UNSET

from analyzers.events import fields_of
from collectors.file_input import OpenedInput, cursor_for
from collectors.file_reader import (
    READ_ERRORS,
    TRUNCATED_REASON,
    FileReader,
    Progress,
    read_error,
)
from collectors.input_report import InputReport
from collectors.log_schema import DECODE_ERRORS, LogLine, decode_line
from collectors.mongo_normalize import BadRecord, Normalizer, ReadOptions, command_twin
from perfsight.models import QueryEvent

SLOW_QUERY_ID: Final = 51803
_PROGRESS_EVERY: Final = 8192  # lines between progress callbacks


Pending = tuple[str, str]  # (namespace, op) of a WRITE line waiting for its COMMAND twin


# (Final: compiled, a C static instead of a dictionary lookup per line)
_UNSET: Final = UNSET
_decode_line: Final = decode_line


class _WriteTwins:
    """Pairs each update/delete ``COMMAND`` line with the ``WRITE`` line(s) logged before it on
    the same connection (``ctx``).

    ``resolve``: for a part of a file that does not start it (``collectors.log_chunks``), what
    a connection's first ``COMMAND`` update/delete line pairs with before the part."""

    __slots__ = ("pending", "resolve", "seen")

    def __init__(self, resolve: Callable[[object], Pending | None] | None = None) -> None:
        self.pending: dict[object, Pending] = {}
        self.resolve = resolve
        self.seen: set[object] = set()

    def is_twin(self, ctx: object, component: object, event: QueryEvent) -> bool:
        """Whether ``event`` (of a line with these ``ctx`` and ``c``) is the ``COMMAND`` twin
        of a ``WRITE`` line before it."""
        f = fields_of(event)  # (the compiled record of the event's fields: analyzers.events)
        return self.observe(ctx, component, f.op, f.namespace, f.filter_shape is None)

    def observe(
        self, ctx: object, component: object, op: str, namespace: str, no_filter: bool
    ) -> bool:
        """``is_twin`` from the values it reads of the event. Asking twice about the same
        ``COMMAND`` line gives the same answer (what ``LogReader`` does when a line it took
        for a twin before normalising it is not one)."""
        if self.resolve is not None:
            self._first_on_connection(ctx, component, op, no_filter)
        pending = self.pending
        if op == "update" or op == "remove":
            if component == "WRITE":
                pending[ctx] = (namespace, op)
            elif no_filter and pending.get(ctx) == (namespace, op):
                del pending[ctx]
                return True
        elif pending:
            pending.pop(ctx, None)  # another operation: no twin is coming
        return False

    def _first_on_connection(
        self, ctx: object, component: object, op: str, no_filter: bool
    ) -> None:
        """A connection's first ``COMMAND`` update/delete line in a part asks what came
        before the part."""
        if ctx in self.seen or self.resolve is None:
            return
        self.seen.add(ctx)
        if (op == "update" or op == "remove") and component != "WRITE" and no_filter:
            state = self.resolve(ctx)
            if state is not None:
                self.pending[ctx] = state


class _Counts:
    __slots__ = ("before", "blank", "events", "lines", "merged", "skipped")

    def __init__(self) -> None:
        self.lines = self.skipped = self.blank = self.merged = self.before = self.events = 0

    def add_to(self, report: InputReport) -> None:
        report.lines_read += self.lines
        report.events += self.events
        report.duplicates_merged += self.merged
        report.before_since += self.before
        if self.skipped:
            report.skip("log lines that are not slow-query entries", self.skipped)
        if self.blank:
            report.skip("blank lines", self.blank)


class LogReader(FileReader):
    """Streams the slow-query events of one logv2 source (see ``FileReader``); in incremental
    mode a last line without its newline is left for the next read. ``stop_at``: the byte
    offset where reading stops (a part of a file read by one process of several)."""

    stop_at: int | None = None

    def _twins(self) -> _WriteTwins:
        return _WriteTwins()

    def _scan(self, opened: OpenedInput) -> Iterator[QueryEvent]:
        report, name, progress = self.report, opened.name, self.progress
        normalizer = Normalizer(self.options)  # (called as itself: compiled, a direct call)
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        twins, counts = self._twins(), _Counts()
        lineno, offset = opened.start_line, opened.start_offset
        consumed_line, consumed = lineno, offset
        stop = self.stop_at if self.stop_at is not None else float("inf")
        incremental = self.incremental
        try:
            for line in opened.stream:
                if incremental and not line.endswith(b"\n"):
                    break
                if offset >= stop:
                    break
                lineno += 1
                offset += len(line)
                if progress is not None and not lineno % _PROGRESS_EVERY:
                    progress(opened.progress_position(offset))
                # (the id sits in a line's first hundred bytes: looked for there first)
                if line.find(b"51803", 0, 256) < 0 and b"51803" not in line:
                    stripped = line.strip()
                    if not stripped:
                        counts.blank += 1
                        continue
                    if stripped[:1] == b"{" and stripped[-1:] == b"}":
                        counts.skipped += 1
                        continue
                try:  # the fields read, skipping the rest (collectors.log_schema)
                    decoded: LogLine | None = _decode_line(line)
                except DECODE_ERRORS:
                    decoded = None  # parsed whole below, for orjson's message
                try:
                    if decoded is not None:
                        if decoded.id != SLOW_QUERY_ID:
                            counts.skipped += 1
                            continue
                        ctx, component = decoded.ctx, decoded.c
                        if ctx is _UNSET:
                            ctx = None
                        if component is _UNSET:
                            component = None
                        if component != "WRITE" and twins.pending:
                            # the COMMAND twin of a WRITE line: its data is the WRITE line's,
                            # so it is recognised before it is normalised
                            key = command_twin(decoded.attr)  # (namespace, op)
                            if key is not None and twins.observe(
                                ctx, component, key[1], key[0], True
                            ):
                                counts.merged += 1
                                continue
                        event = normalizer.log_line(decoded, line, f"{name}:{lineno}")
                    else:
                        try:
                            entry = loads(line)
                        except decode_error as exc:
                            report.reject(name, lineno, f"not JSON: {exc}")
                            continue
                        if type(entry) is not dict:
                            report.reject(name, lineno, "not a log entry (a JSON object)")
                            continue
                        if entry.get("id") != SLOW_QUERY_ID:
                            counts.skipped += 1
                            continue
                        ctx, component = entry.get("ctx"), entry.get("c")
                        event = normalizer.log_entry(entry, f"{name}:{lineno}")
                except BadRecord as exc:
                    report.reject(name, lineno, exc.reason)
                    continue
                if event is None:
                    counts.before += 1
                elif twins.is_twin(ctx, component, event):
                    counts.merged += 1
                else:
                    if fields_of(event).truncated:
                        report.mark_partial(name, lineno, TRUNCATED_REASON)
                    counts.events += 1
                    consumed_line, consumed = lineno, offset
                    yield event
            consumed_line, consumed = lineno, offset
        except READ_ERRORS as exc:
            report.reject(name, lineno + 1, read_error(exc))
        finally:
            counts.lines = lineno - opened.start_line
            counts.add_to(report)
            if opened.path is not None and self.incremental:  # only a follower reads it
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
