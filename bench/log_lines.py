"""Building mongod logv2 lines in the exact format of MongoDB 6.0/7.0 (the benchmark's log).

The real samples in ``shared/mongo-samples`` (hatchet 6.0.11/6.0.14, Datadog 7.x) are the
reference: header padding, ``attr`` key order, the ``locks``/``storage`` blocks, and the driver
fields every command carries on a standalone server (``lsid``, ``$db``, ``$readPreference``).
"""

from __future__ import annotations

import random
import zlib
from datetime import datetime
from typing import Any

import orjson

HEADER = '{{"t":{{"$date":"{t}"}},"s":"I",  "c":"{c}",  "id":{id},   "ctx":"{ctx}","msg":"{msg}"'
HEX = "0123456789abcdef"


class Conn:
    """One client connection: its ``ctx``, remote address, session id and appName."""

    def __init__(self, rng: random.Random, number: int, app: str) -> None:
        self.ctx = f"conn{number}"
        self.remote = f"10.1.{rng.randint(0, 3)}.{rng.randint(2, 250)}:{rng.randint(40000, 65000)}"
        self.lsid = {"id": {"$uuid": _uuid(rng)}}
        self.app = app


def _shape_hashes(attr: dict[str, Any], ns: str, command: dict[str, Any]) -> None:
    """``queryHash`` and ``planCacheKey`` as the server gives them: one per query shape (the
    real samples in shared/mongo-samples carry exactly one per shape), not one per line. The
    random values drawn for them are still drawn, so every other value of the log stays as it
    was."""
    shape = {key: _structure(value) for key, value in command.items() if key != "comment"}
    for field, salt in (("queryHash", "q"), ("planCacheKey", "p")):
        if field in attr:
            attr[field] = f"{zlib.crc32(orjson.dumps([salt, ns, shape])):08X}"


def _structure(value: Any) -> Any:
    """A value with its literals replaced by their type (a list of literals by one)."""
    if isinstance(value, dict):
        return {key: _structure(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [type(value[0]).__name__] if value else []
        return [_structure(item) for item in value]
    return type(value).__name__


def _uuid(rng: random.Random) -> str:
    h = "".join(rng.choices(HEX, k=32))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Lines:
    """Line builders; ``rng`` drives every varied value."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def oid(self) -> dict[str, str]:
        return {"$oid": "".join(self.rng.choices(HEX, k=24))}

    def date(self, at: datetime) -> dict[str, str]:
        return {"$date": at.isoformat(timespec="milliseconds").replace("+00:00", "Z")}

    def query_hash(self) -> str:
        return f"{self.rng.randint(0, 0xFFFFFFFF):08X}"

    def line(
        self, at: datetime, component: str, ident: int, ctx: str, msg: str, attr: Any
    ) -> bytes:
        stamp = at.isoformat(timespec="milliseconds")
        head = HEADER.format(t=stamp, c=component, id=ident, ctx=ctx, msg=msg)
        return head.encode() + b',"attr":' + orjson.dumps(attr) + b"}\n"

    def _locks(self, write: bool) -> dict[str, Any]:
        n = self.rng.randint(1, 3)
        if write:
            names = (
                "ParallelBatchWriterMode",
                "FeatureCompatibilityVersion",
                "ReplicationStateTransition",
                "Global",
                "Database",
                "Collection",
            )
            return {
                k: {"acquireCount": {"r" if k == "ParallelBatchWriterMode" else "w": n}}
                for k in names
            }
        names = ("FeatureCompatibilityVersion", "Global", "Mutex")
        return {k: {"acquireCount": {"r": n}} for k in names}

    def _tail(self, conn: Conn, millis: int, write: bool, reslen: int | None) -> dict[str, Any]:
        rng = self.rng
        storage = {} if rng.random() < 0.7 else {"data": {"bytesRead": rng.randint(1000, 90000)}}
        tail: dict[str, Any] = {"numYields": rng.randint(0, 3)}
        if reslen is not None:
            tail["reslen"] = reslen
        tail.update(
            locks=self._locks(write),
            storage=storage,
            remote=conn.remote,
            protocol="op_msg",
            durationMillis=millis,
        )
        return tail

    def command(
        self,
        at: datetime,
        conn: Conn,
        ns: str,
        command: dict[str, Any],
        stats: dict[str, Any],
        millis: int,
        *,
        write: bool = False,
        reslen: int | None = None,
    ) -> bytes:
        """A ``COMMAND`` "Slow query" line, with the driver's fields added to ``command``."""
        rng = self.rng
        body = {**command, "lsid": conn.lsid}
        body["$db"] = ns.partition(".")[0]
        if not write and rng.random() < 0.5:
            body["$readPreference"] = {"mode": "primaryPreferred"}
        attr: dict[str, Any] = {"type": "command", "ns": ns, "appName": conn.app, "command": body}
        attr.update(stats)
        _shape_hashes(attr, ns, command)
        size = reslen if reslen is not None else rng.randint(200, 4000)
        attr.update(self._tail(conn, millis, write, size))
        return self.line(at, "COMMAND", 51803, conn.ctx, "Slow query", attr)

    def statement(
        self,
        at: datetime,
        conn: Conn,
        ns: str,
        kind: str,
        statement: dict[str, Any],
        stats: dict[str, Any],
        millis: int,
    ) -> bytes:
        """The ``WRITE`` line of one update (``kind`` "update") or delete ("remove")."""
        attr: dict[str, Any] = {"type": kind, "ns": ns, "appName": conn.app, "command": statement}
        attr.update(stats)
        _shape_hashes(attr, ns, statement)
        attr.update(self._tail(conn, millis, True, None))
        return self.line(at, "WRITE", 51803, conn.ctx, "Slow query", attr)

    def find_stats(
        self, plan: str, returned: int, scanned: int, *, exhausted: bool = True, **extra: Any
    ) -> dict[str, Any]:
        keys = 0 if plan == "COLLSCAN" else max(returned, scanned)
        stats: dict[str, Any] = {"planSummary": plan, "keysExamined": keys, "docsExamined": scanned}
        stats.update(extra)
        if exhausted:  # the server logs flags only when they are true
            stats["cursorExhausted"] = True
        stats["nreturned"] = returned
        stats["queryHash"] = self.query_hash()
        stats["planCacheKey"] = self.query_hash()
        stats["queryFramework"] = "classic"
        return stats
