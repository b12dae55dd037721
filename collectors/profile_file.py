"""Profile files: ``system.profile`` documents as a JSON array or JSON lines (mongoexport
output, Extended JSON; also the legacy shell's printed documents), plain or ``.gz``.

Read a whole file::

    report = InputReport()
    for event in read_profile_file("profile.json", options=ReadOptions(), report=report):
        ...

Read only what was appended since the last time (``collect``, load runs, reports) — the file
may still be being written; a truncated, rotated or rewritten file is noticed and read from the
start (``report.notices`` says so)::

    cursor = offsets.load_cursor(store, "collect", path)         # None the first time
    reader = ProfileFileReader(path, cursor=cursor, incremental=True, report=report)
    for event in reader.events():
        ...
    offsets.save_cursor(store, "collect", reader.cursor)

In incremental mode a document still being written at the end of the file is left for the
next read; a whole-file read reports it as not terminated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from collectors.file_input import OpenedInput, cursor_for
from collectors.file_reader import (
    READ_ERRORS,
    TRUNCATED_REASON,
    FileReader,
    Progress,
    read_error,
)
from collectors.input_report import InputReport
from collectors.json_documents import DocumentScanner
from collectors.mongo_normalize import BadRecord, Normalizer, ReadOptions
from perfsight.models import QueryEvent

_PROGRESS_EVERY = 1024  # documents between progress callbacks


class ProfileFileReader(FileReader):
    """Streams the events of one profile file (see ``FileReader``); in incremental mode a
    document still being written is left for the next read."""

    def _scan(self, opened: OpenedInput) -> Iterator[QueryEvent]:
        report, name, progress = self.report, opened.name, self.progress
        normalize = Normalizer(self.options).profile_document
        scanner = DocumentScanner(
            mode=opened.mode, line=opened.start_line, offset=opened.start_offset
        )
        # the position after the last document handed out, and the scanner's mode there
        consumed, consumed_line, consumed_mode = opened.start_offset, opened.start_line, opened.mode
        documents = before = events = 0
        try:
            items = scanner.feed(opened.stream)
            for item in items:
                consumed, consumed_line, consumed_mode = item.end, item.lines_done, scanner.mode
                if item.error is not None:
                    report.reject(name, item.line, item.error)
                    continue
                documents += 1
                if progress is not None and not documents % _PROGRESS_EVERY:
                    progress(opened.progress_position(scanner.offset))
                try:
                    event = normalize(item.value, f"{name}:{item.line}")
                except BadRecord as exc:
                    report.reject(name, item.line, exc.reason)
                    continue
                if event is None:
                    before += 1
                    continue
                if event.truncated:
                    report.mark_partial(name, item.line, TRUNCATED_REASON)
                events += 1
                yield event
            if not self.incremental:
                for item in scanner.finish():
                    report.reject(name, item.line, item.error or "")
            # An array's closing bracket is never consumed: a writer that appends to an array
            # replaces it, and the next read must see what comes in its place.
            if scanner.mode != "ended" and not scanner.in_document:
                consumed, consumed_line, consumed_mode = scanner.offset, scanner.line, scanner.mode
        except READ_ERRORS as exc:
            report.reject(name, scanner.line + 1, read_error(exc))
        finally:
            report.lines_read += scanner.line - opened.start_line
            report.documents += documents
            report.events += events
            report.before_since += before
            if opened.path is not None and self.incremental:  # only a follower reads it
                mode = "array" if consumed_mode == "ended" else consumed_mode
                self.cursor = cursor_for(opened, consumed, consumed_line, mode)
            if progress is not None:
                progress(opened.progress_position(scanner.offset))


def read_profile_file(
    path: str | Path,
    *,
    options: ReadOptions | None = None,
    report: InputReport | None = None,
    progress: Progress | None = None,
) -> Iterator[QueryEvent]:
    """The events of a whole profile file (JSON array or JSON lines, plain or ``.gz``)."""
    return ProfileFileReader(path, options=options, report=report, progress=progress).events()
