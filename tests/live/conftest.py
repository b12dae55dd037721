"""Fixtures of the live-profiler tests: a mongomock server (its ``system.profile`` seeded with
real-format documents) and a stand-in for the two calls mongomock cannot run — the ``profile``
command and ``$indexStats`` — answering with recorded server replies (``replies/``)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mongomock
import pytest
from bson import json_util
from bson.json_util import JSONOptions
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from collectors.mongo_admin import MongoAdmin
from collectors.mongo_live import LiveMongo
from perfsight.config.mongo import MongoSettings
from perfsight.store.profiler import RestoreRow

REPLIES = Path(__file__).parent / "replies"
TARGET = "mongodb://perfsight:***@db1.example.net:27017/"
URI = "mongodb://perfsight:s3cret-pw@db1.example.net:27017/"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
_OPTIONS = JSONOptions(tz_aware=True, tzinfo=UTC)


def reply(name: str) -> Any:
    """A recorded reply, decoded as pymongo decodes BSON (Int64, datetimes, Timestamps)."""
    return json_util.loads((REPLIES / name).read_text(), json_options=_OPTIONS)


def failure(name: str) -> OperationFailure:
    """The OperationFailure pymongo raises for a recorded error reply."""
    details = reply(name)
    return OperationFailure(details["errmsg"], details["code"], details)


class RecordedServer:
    """Answers ``profile`` and ``$indexStats`` from recorded replies, keeping the profiling
    settings a server keeps: the level per database, ``slowms`` and ``sampleRate`` for all.
    ``fail[database]`` makes the profile command fail with a recorded error reply;
    ``down`` makes every call fail as an unreachable server does."""

    def __init__(self, *, template: str = "profile-status-7.0-replset.json") -> None:
        self.template = reply(template)
        self.levels: dict[str, int] = {}
        self.slowms = int(self.template["slowms"])
        self.sample_rate = float(self.template["sampleRate"])
        self.index_stats: dict[tuple[str, str], str] = {}
        self.fail: dict[str, str] = {}
        self.down = False
        self.commands: list[tuple[str, dict[str, Any]]] = []

    def level(self, database: str) -> int:
        return self.levels.get(database, int(self.template["was"]))

    def run_command(self, database: str, command: Mapping[str, Any]) -> Mapping[str, Any]:
        if self.down:
            raise ServerSelectionTimeoutError("db1.example.net:27017: timed out")
        self.commands.append((database, dict(command)))
        if database in self.fail:
            raise failure(self.fail[database])
        answer = dict(self.template)
        answer.update(was=self.level(database), slowms=self.slowms, sampleRate=self.sample_rate)
        level = command["profile"]
        if level != -1:
            self.levels[database] = level
            if "slowms" in command:
                self.slowms = command["slowms"]
        return answer

    def run_index_stats(self, database: str, collection: str) -> Sequence[Mapping[str, Any]]:
        if self.down:
            raise ServerSelectionTimeoutError("db1.example.net:27017: timed out")
        name = self.index_stats.get((database, collection))
        if name is None:
            return []
        answer = reply(name)
        if isinstance(answer, dict):
            raise failure(name)
        return list(answer)

    def admin(self) -> MongoAdmin:
        return MongoAdmin(
            None,
            target=TARGET,
            max_time_ms=5000,
            uri=URI,
            run_command=self.run_command,
            run_index_stats=self.run_index_stats,
        )


@pytest.fixture
def server() -> RecordedServer:
    return RecordedServer()


@pytest.fixture
def mongo() -> mongomock.MongoClient[dict[str, Any]]:
    return mongomock.MongoClient(tz_aware=True)


@pytest.fixture
def live(mongo: Any, server: RecordedServer) -> LiveMongo:
    settings = MongoSettings(uri=URI, databases=["travel"], poll_interval="100ms")
    return LiveMongo.connect(settings, client=mongo, admin=server.admin(), check=True)


def profile_doc(
    ts: datetime,
    *,
    ns: str = "travel.leads",
    tenant: str = "t1",
    millis: int = 120,
    docs_examined: int = 40_000,
    nreturned: int = 20,
    plan: str = "COLLSCAN",
    rid: str | None = None,
) -> dict[str, Any]:
    """A find as MongoDB 7.0 records it in system.profile (fields, order and types of the
    Datadog 7.x sample), as pymongo returns it (datetimes, Int64-compatible ints)."""
    command: dict[str, Any] = {
        "find": ns.partition(".")[2],
        "filter": {"tenant": tenant, "status": "new"},
        "sort": {"createdAt": -1},
        "limit": 20,
        "lsid": {"id": "a0f5e6b2-3c1d-4e8f-9a7b-1c2d3e4f5a6b"},
        "$db": ns.partition(".")[0],
    }
    if rid is not None:
        command["comment"] = {"rid": rid, "route": "GET /api/leads"}
    return {
        "op": "query",
        "ns": ns,
        "command": command,
        "keysExamined": 0,
        "docsExamined": docs_examined,
        "hasSortStage": True,
        "cursorExhausted": True,
        "numYield": 40,
        "nreturned": nreturned,
        "queryHash": "9BE7D4AF",
        "planCacheKey": "5B9CF3F4",
        "queryFramework": "classic",
        "locks": {"FeatureCompatibilityVersion": {"acquireCount": {"r": 41}}},
        "flowControl": {},
        "storage": {},
        "responseLength": 4120,
        "protocol": "op_msg",
        "cpuNanos": 118_000_000,
        "millis": millis,
        "planSummary": plan,
        "ts": ts,
        "client": "10.1.0.7:51234",
        "appName": "crm-api",
        "allUsers": [],
        "user": "",
    }


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def restore_row(**values: Any) -> RestoreRow:
    """A ``profiling_restores`` row of travel on TARGET (level 0 → 2 by a perfsight that ran
    an hour ago); ``values`` replace fields."""
    now = time.time()
    fields: dict[str, Any] = {
        "target": TARGET,
        "database": "travel",
        "previous_level": 0,
        "previous_slowms": None,
        "set_level": 2,
        "set_slowms": None,
        "set_at": now,
        "until": now + 600,
        "heartbeat_at": now,
        "owner_host": "elsewhere",
        "owner_pid": 1,
        "owner_started": 1.0,
        "owner_command": "analyze --live",
    }
    fields.update(values)
    return RestoreRow(**fields)
