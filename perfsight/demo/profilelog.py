"""Append simulated ``system.profile`` documents to a file as Extended JSON lines (relaxed mode),
the format perfsight's profile-file reader takes.

Each line is written and flushed before the operation returns, so a client that has its HTTP
response can read the profile of every query its request issued. Like the real capped
``system.profile``, the file does not grow forever: past ``max_bytes`` it is renamed to
``<name>.1`` (replacing an older one) and a new file starts — readers notice the rotation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from bson import json_util

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
RELAXED = json_util.RELAXED_JSON_OPTIONS


def dumps(doc: Mapping[str, Any]) -> str:
    return json_util.dumps(doc, json_options=RELAXED)


def read_profile(path: Path, offset: int = 0) -> list[dict[str, Any]]:
    """The documents of a profile file from byte ``offset`` on (for tests and tools)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read()
    return [json_util.loads(line) for line in data.decode().splitlines() if line.strip()]


class ProfileWriter:
    """Thread-safe appender of profile documents to one file."""

    def __init__(self, path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._handle: IO[str] | None = None
        self.written = 0

    def _open(self) -> IO[str]:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        return self._handle

    def write(self, docs: Iterable[Mapping[str, Any]]) -> None:
        lines = "".join(dumps(doc) + "\n" for doc in docs)
        with self._lock:
            handle = self._open()
            if handle.tell() + len(lines) > self.max_bytes and handle.tell() > 0:
                handle.close()
                self.path.replace(self.path.with_name(self.path.name + ".1"))
                self._handle = None
                handle = self._open()
            handle.write(lines)
            handle.flush()
            self.written += lines.count("\n")

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
