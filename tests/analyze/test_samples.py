"""Conformance of the readers with every real sample in ../shared/mongo-samples (MongoDB 4.4
profiler documents, 6.0 and 7.x logv2 lines, 7.x profiler documents): each record parses to the
right operation, namespace, plan and fingerprint, and its numbers land in the right fields."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bson import json_util

from collectors.input_report import InputReport
from collectors.mongo_log import read_log
from collectors.profile_file import read_profile_file
from perfsight.models import QueryEvent
from tests.analyze.conftest import LOG_SAMPLES, PROFILE_SAMPLES

# (line, op, namespace, planSummary, fingerprint) of every event, read off the sample lines.
HATCHET_6_0_11 = [
    (
        1,
        "command",
        "admin.$cmd",
        None,
        'db.runCommand({"hello":"?","maxAwaitTimeMS":"?","topologyVersion":"?"})',
    ),
    (2, "insert", "testdb.lookups", None, "db.lookups.insert(?)"),
    (3, "insert", "testdb.favorites", None, "db.favorites.insert(?)"),
    (
        4,
        "command",
        "testdb.favorites",
        None,
        'db.favorites.aggregate([{"$collStats":{"count":{}}},{"$group":{"_id":"?","n":{"$sum":"$count"}}}])',
    ),
    (5, "insert", "testdb.models", None, "db.models.insert(?)"),
    (6, "insert", "testdb.robots", None, "db.robots.insert(?)"),
    (
        7,
        "command",
        "testdb.models",
        None,
        'db.models.aggregate([{"$collStats":{"count":{}}},{"$group":{"_id":"?","n":{"$sum":"$count"}}}])',
    ),
    (8, "insert", "testdb.numbers", None, "db.numbers.insert(?)"),
    (
        9,
        "update",
        "testdb.dealers",
        "IDHACK",
        'db.dealers.updateOne({"_id":"?"}, {"$set":{"name":"?"}}, {"upsert":true})',
    ),
    # line 10 is the COMMAND twin of line 9 (ns testdb.$cmd): merged
    (
        11,
        "update",
        "testdb.employees",
        "IDHACK",
        'db.employees.replaceOne({"_id":"?"}, "?", {"upsert":true})',
    ),
    (12, "insert", "testdb.vehicles", None, "db.vehicles.insert(?)"),
    (
        13,
        "query",
        "testdb.vehicles",
        "IXSCAN { color: 1, brand: 1 }",
        'db.vehicles.find({"color":"?"}, {"_id":0,"color":1,"brand":1}).sort({"brand":-1})',
    ),
    (14, "command", "admin.$cmd", None, 'db.runCommand({"buildInfo":"?"})'),
    (15, "command", "admin.$cmd", None, 'db.runCommand({"hostInfo":"?"})'),
    (16, "command", "admin.$cmd", None, 'db.runCommand({"serverStatus":"?"})'),
    (17, "command", "testdb", None, 'db.runCommand({"dbStats":"?"})'),
    (18, "command", "testdb.employees", None, 'db.runCommand({"listIndexes":"employees"})'),
    (19, "command", "testdb.dealers", None, 'db.runCommand({"listIndexes":"dealers"})'),
    (20, "command", "testdb.__examples", None, 'db.runCommand({"listIndexes":"__examples"})'),
    (21, "command", "testdb.favorites", None, 'db.runCommand({"listIndexes":"favorites"})'),
    (22, "command", "testdb.dealers", None, 'db.runCommand({"collStats":"dealers"})'),
    (23, "command", "testdb.employees", None, 'db.runCommand({"collStats":"employees"})'),
    (24, "command", "testdb.favorites", None, 'db.runCommand({"collStats":"favorites"})'),
    (25, "command", "testdb.__examples", None, 'db.runCommand({"collStats":"__examples"})'),
    (26, "command", "testdb.lookups", None, 'db.runCommand({"listIndexes":"lookups"})'),
    (27, "command", "testdb.models", None, 'db.runCommand({"listIndexes":"models"})'),
    (28, "command", "testdb.numbers", None, 'db.runCommand({"listIndexes":"numbers"})'),
    (29, "command", "testdb.lookups", None, 'db.runCommand({"collStats":"lookups"})'),
    (30, "command", "testdb.robots", None, 'db.runCommand({"listIndexes":"robots"})'),
    (
        31,
        "command",
        "testdb.system.buckets.ts_minutes",
        None,
        'db.runCommand({"collStats":"system.buckets.ts_minutes"})',
    ),
    (32, "command", "testdb.robots", None, 'db.runCommand({"collStats":"robots"})'),
    (33, "command", "testdb.models", None, 'db.runCommand({"collStats":"models"})'),
    (34, "insert", "testdb.__examples", None, "db.__examples.insert(?)"),
    (35, "command", "testdb.numbers", None, 'db.runCommand({"collStats":"numbers"})'),
    (
        36,
        "command",
        "testdb.system.buckets.ts_minutes",
        None,
        'db.runCommand({"listIndexes":"ts_minutes"})',
    ),
    (37, "command", "testdb.vehicles", None, 'db.runCommand({"listIndexes":"vehicles"})'),
    (38, "command", "testdb.vehicles", None, 'db.runCommand({"collStats":"vehicles"})'),
    (
        39,
        "command",
        "admin.$cmd",
        None,
        'db.runCommand({"getParameter":"?","featureCompatibilityVersion":"?"})',
    ),
    (40, "command", "admin.$cmd", None, 'db.runCommand({"ping":"?"})'),
    (41, "command", "admin.$cmd", None, 'db.runCommand({"getLog":"startupWarnings"})'),
    (42, "query", "testdb.vehicles", "COLLSCAN", "db.vehicles.find({})"),
    (43, "query", "testdb.vehicles", "IXSCAN { color: 1 }", 'db.vehicles.find({"color":"?"})'),
    (
        44,
        "query",
        "testdb.__examples",
        "IXSCAN { email: 1 }",
        'db.__examples.find({"email":"?"}).limit(?)',
    ),
    (
        45,
        "update",
        "testdb.__examples",
        "IXSCAN { email: 1 }",
        'db.__examples.updateOne({"email":"?"}, {"$set":{"timestamp":"?"}})',
    ),
    (
        46,
        "remove",
        "testdb.__examples",
        "IXSCAN { email: 1 }",
        'db.__examples.deleteOne({"email":"?"})',
    ),
    # line 47 is the COMMAND twin of line 46 (delete on testdb.$cmd): merged
    (
        48,
        "command",
        "testdb.vehicles",
        "DISTINCT_SCAN { color: 1 }",
        'db.vehicles.distinct("color")',
    ),
]
HATCHET_6_0_14 = [
    (1, "insert", "testdb.favorites", None, "db.favorites.insert(?)"),
    (
        2,
        "query",
        "testdb.vehicles",
        "IXSCAN { color: 1, brand: 1 }",
        'db.vehicles.find({"color":"?"}, {"_id":0,"color":1,"brand":1}).sort({"brand":-1})',
    ),
    (
        3,
        "command",
        "admin.$cmd",
        None,
        'db.runCommand({"hello":"?","helloOk":"?","topologyVersion":"?","maxAwaitTimeMS":"?"})',
    ),
    (
        4,
        "query",
        "config.external_validation_keys",
        "COLLSCAN",
        'db.external_validation_keys.find({"purpose":"?","expiresAt":{"$gt":"?"}}).sort({"expiresAt":1})',
    ),
    (
        5,
        "query",
        "admin.system.keys",
        "COLLSCAN",
        'db.getCollection("system.keys").find({"purpose":"?","expiresAt":{"$gt":"?"}}).sort({"expiresAt":1})',
    ),
]
DATADOG_7_LOG = [
    (
        1,
        "update",
        "test.customers",
        "IXSCAN { age: -1 }",
        'db.customers.updateMany({"age":{"$gt":"?"}}, {"$set":{"subscribed":"?"}})',
    ),
    (
        3,
        "update",
        "test.customers",
        "IXSCAN { age: -1 }",
        'db.customers.updateMany({"age":{"$gt":"?"}}, {"$set":{"subscribed":"?"}})',
    ),
    (
        5,
        "query",
        "test.customers",
        "IXSCAN { name: 1 }",
        'db.customers.find({"subscribed":"?"}).sort({"name":1}).limit(?)',
    ),
    (
        6,
        "query",
        "test.customers",
        "IXSCAN { name: 1 }",
        'db.customers.find({"subscribed":"?"}).sort({"name":1}).limit(?)',
    ),
]
EXPECTED_LOGS = {
    "hatchet-sample-mongod-6.0.11-slowqueries.jsonl": (HATCHET_6_0_11, 2),
    "hatchet-replica-rs1-6.0.14-slowqueries.jsonl": (HATCHET_6_0_14, 0),
    "datadog-getLog-standalone-7.x-slowqueries.jsonl": (DATADOG_7_LOG, 2),
}
# Admin/diagnostic events: hello & co, $collStats pipelines, admin/config dbs, system.* colls.
ADMIN_LINES = {
    "hatchet-sample-mongod-6.0.11-slowqueries.jsonl": {1, 4, 7, *range(14, 34), *range(35, 42)},
    "hatchet-replica-rs1-6.0.14-slowqueries.jsonl": {3, 4, 5},
    "datadog-getLog-standalone-7.x-slowqueries.jsonl": set(),
}

# The 4.4 profile documents (the .js files and their Extended JSON conversion).
PERCONA_4_4 = {
    "aggregate_mongo_4.4.js": (
        "command",
        "aggregate",
        "IXSCAN { a: 1 }",
        'db.coll.aggregate([{"$match":{"a":{"$gte":"?"}}}])',
    ),
    "count_with_query_mongo_4.4.js": (
        "command",
        "count",
        "COLLSCAN",
        'db.coll.count({"a":{"$gt":"?"}})',
    ),
    "delete_mongo_4.4.js": (
        "remove",
        "delete",
        "IXSCAN { a: 1 }",
        'db.coll.deleteOne({"a":{"$gte":"?"},"b":{"$gte":"?"}})',
    ),
    "distinct_mongo_4.4.js": (
        "command",
        "distinct",
        "IXSCAN { b: 1 }",
        'db.coll.distinct("a", {"b":{"$gte":"?"}})',
    ),
    "find_empty_mongo_4.4.js": ("query", "find", "EOF", "db.coll.find({})"),
    "find_mongo_4.4.js": ("query", "find", "IXSCAN { k: 1 }", 'db.coll.find({"k":"?"})'),
    "find_with_sort_mongo_4.4.js": (
        "query",
        "find",
        "IXSCAN { c: 1 }",
        'db.coll.find({"c":"?"}).sort({"b":-1})',
    ),
    "findandmodify_mongo_4.4.js": (
        "command",
        "findAndModify",
        "COLLSCAN",
        'db.coll.findAndModify({"query":{"a":"?"},"update":{"$inc":{"b":"?"}}})',
    ),
    "getmore_mongo_4.4.js": (
        "getmore",
        "getMore",
        "IXSCAN { a: 1 }",
        'db.coll.find({"a":{"$gt":"?"}}).sort({"a":1}).getMore()',
    ),
    "insert_mongo_4.4.js": ("insert", "insert", None, "db.coll.insert(?)"),
    "update_mongo_4.4.js": (
        "update",
        "update",
        "IXSCAN { a: 1 }",
        'db.coll.updateOne({"a":{"$gte":"?"}}, {"$set":{"c":"?"},"$inc":{"a":"?"}})',
    ),
}


def _read_log(path: Path) -> tuple[list[QueryEvent], InputReport]:
    report = InputReport()
    return list(read_log(path, report=report)), report


def _read_profile(path: Path) -> tuple[list[QueryEvent], InputReport]:
    report = InputReport()
    return list(read_profile_file(path, report=report)), report


def _line(event: QueryEvent) -> int:
    assert event.source is not None
    return int(event.source.rsplit(":", 1)[1])


@pytest.mark.parametrize("name", LOG_SAMPLES)
def test_log_sample_parses_to_the_right_events(name: str, sample: Callable[[str], Path]) -> None:
    events, report = _read_log(sample(name))
    expected, merged = EXPECTED_LOGS[name]
    got = [(_line(e), e.op, e.namespace, e.plan_summary, e.fingerprint) for e in events]
    assert got == expected
    lines = len(sample(name).read_text().splitlines())
    assert report.lines_read == lines
    assert report.events == len(expected) and report.duplicates_merged == merged
    assert report.events + report.duplicates_merged == lines  # every line accounted for
    assert report.rejected == 0 and not report.skipped
    assert {_line(e) for e in events if e.is_admin} == ADMIN_LINES[name]


@pytest.mark.parametrize("name", LOG_SAMPLES)
def test_log_fields_map_to_the_profiler_fields(name: str, sample: Callable[[str], Path]) -> None:
    path = sample(name)
    raw = [json.loads(line) for line in path.read_text().splitlines()]
    for event in _read_log(path)[0]:
        entry = raw[_line(event) - 1]
        attr = entry["attr"]
        assert event.raw == entry
        assert event.millis == attr["durationMillis"]
        assert event.response_length == attr.get("reslen")
        assert event.client == attr.get("remote")
        assert event.app_name == attr.get("appName")
        assert event.docs_examined == attr.get("docsExamined")
        assert event.keys_examined == attr.get("keysExamined")
        assert event.nreturned == attr.get("nreturned")
        assert event.n_matched == attr.get("nMatched")
        assert event.n_deleted == attr.get("ndeleted")
        assert event.query_hash == attr.get("queryHash")
        assert event.has_sort_stage is bool(attr.get("hasSortStage"))
        expected_ts = datetime.fromisoformat(entry["t"]["$date"]).astimezone(UTC)
        assert event.ts == expected_ts and event.ts.tzinfo is UTC
        assert (event.error is not None) == ("errCode" in attr)
        if event.command_name in ("find", "aggregate", "getMore"):
            assert event.cursor_exhausted is bool(attr.get("cursorExhausted"))
        else:
            assert event.cursor_exhausted is None


def test_log_details_of_real_lines(sample: Callable[[str], Path]) -> None:
    events = {_line(e): e for e in _read_log(sample(LOG_SAMPLES[2]))[0]}
    assert events[1].error is not None and "ClientDisconnect (279)" in events[1].error
    assert events[13].projection == {"_id": 0, "color": 1, "brand": 1}
    assert events[13].sort == (("brand", -1),)
    assert events[13].cursor_exhausted is False  # its cursor stayed open (cursorid)
    assert events[44].limit == 1 and events[44].cursor_exhausted is True
    assert events[9].filter_shape == {"_id": "?"}
    datadog = _read_log(sample(LOG_SAMPLES[0]))[0]
    # a string comment is the request id (README: "Request id in query comments")
    assert {e.request_id for e in datadog} == {
        "update customers subscription status by age",
        "query customers by subscription status",
    }
    assert [e.limit for e in datadog if e.op == "query"] == [151, 183]
    assert datadog[2].params_hash != datadog[3].params_hash  # same shape, other values


def test_profile_json_array_sample_7x(sample: Callable[[str], Path]) -> None:
    path = sample(PROFILE_SAMPLES[0])
    events, report = _read_profile(path)
    docs = json_util.loads(path.read_text())
    assert report.documents == report.events == len(docs) == 4 and report.rejected == 0
    assert [(e.op, e.namespace, e.plan_summary) for e in events] == [
        ("update", "integration.customers", "IXSCAN { age: -1 }"),
        ("query", "integration.customers", "IXSCAN { name: 1 }"),
        ("update", "integration.customers", "IXSCAN { age: -1 }"),
        ("query", "integration.customers", "IXSCAN { name: 1 }"),
    ]
    assert (
        events[1].fingerprint == 'db.customers.find({"age":{"$gt":"?"}}).sort({"name":1}).limit(?)'
    )
    assert events[1].fingerprint == events[3].fingerprint
    # flags appear only when true: the 4th document sorted in memory, the 2nd did not
    assert [e.has_sort_stage for e in events] == [False, False, False, True]
    assert events[1].cursor_exhausted is True and events[1].limit == 34
    assert events[1].request_id == "query customers by age"
    for event, doc in zip(events, docs, strict=True):
        assert event.ts == doc["ts"].astimezone(UTC)
        assert event.millis == doc["millis"] and event.client == doc["client"]
        assert event.response_length == doc.get("responseLength")
        assert event.query_hash == doc.get("queryHash")


def test_profile_4_4_extended_json_and_legacy_shell_files_agree(
    sample: Callable[[str], Path], samples_dir: Path
) -> None:
    ext_events, report = _read_profile(sample(PROFILE_SAMPLES[1]))
    assert report.events == len(PERCONA_4_4) and report.rejected == 0
    by_fingerprint = {e.fingerprint: e for e in ext_events}
    folder = samples_dir / "percona-toolkit-profile-4.4"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    for name, (op, command, plan, fingerprint) in PERCONA_4_4.items():
        (shell_event,), shell_report = _read_profile(folder / name)
        assert shell_report.rejected == 0, shell_report.rejections
        assert (shell_event.op, shell_event.command_name) == (op, command), name
        assert (shell_event.plan_summary, shell_event.fingerprint) == (plan, fingerprint), name
        assert shell_event.namespace == "test.coll"
        assert shell_event.ts == datetime(2020, 1, 1, tzinfo=UTC) and shell_event.millis == 42
        twin = by_fingerprint[fingerprint]
        assert _comparable(twin) == _comparable(shell_event), name


def _comparable(event: QueryEvent) -> dict[str, Any]:
    fields = dataclasses.asdict(event)
    fields.pop("raw")
    fields.pop("source")
    return fields


def test_profile_4_4_details(sample: Callable[[str], Path]) -> None:
    events = {e.command_name: e for e in _read_profile(sample(PROFILE_SAMPLES[1]))[0]}
    get_more = events["getMore"]
    assert get_more.filter_shape == {"a": {"$gt": "?"}} and get_more.sort == (("a", 1),)
    assert get_more.cursor_exhausted is False and get_more.nreturned == 2
    assert events["find"].cursor_exhausted is True
    assert events["update"].n_matched == 1 and events["delete"].n_deleted == 1
    assert events["aggregate"].filter_shape == {"a": {"$gte": "?"}}
    assert events["count"].filter_shape == {"a": {"$gt": "?"}}
    assert events["insert"].cursor_exhausted is None and events["insert"].plan_summary is None
    assert not any(e.is_admin for e in events.values())
    assert {e.app_name for e in events.values()} == {"MongoDB Shell"}
