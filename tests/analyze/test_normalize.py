"""Normalisation across server versions (4.4 – 8.0) and record forms, from real documents with
the version differences applied: 8.0's planCacheShapeHash/queryShapeHash, flags present only
when true, Extended JSON numbers, truncated commands, getMore with its originating command,
request context from comments, and bad records with their reasons."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.mongo_normalize import BadRecord, Normalizer, ReadOptions
from tests.analyze.conftest import LOG_SAMPLES, PROFILE_SAMPLES


@pytest.fixture(scope="module")
def profile_find(samples_dir: Path) -> dict[str, Any]:
    """The 7.x profiler document of a find with a comment (datadog sample, 2nd document)."""
    path = samples_dir / PROFILE_SAMPLES[0]
    if not path.exists():
        pytest.skip(f"{path} not found")
    doc: dict[str, Any] = json.loads(path.read_text())[1]
    return doc


@pytest.fixture(scope="module")
def log_find(samples_dir: Path) -> dict[str, Any]:
    """A 6.0.11 logv2 find line (hatchet sample, line 13)."""
    path = samples_dir / LOG_SAMPLES[2]
    if not path.exists():
        pytest.skip(f"{path} not found")
    entry: dict[str, Any] = json.loads(path.read_text().splitlines()[12])
    return entry


def test_mongodb_8_0_plan_cache_shape_hash_and_query_shape_hash(
    profile_find: dict[str, Any],
) -> None:
    doc = copy.deepcopy(profile_find)
    doc["planCacheShapeHash"] = doc.pop("queryHash")
    doc["queryShapeHash"] = "0B5F7C8D2A6E1F3B4C9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B"
    event = Normalizer().profile_document(doc)
    assert event is not None
    assert event.query_hash == profile_find["queryHash"]
    assert event.query_shape_hash == doc["queryShapeHash"]
    old = Normalizer().profile_document(profile_find)
    assert old is not None and old.query_hash == profile_find["queryHash"]
    assert old.query_shape_hash is None


def test_flags_are_false_when_absent_and_true_when_present(profile_find: dict[str, Any]) -> None:
    doc = copy.deepcopy(profile_find)
    for flag in ("hasSortStage", "usedDisk", "cursorExhausted"):
        doc.pop(flag, None)
    plain = Normalizer().profile_document(doc)
    assert plain is not None
    assert (plain.has_sort_stage, plain.used_disk, plain.cursor_exhausted) == (False, False, False)
    doc.update(hasSortStage=True, usedDisk=True, cursorExhausted=True)
    flagged = Normalizer().profile_document(doc)
    assert flagged is not None
    assert (flagged.has_sort_stage, flagged.used_disk, flagged.cursor_exhausted) == (
        True,
        True,
        True,
    )


def test_canonical_extended_json_numbers_and_dates(profile_find: dict[str, Any]) -> None:
    doc = copy.deepcopy(profile_find)
    doc["millis"] = {"$numberLong": "85"}
    doc["docsExamined"] = {"$numberInt": "417"}
    doc["nreturned"] = {"$numberLong": "0"}
    doc["ts"] = {"$date": {"$numberLong": "1720550476223"}}
    event = Normalizer().profile_document(doc)
    assert event is not None
    assert (event.millis, event.docs_examined, event.nreturned) == (85.0, 417, 0)
    assert event.ts == datetime(2024, 7, 9, 18, 41, 16, 223000, tzinfo=UTC)


def test_truncated_command_keeps_name_collection_and_metrics(
    profile_find: dict[str, Any],
) -> None:
    doc = copy.deepcopy(profile_find)
    doc["command"] = {
        "$truncated": '{ find: "customers", filter: { age: { $in: [ 1, 2, 3, 4, 5, 6',
        "comment": "query customers by age",
    }
    event = Normalizer().profile_document(doc)
    assert event is not None and event.truncated
    assert event.fingerprint == "db.customers.find(<truncated>)"
    assert event.command_name == "find" and event.filter_shape is None
    assert event.docs_examined == profile_find["docsExamined"]
    assert event.request_id == "query customers by age"


def test_get_more_log_line_takes_its_originating_command(log_find: dict[str, Any]) -> None:
    find = Normalizer().log_entry(log_find)
    entry = copy.deepcopy(log_find)
    attr = entry["attr"]
    attr["originatingCommand"] = attr["command"]
    attr["command"] = {"getMore": 4556923817792321203, "collection": "vehicles", "$db": "testdb"}
    attr["cursorExhausted"] = True
    more = Normalizer().log_entry(entry)
    assert find is not None and more is not None
    assert more.op == "getmore" and more.command_name == "getMore"
    assert more.fingerprint == find.fingerprint + ".getMore()"
    assert more.filter_shape == find.filter_shape and more.sort == find.sort
    assert more.params_hash == find.params_hash  # the same query, the same values
    assert more.cursor_exhausted is True


def test_request_context_from_document_json_string_and_regex(
    profile_find: dict[str, Any],
) -> None:
    doc = copy.deepcopy(profile_find)
    doc["command"]["comment"] = {"rid": "r-17", "route": "GET /api/leads"}
    event = Normalizer().profile_document(doc)
    assert event is not None
    assert (event.request_id, event.endpoint) == ("r-17", "GET /api/leads")
    doc["command"]["comment"] = '{"req": "r-18", "path": "GET /api/leads/{id}"}'
    options = ReadOptions(rid_key="req", route_key="path")
    event = Normalizer(options).profile_document(doc)
    assert event is not None
    assert (event.request_id, event.endpoint) == ("r-18", "GET /api/leads/{id}")
    doc["command"]["comment"] = "trace=abc123 route=GET_/x"
    regex = re.compile(r"trace=(?P<rid>\w+)")
    event = Normalizer(ReadOptions(comment_regex=regex)).profile_document(doc)
    assert event is not None and event.request_id == "abc123"


def test_since_filters_before_any_other_work(profile_find: dict[str, Any]) -> None:
    ts = datetime(2024, 7, 9, 18, 41, 16, 223000, tzinfo=UTC)
    assert Normalizer(ReadOptions(since=ts)).profile_document(profile_find) is not None
    later = ReadOptions(since=datetime(2024, 7, 9, 18, 41, 17, tzinfo=UTC))
    assert Normalizer(later).profile_document(profile_find) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.pop("ns"), "missing field 'ns'"),
        (lambda d: d.pop("ts"), "missing field 'ts'"),
        (lambda d: d.update(millis="slow"), "field 'millis': not a number: 'slow'"),
        (lambda d: d.update(docsExamined="417"), "field 'docsExamined': not a number: '417'"),
        (lambda d: d.update(docsExamined=True), "field 'docsExamined': not a number: True"),
        (lambda d: d.update(ns=42), "field 'ns' is not a namespace: 42"),
        (lambda d: d.update(command="find"), "field 'command' is not an object: 'find'"),
        (lambda d: d.update(ts={"$date": "yesterday"}), "field 'ts': not a date"),
        (lambda d: d.update(planSummary=["COLLSCAN"]), "field 'planSummary' is not a string"),
        (lambda d: d.update(op=None), "field 'op' is not a string: None"),
    ],
)
def test_bad_profile_documents_say_what_is_wrong(
    profile_find: dict[str, Any], change: Callable[[dict[str, Any]], Any], reason: str
) -> None:
    doc = copy.deepcopy(profile_find)
    change(doc)
    with pytest.raises(BadRecord) as info:
        Normalizer().profile_document(doc)
    assert info.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda e: e.pop("attr"), "slow-query entry without an 'attr' object"),
        (lambda e: e.pop("t"), "missing field 't'"),
        (lambda e: e["attr"].pop("durationMillis"), "missing field 'attr.durationMillis'"),
        (lambda e: e["attr"].pop("command"), "missing field 'attr.command'"),
        (lambda e: e["attr"].update(reslen="big"), "field 'reslen': not a number: 'big'"),
        (lambda e: e["attr"].update(remote=5), "field 'remote' is not a string: 5"),
    ],
)
def test_bad_log_entries_say_what_is_wrong(
    log_find: dict[str, Any], change: Callable[[dict[str, Any]], Any], reason: str
) -> None:
    entry = copy.deepcopy(log_find)
    change(entry)
    with pytest.raises(BadRecord) as info:
        Normalizer().log_entry(entry)
    assert info.value.reason.startswith(reason)


def test_admin_and_diagnostic_commands(profile_find: dict[str, Any]) -> None:
    def event_for(ns: str, command: dict[str, Any]) -> Any:
        doc = copy.deepcopy(profile_find)
        doc.update(ns=ns, command=command, op="command")
        return Normalizer().profile_document(doc)

    assert event_for("travel.$cmd", {"listCollections": 1}).is_admin
    assert event_for("travel.leads", {"collStats": "leads"}).is_admin
    assert event_for("admin.$cmd", {"ping": 1}).is_admin
    assert event_for("travel.system.profile", {"find": "system.profile"}).is_admin
    assert event_for(
        "travel.leads", {"aggregate": "leads", "pipeline": [{"$indexStats": {}}]}
    ).is_admin
    stream = {"aggregate": "leads", "pipeline": [{"$changeStream": {}}, {"$match": {"a": 1}}]}
    assert event_for("travel.leads", stream).is_admin
    doc = copy.deepcopy(profile_find)
    doc.update(op="getmore", command={"getMore": 7, "collection": "leads"})
    doc["originatingCommand"] = stream
    more = Normalizer().profile_document(doc)
    assert more is not None and more.is_admin  # a change stream's wait is no query work
    assert not event_for("travel.leads", {"find": "leads", "filter": {"a": 1}}).is_admin
    assert not event_for(
        "travel.leads", {"aggregate": "leads", "pipeline": [{"$match": {}}]}
    ).is_admin


def test_keep_raw_off_drops_the_source_document(profile_find: dict[str, Any]) -> None:
    event = Normalizer(ReadOptions(keep_raw=False)).profile_document(profile_find, "f:3")
    assert event is not None and event.raw is None and event.source == "f:3"
