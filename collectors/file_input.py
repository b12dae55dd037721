"""Opening a file (plain or gzip) or stdin for streaming, optionally from a stored position.

A ``FileCursor`` is where a reader stopped, plus enough about the file to notice that the
position no longer means anything: a different inode (the file was rotated: moved away and
recreated), a smaller size (truncated), or different first bytes (truncated and rewritten
past the old size). Any of these restarts the read from the beginning, with the reason.
Positions count bytes of the decompressed stream, so ``.gz`` files work too (resuming one means
decompressing up to the position again).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from perfsight.errors import InputError

STDIN = "-"
HEAD_BYTES = 4096
_GZIP_MAGIC = b"\x1f\x8b"
_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class FileCursor:
    """A reader's position in one file. Store it, and hand it back to continue where it ended."""

    path: str  # absolute
    offset: int  # bytes consumed
    line: int  # lines completed before ``offset``
    size: int  # bytes on disk when the position was taken
    inode: int
    device: int
    head_hash: str  # sha256 of the first min(offset, HEAD_BYTES) bytes
    mode: str | None = None  # profile files: "array" or "stream" once known


@dataclass(slots=True)
class OpenedInput:
    stream: BinaryIO  # positioned at ``start_offset``
    name: str  # the path as given, for messages
    path: str | None  # absolute path; None for stdin
    start_offset: int
    start_line: int
    mode: str | None
    size: int | None  # bytes on disk, for progress
    restarted: str | None  # why a given cursor was not used
    raw: BinaryIO | None  # the file under a gzip stream (its position measures progress)

    def progress_position(self, offset: int) -> int:
        """Bytes of the file on disk read so far (compressed bytes for .gz)."""
        return self.raw.tell() if self.raw is not None else offset

    def close(self) -> None:
        if self.path is not None:
            self.stream.close()
            if self.raw is not None:
                self.raw.close()


def open_input(path: str | Path, cursor: FileCursor | None = None) -> OpenedInput:
    """Open ``path`` (``"-"`` is stdin) for reading, at ``cursor`` when it is still valid."""
    name = str(path)
    if name == STDIN:
        if cursor is not None:
            raise InputError("stdin cannot be read from a stored position", source=name)
        stdin = sys.stdin.buffer
        # compressed is told by content, as for a file (``zcat``-free ``… | perfsight -``);
        # peek() leaves the bytes in the stream
        peek = getattr(stdin, "peek", None)
        if peek is not None and peek(2)[:2] == _GZIP_MAGIC:
            unpacked: BinaryIO = gzip.GzipFile(fileobj=stdin, mode="rb")  # type: ignore[assignment]
            return OpenedInput(unpacked, name, None, 0, 0, None, None, None, None)
        return OpenedInput(stdin, name, None, 0, 0, None, None, None, None)
    absolute = str(Path(name).resolve())
    try:
        handle = Path(absolute).open("rb", buffering=_BUFFER)  # noqa: SIM115 - OpenedInput closes it
        stat = os.fstat(handle.fileno())
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}", source=name) from exc
    try:
        compressed = handle.read(2) == _GZIP_MAGIC
        handle.seek(0)
        raw = handle if compressed else None
        stream: BinaryIO = (
            gzip.GzipFile(fileobj=handle, mode="rb") if compressed else handle  # type: ignore[assignment]
        )
        restarted = _check_cursor(stream, stat, cursor)
        opened = OpenedInput(stream, name, absolute, 0, 0, None, stat.st_size, restarted, raw)
        if cursor is not None and restarted is None:
            stream.seek(cursor.offset)
            opened.start_offset, opened.start_line, opened.mode = (
                cursor.offset,
                cursor.line,
                cursor.mode,
            )
        else:
            stream.seek(0)
        return opened
    except (OSError, EOFError) as exc:
        handle.close()
        raise InputError(f"cannot read: {exc}", source=name) from exc


def _check_cursor(stream: BinaryIO, stat: os.stat_result, cursor: FileCursor | None) -> str | None:
    if cursor is None or cursor.offset == 0:
        return None
    if (stat.st_ino, stat.st_dev) != (cursor.inode, cursor.device):
        return "the file was replaced (rotated) since the last read: reading it from the start"
    if stat.st_size < cursor.size:
        return (
            f"the file shrank from {cursor.size} to {stat.st_size} bytes (truncated) since the "
            "last read: reading it from the start"
        )
    head = stream.read(min(cursor.offset, HEAD_BYTES))
    if hashlib.sha256(head).hexdigest() != cursor.head_hash:
        return (
            "the file's first bytes changed (truncated and rewritten) since the last read: "
            "reading it from the start"
        )
    return None


def cursor_for(opened: OpenedInput, offset: int, line: int, mode: str | None = None) -> FileCursor:
    """The position ``offset`` (after ``line`` complete lines) of an opened, still open file."""
    if opened.path is None:
        raise InputError("stdin has no position to store", source=opened.name)
    handle = opened.raw if opened.raw is not None else opened.stream
    try:
        stat = os.fstat(handle.fileno())
        with Path(opened.path).open("rb") as again:
            compressed = again.read(2) == _GZIP_MAGIC
            again.seek(0)
            reader: BinaryIO = (
                gzip.GzipFile(fileobj=again, mode="rb") if compressed else again  # type: ignore[assignment]
            )
            head = reader.read(min(offset, HEAD_BYTES))
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", source=opened.name) from exc
    return FileCursor(
        path=opened.path,
        offset=offset,
        line=line,
        size=stat.st_size,
        inode=stat.st_ino,
        device=stat.st_dev,
        head_hash=hashlib.sha256(head).hexdigest(),
        mode=mode,
    )
