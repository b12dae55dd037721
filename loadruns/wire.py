"""What the Locust-side listener tells the perfsight process: JSON lines in a file of the run.

A file (not a pipe) so nothing blocks either side and a run that died leaves a readable trace.
Records, one per line:

- ``{"type": "start", "t", "pid", "locust", "runner"}`` — Locust is up, the test starts.
- ``{"type": "tick", "t", "users", "data": {second: {endpoint: histogram}}}`` — what completed
  since the previous tick, per second of completion and endpoint. Ticks are deltas: the reader
  adds them up, so a late tick (a worker reporting late) only adds to the seconds it names.
- ``{"type": "error", "kind", "message", …}`` — the listener stopped the test (e.g. a request
  to a host outside ``allowed_hosts`` in a user's locustfile).
- ``{"type": "done", "t"}`` — Locust is shutting down; everything has been reported.

Pure Python, no Locust import: both sides use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from loadruns.histogram import Histogram

# Environment variable carrying the listener's instructions (a JSON object) into Locust.
ENV_VAR = "PERFSIGHT_LOADRUN"

SecondData = dict[int, dict[str, Histogram]]


def encode_tick(t: float, users: int | None, data: SecondData) -> bytes:
    payload = {
        "type": "tick",
        "t": t,
        "users": users,
        "data": {
            str(second): {name: hist.to_wire() for name, hist in per_endpoint.items() if hist.count}
            for second, per_endpoint in data.items()
        },
    }
    return orjson.dumps(payload) + b"\n"


def encode(record: Mapping[str, Any]) -> bytes:
    return orjson.dumps(dict(record)) + b"\n"


def decode_seconds(data: Mapping[str, Any]) -> SecondData:
    return {
        int(second): {name: Histogram.from_wire(hist) for name, hist in per_endpoint.items()}
        for second, per_endpoint in data.items()
    }


def merge_seconds(into: SecondData, more: SecondData) -> None:
    """Add ``more`` into ``into``; used by a Locust master for its workers' reports."""
    for second, per_endpoint in more.items():
        target = into.setdefault(second, {})
        for name, hist in per_endpoint.items():
            if name in target:
                target[name].merge(hist)
            else:
                target[name] = hist


@dataclass(slots=True)
class LineReader:
    """Reads the complete lines appended to a file since the last call (a ``tail -f``)."""

    path: Path
    offset: int = 0
    partial: bytes = b""
    bad_lines: int = 0

    def read(self) -> list[dict[str, Any]]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self.offset += len(chunk)
        lines = (self.partial + chunk).split(b"\n")
        self.partial = lines.pop()  # an unfinished last line waits for the next call
        records = []
        for line in lines:
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                self.bad_lines += 1
                continue
            if isinstance(record, dict):
                records.append(record)
        return records


def open_for_append(path: str) -> int:
    """A file descriptor the listener appends to; each record is one ``os.write`` of a line."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
