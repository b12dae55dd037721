"""The schema path of the log reader (``collectors.log_schema`` + ``Normalizer.log_line``)
against the ordinary one (the whole line parsed, ``Normalizer.log_entry``): the same event or
the same rejection for every line, real or odd; and COMMAND twins recognised before they are
normalised."""

from __future__ import annotations

import itertools
import json
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.make_mongo_log import lines as bench_lines
from collectors.input_report import InputReport
from collectors.line_document import LineDocument
from collectors.log_schema import DECODE_ERRORS, SlowQueryAttr, decode_line
from collectors.mongo_log import read_log
from collectors.mongo_normalize import (
    BadRecord,
    Normalizer,
    ReadOptions,
    _dict_stats,
    command_twin,
)
from perfsight.models import QueryEvent
from tests.analyze.conftest import LOG_SAMPLES

Outcome = Any  # a QueryEvent, None (before --since) or ("rejected", reason)


def _outcome(call: Callable[[], Any]) -> Outcome:
    try:
        return call()
    except BadRecord as exc:
        return ("rejected", exc.reason)


def _both(line: bytes, normalizer: Normalizer) -> tuple[Outcome, Outcome]:
    """(schema path, ordinary path) of one slow-query line that both can decode."""
    decoded = decode_line(line)
    schema = _outcome(lambda: normalizer.log_line(decoded, line, "f:1"))
    ordinary = _outcome(lambda: normalizer.log_entry(orjson.loads(line), "f:1"))
    return schema, ordinary


def _compared(lines: list[bytes], normalizer: Normalizer) -> int:
    count = 0
    for line in lines:
        try:
            decoded = decode_line(line)
        except DECODE_ERRORS:
            continue  # the reader parses these whole: one path only
        if decoded.id != 51803:
            continue
        schema, ordinary = _both(line, normalizer)
        assert schema == ordinary, line
        count += 1
    return count


@pytest.mark.parametrize("name", LOG_SAMPLES)
def test_every_real_line_gives_the_same_event(sample: Callable[[str], Path], name: str) -> None:
    lines = sample(name).read_bytes().splitlines()
    slow = sum(1 for line in lines if b'"id":51803' in line)
    assert _compared(lines, Normalizer(ReadOptions())) == slow > 0


def test_every_generated_line_gives_the_same_event() -> None:
    """The benchmark's generator: every operation kind, WRITE/COMMAND pairs, admin commands,
    getMores, and its malformed lines."""
    lines = list(bench_lines(3000, seed=11, malformed_every=300))
    assert _compared(lines, Normalizer(ReadOptions())) > 2500


def test_since_is_applied_alike() -> None:
    line = next(iter(bench_lines(1, seed=3)))
    ts = Normalizer().log_entry(orjson.loads(line))
    assert ts is not None
    for since in (ts.ts, ts.ts.replace(year=ts.ts.year + 1)):
        schema, ordinary = _both(line, Normalizer(ReadOptions(since=since)))
        assert schema == ordinary
    assert _both(line, Normalizer(ReadOptions(since=ts.ts.replace(year=ts.ts.year + 1))))[0] is None


BASE: dict[str, Any] = {
    "t": {"$date": "2024-07-09T18:00:00.123+00:00"},
    "s": "I",
    "c": "COMMAND",
    "id": 51803,
    "ctx": "conn7",
    "msg": "Slow query",
    "attr": {
        "type": "command",
        "ns": "crm.leads",
        "command": {"find": "leads", "filter": {"tenant": "t1"}, "$db": "crm"},
        "planSummary": "COLLSCAN",
        "keysExamined": 0,
        "docsExamined": 1200,
        "nreturned": 3,
        "queryHash": "A1B2C3D4",
        "reslen": 400,
        "locks": {"Global": {"acquireCount": {"r": 1}}},
        "remote": "10.0.0.5:51234",
        "durationMillis": 120,
    },
}


def _with(path: str, value: Any) -> bytes:
    """BASE with one field set (``attr.x`` or ``x``); ``...`` removes it."""
    entry = orjson.loads(orjson.dumps(BASE))
    *parents, key = path.split(".")
    target = entry
    for parent in parents:
        target = target[parent]
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return orjson.dumps(entry)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("attr.durationMillis", ...),
        ("attr.durationMillis", None),
        ("attr.durationMillis", "12"),
        ("attr.durationMillis", 12.5),
        ("attr.durationMillis", {"$numberLong": "7"}),
        ("attr.ns", ...),
        ("attr.ns", ""),
        ("attr.ns", 5),
        ("attr.command", ...),
        ("attr.command", "find"),
        ("t", ...),
        ("t", "2024-07-09T18:00:00Z"),
        ("t", {"$date": "yesterday"}),
        ("t", {"$date": "2024-07-09T18:00:00"}),
        ("t", {"$date": "2024-07-09T20:00:00.000+02:00"}),
        ("t", {"$date": {"$numberLong": "1720548000000"}}),
        ("ctx", ["conn", 7]),
        ("ctx", ...),
        ("attr.docsExamined", "1200"),
        ("attr.docsExamined", {"$numberLong": "1200"}),
        ("attr.nreturned", None),
        ("attr.keysExamined", True),
        ("attr.planSummary", 7),
        ("attr.appName", "crm-api"),
        ("attr.queryHash", ""),
        ("attr.planCacheShapeHash", "EEFF0011"),
        ("attr.queryShapeHash", "99"),
        ("attr.reslen", "400"),
        ("attr.reslen", ...),
        ("attr.remote", 12),
        ("attr.errCode", 50),
        ("attr.errMsg", "operation exceeded time limit"),
        ("attr.errName", "MaxTimeMSExpired"),
        ("attr.ok", 0),
        ("attr.ok", 1),
        ("attr.hasSortStage", True),
        ("attr.scanAndOrder", True),
        ("attr.usedDisk", True),
        ("attr.usedDisk", "yes"),
        ("attr.cursorExhausted", True),
        ("attr.type", "update"),
        ("attr.originatingCommand", {"find": "leads", "filter": {"tenant": "t2"}}),
        ("attr.originatingCommand", "find"),
        ("attr.command", {"getMore": 7, "collection": "leads"}),
        ("attr.command", {"comment": {"rid": "r1", "route": "GET /leads"}, "find": "leads"}),
        ("attr.command", {"update": "leads", "updates": [{"q": {}, "u": {}}]}),
    ],
)
def test_odd_fields_give_the_same_event_or_the_same_rejection(path: str, value: Any) -> None:
    line = _with(path, value)
    schema, ordinary = _both(line, Normalizer(ReadOptions()))
    assert schema == ordinary


def test_lines_the_schema_cannot_decode_are_parsed_whole() -> None:
    """Not an object, an ``attr`` that is no object: the reader's ordinary path (and its
    messages) decides; the schema only refuses them."""
    for line in (b"[51803]", _with("attr", "text"), b'{"id": 51803, "attr": [1]}', b"{"):
        with pytest.raises(DECODE_ERRORS):
            decode_line(line)
    assert decode_line(_with("attr", None)).attr is None  # log_line: parsed whole, rejected
    schema, ordinary = _both(_with("attr", None), Normalizer(ReadOptions()))
    assert schema == ordinary == ("rejected", "slow-query entry without an 'attr' object")


def test_the_schema_names_every_field_the_normaliser_reads() -> None:
    """A field added to the normaliser's reading must be added to the schema, or the schema
    path would see it as absent."""
    read: set[str] = set()

    class Recording(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            read.add(key)
            return super().get(key, default)

        def __contains__(self, key: object) -> bool:
            read.add(str(key))
            return super().__contains__(key)

    _dict_stats(Recording(BASE["attr"]))
    _dict_stats(Recording({**BASE["attr"], "ok": 0, "docsExamined": {"$numberLong": "7"}}))
    _dict_stats(Recording({k: v for k, v in BASE["attr"].items() if k != "queryHash"}))
    read |= {"ns", "command", "durationMillis", "type", "originatingCommand", "reslen", "remote"}
    assert read == set(SlowQueryAttr.__struct_fields__)


def test_raw_is_the_whole_line_parsed_when_read() -> None:
    line = _with("attr.usedDisk", True)
    event = Normalizer(ReadOptions()).log_line(decode_line(line), line, "f:1")
    assert event is not None
    raw = event.raw
    assert isinstance(raw, LineDocument) and isinstance(raw, Mapping)
    assert raw == orjson.loads(line) and orjson.loads(line) == raw
    assert raw["attr"]["locks"] == BASE["attr"]["locks"]  # what the schema skipped is there
    assert raw.get("nothing") is None and "attr" in raw and len(raw) == len(BASE)
    assert dict(raw.items()) == orjson.loads(line) and list(raw) == list(BASE)
    assert pickle.loads(pickle.dumps(raw)) == raw
    assert raw != {"other": 1}
    unread = Normalizer(ReadOptions(keep_raw=False)).log_line(decode_line(line), line)
    assert unread is not None and unread.raw is None


def test_a_huge_integer_the_schema_reads_is_kept_in_raw() -> None:
    """orjson refuses integers beyond 64 bits; msgspec reads them. The line is accepted and
    its document still reads whole."""
    entry = orjson.loads(orjson.dumps(BASE))
    entry["attr"]["locks"] = {"Global": {"acquireCount": {"r": 2**70}}}
    line = json.dumps(entry).encode()  # (orjson does not write such integers either)
    event = Normalizer(ReadOptions()).log_line(decode_line(line), line)
    assert event is not None and event.raw is not None
    assert event.raw["attr"]["locks"]["Global"]["acquireCount"]["r"] == 2**70


def _slow_lines(lines: list[bytes]) -> list[tuple[bytes, Any]]:
    out = []
    for line in lines:
        try:
            decoded = decode_line(line)
        except DECODE_ERRORS:
            continue
        if decoded.id == 51803:
            out.append((line, decoded))
    return out


@pytest.mark.parametrize("source", ["generated", *LOG_SAMPLES])
def test_command_twins_are_recognised_as_the_normaliser_would(
    sample: Callable[[str], Path], source: str
) -> None:
    """``command_twin`` names exactly the lines the reader pairs with a WRITE line after
    normalising them, with the same namespace and operation."""
    if source == "generated":
        lines = list(bench_lines(3000, seed=5, malformed_every=10**9))
    else:
        lines = sample(source).read_bytes().splitlines()
    normalizer, twins = Normalizer(ReadOptions()), 0
    for line, decoded in _slow_lines(lines):
        event = _outcome(lambda line=line: normalizer.log_entry(orjson.loads(line)))
        if not isinstance(event, QueryEvent):
            continue
        key = command_twin(decoded.attr)
        pairable = event.op in ("update", "remove") and event.filter_shape is None
        if key is not None:
            assert key == (event.namespace, event.op) and event.filter_shape is None
            twins += 1
        else:
            assert not (pairable and decoded.c != "WRITE"), line
    if source in ("generated", LOG_SAMPLES[2]):  # (the other samples have no update commands)
        assert twins > 0


def test_a_command_twin_is_merged_before_it_is_normalised(write_lines: Callable[..., Path]) -> None:
    """Its data is its WRITE line's: a twin with an unreadable duration is merged, as a
    readable one; the same line without a WRITE line before it is rejected."""
    lines = list(bench_lines(3000, seed=5, malformed_every=10**9))
    pair = next(
        (first, second)
        for first, second in itertools.pairwise(lines)
        if b'"c":"WRITE"' in first and command_twin(decode_line(second).attr) is not None
    )
    broken = orjson.loads(pair[1])
    broken["attr"]["durationMillis"] = "slow"
    twin_path = write_lines([orjson.loads(pair[0]), broken], name="pair.log")
    report = InputReport()
    events = list(read_log(twin_path, report=report))
    assert len(events) == 1 and report.duplicates_merged == 1 and report.rejected == 0
    alone = write_lines([broken], name="alone.log")
    report = InputReport()
    assert list(read_log(alone, report=report)) == []
    assert report.rejected == 1 and "durationMillis" in report.rejections[0].reason
