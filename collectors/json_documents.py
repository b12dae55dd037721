"""Splitting a stream of JSON documents without holding it: a JSON array (mongoexport
``--jsonArray``, ``json.dump`` of a list, pretty-printed or on one line), JSON lines (mongoexport's
default), or documents printed one after another (the legacy shell's ``printjson``).

The scanner reads line by line. A line that holds exactly one document (JSON lines) is parsed
directly by orjson; anything else is tokenised — strings and brackets only, with a compiled
regex — to find where each document ends. JSON strings cannot span lines, so a line is always a
safe place to stop and resume; positions are kept in bytes so a reader can store where it
stopped and continue later (``collectors.file_input.FileCursor``).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from collectors.shell_syntax import looks_like_shell, to_extended_json

# A document larger than this is not a profile document (BSON's limit is 16 MB).
MAX_DOCUMENT_BYTES = 64 << 20

_TOKENS = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[{}\[\]]')
_BETWEEN = re.compile(rb"[\s,]*")
_OPEN = frozenset(b"{[")


@dataclass(frozen=True, slots=True)
class Item:
    """A document (``value``) or an error (``error``), with the line it starts on and the byte
    offset just after it."""

    line: int
    end: int
    lines_done: int  # lines completed at ``end``
    value: Any = None
    error: str | None = None


def parse_document(text: bytes) -> Any:
    """orjson, then — for the legacy shell's syntax — orjson after rewriting it to Extended
    JSON. Raises ``ValueError`` with orjson's message."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if looks_like_shell(text):
            try:
                return orjson.loads(to_extended_json(text))
            except orjson.JSONDecodeError:
                pass
        raise ValueError(str(exc)) from None


class DocumentScanner:
    """Feeds on lines, yields ``Item``s. ``mode`` is ``"array"``, ``"stream"``, ``"ended"``
    (after an array's closing bracket) or None (decided by the first character)."""

    def __init__(self, *, mode: str | None = None, line: int = 0, offset: int = 0) -> None:
        self.mode = mode
        self.line = line  # number of the last line fed
        self.offset = offset  # byte offset after the last line fed
        self._depth = 0
        self._parts: list[bytes] = []
        self._size = 0
        self._start_line = 0

    @property
    def in_document(self) -> bool:
        return self._depth > 0

    def feed(self, lines: Iterable[bytes]) -> Iterator[Item]:
        for line in lines:
            self.line += 1
            start = self.offset
            self.offset += len(line)
            yield from self._line(line, start)

    def finish(self) -> Iterator[Item]:
        """At the end of the input: an unterminated document is an error."""
        if self._depth > 0:
            yield Item(
                self._start_line,
                self.offset,
                self.line,
                error=f"document starting on line {self._start_line} is not terminated "
                "at the end of the input",
            )
            self._reset()

    def _reset(self) -> None:
        self._depth, self._parts, self._size = 0, [], 0

    def _line(self, line: bytes, start: int) -> Iterator[Item]:
        pos, size = 0, len(line)
        while pos < size:
            if self._depth == 0:
                pos = _BETWEEN.match(line, pos).end()  # type: ignore[union-attr]
                if pos >= size:
                    return
                char = line[pos]
                if self.mode is None:
                    self.mode = "array" if char == 0x5B else "stream"  # "["
                    if char == 0x5B:
                        pos += 1
                        continue
                if char == 0x5D and self.mode == "array":  # "]"
                    self.mode = "ended"
                    pos += 1
                    continue
                if line.startswith(b"/*", pos) and b"*/" in line[pos:]:
                    pos = line.index(b"*/", pos) + 2  # a /* n */ comment some tools print
                    continue
                if char != 0x7B or self.mode == "ended":  # "{"
                    where = "after the end of the JSON array" if self.mode == "ended" else ""
                    yield Item(
                        self.line,
                        start + size,
                        self.line,
                        error=f"not a JSON document {where}".rstrip() + f": {_preview(line[pos:])}",
                    )
                    return
                item = self._whole_line(line, pos, start)
                if item is not None:
                    yield item
                    return
                self._start_line = self.line
            pos = yield from self._scan(line, pos, start)

    def _whole_line(self, line: bytes, pos: int, start: int) -> Item | None:
        """The fast path: the rest of the line is one document (JSON lines)."""
        tail = line[pos:].rstrip()
        if tail.endswith(b","):
            tail = tail[:-1].rstrip()
        if not tail.endswith(b"}"):
            return None
        try:
            value = orjson.loads(tail)
        except orjson.JSONDecodeError:
            return None
        return Item(self.line, start + len(line), self.line, value=value)

    def _scan(self, line: bytes, pos: int, start: int) -> Generator[Item, None, int]:
        """Tokenise from ``pos`` until the current document closes or the line ends; returns
        where scanning stopped (a generator's return value)."""
        begin = pos
        for match in _TOKENS.finditer(line, pos):
            char = line[match.start()]
            if char == 0x22:  # a string
                continue
            if char in _OPEN:
                self._depth += 1
                continue
            self._depth -= 1
            if self._depth == 0:
                end = match.end()
                self._parts.append(line[begin:end])
                text = b"".join(self._parts)
                self._reset()
                whole = not line[end:].strip(b" \t\r\n,")
                lines_done = self.line if whole else self.line - 1
                offset = start + (len(line) if whole else end)
                try:
                    yield Item(self._start_line, offset, lines_done, value=parse_document(text))
                except ValueError as exc:
                    yield Item(self._start_line, offset, lines_done, error=f"not JSON: {exc}")
                return len(line) if whole else end
        self._parts.append(line[begin:])
        self._size += len(line) - begin
        if self._size > MAX_DOCUMENT_BYTES:
            yield Item(
                self._start_line,
                start + len(line),
                self.line,
                error=f"document starting on line {self._start_line} is larger than "
                f"{MAX_DOCUMENT_BYTES >> 20} MB: not a profile document",
            )
            self._reset()
        return len(line)


def _preview(data: bytes, limit: int = 40) -> str:
    text = data[:limit].decode("utf-8", "replace").rstrip()
    return repr(text + ("…" if len(data) > limit else ""))
