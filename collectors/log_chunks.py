"""One plain logv2 file read in parts, so that several processes can read it at once and the
parts add up to exactly what one reader gives.

- ``split(path, parts)``: byte ranges that start at line starts.
- ``ChunkReader``: ``LogReader`` over one range; line numbers count from the range's start
  (the caller adds the lines of the ranges before it: ``lines_before``).
- An update/delete is logged as a ``WRITE`` line and then its ``COMMAND`` twin, on the same
  connection. A range may begin between the two: when a range's first event on a connection is
  such a ``COMMAND`` line, ``state_before`` reads the file backwards from the range's start to
  the connection's last deciding event (a ``WRITE`` line, or any other operation) and replays
  what the one reader would have seen — so the twin is merged exactly as it would have been.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from collectors.file_input import OpenedInput
from collectors.mongo_log import SLOW_QUERY_ID, LogReader, Pending, _WriteTwins
from collectors.mongo_normalize import BadRecord, Normalizer, ReadOptions
from perfsight.errors import InputError
from perfsight.models import QueryEvent

_BACK_BLOCK = 1 << 16
_WRITES = ("update", "remove")


def split(path: str | Path, parts: int) -> list[tuple[int, int]]:
    """``parts`` byte ranges of about equal size covering the file, each starting at a line
    start (fewer when lines are long or the file small)."""
    size = Path(path).stat().st_size
    bounds = [0]
    with Path(path).open("rb") as handle:
        for index in range(1, parts):
            handle.seek(max(size * index // parts, bounds[-1]))
            if handle.tell() > 0:
                handle.readline()  # to the start of the next line
            position = handle.tell()
            if bounds[-1] < position < size:
                bounds.append(position)
    bounds.append(size)
    return list(itertools.pairwise(bounds))


def state_before(
    path: str | Path, position: int, ctx: Any, entry_of: Callable[..., QueryEvent | None]
) -> Pending | None:
    """The update/delete a ``COMMAND`` line on connection ``ctx`` would pair with at byte
    ``position``: the connection's events are read backwards to the last one that decides it,
    then replayed forwards as ``LogReader`` would have."""
    needle = orjson.dumps(ctx)  # its JSON text: a cheap filter before parsing a line
    found: list[tuple[dict[str, Any], QueryEvent]] = []
    with Path(path).open("rb") as handle:
        tail = b""
        while position > 0:
            size = min(_BACK_BLOCK, position)
            position -= size
            handle.seek(position)
            lines = (handle.read(size) + tail).split(b"\n")
            tail = lines.pop(0) if position > 0 else b""
            for line in reversed(lines):
                item = _event(line, needle, ctx, entry_of)
                if item is None:
                    continue
                found.append(item)
                entry, event = item
                if event.op not in _WRITES or entry.get("c") == "WRITE":
                    return _replay(found, ctx)
    return _replay(found, ctx)


def _event(
    line: bytes, needle: bytes, ctx: Any, entry_of: Callable[..., QueryEvent | None]
) -> tuple[dict[str, Any], QueryEvent] | None:
    if needle not in line or b"51803" not in line:
        return None
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(entry) is not dict or entry.get("id") != SLOW_QUERY_ID or entry.get("ctx") != ctx:
        return None
    try:
        event = entry_of(entry, None)
    except BadRecord:
        return None
    return None if event is None else (entry, event)


def _replay(found: list[tuple[dict[str, Any], QueryEvent]], ctx: Any) -> Pending | None:
    twins = _WriteTwins()
    for entry, event in found[::-1]:  # (not reversed(): mypyc 2.4 cannot compile it here)
        twins.is_twin(entry.get("ctx"), entry.get("c"), event)
    return twins.pending.get(ctx)


class ChunkReader(LogReader):
    """``LogReader`` over the bytes ``[start, end)`` of a plain (not compressed) file."""

    def __init__(
        self,
        path: str | Path,
        start: int,
        end: int,
        *,
        options: ReadOptions | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(path, options=options, **kwargs)
        self.range_start = start
        self.stop_at = end

    def _open(self) -> OpenedInput:
        name = str(self.path)
        absolute = str(Path(name).resolve())
        try:
            handle = Path(absolute).open("rb", buffering=1 << 20)  # noqa: SIM115 - closed by OpenedInput
            size = Path(absolute).stat().st_size
            handle.seek(self.range_start)
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", source=name) from exc
        return OpenedInput(handle, name, absolute, self.range_start, 0, None, size, None, None)

    def _twins(self) -> _WriteTwins:
        if self.range_start == 0:
            return _WriteTwins()
        entry_of = Normalizer(self.options).log_entry
        return _WriteTwins(lambda ctx: state_before(self.path, self.range_start, ctx, entry_of))
