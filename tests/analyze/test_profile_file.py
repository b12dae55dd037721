"""Profile files: every layout, legacy shell syntax, bad documents, incremental reading of a file
that is being appended to (JSON lines and a JSON array), and cursors kept in the store."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from collectors.input_report import InputReport
from collectors.profile_file import ProfileFileReader, read_profile_file
from perfsight.store import Store
from perfsight.store.file_cursors import load_cursor, save_cursor
from tests.analyze.conftest import PROFILE_SAMPLES


@pytest.fixture(scope="module")
def docs(samples_dir: Path) -> list[dict[str, Any]]:
    """The 11 real 4.4 profiler documents (Extended JSON)."""
    path = samples_dir / PROFILE_SAMPLES[1]
    if not path.exists():
        pytest.skip(f"{path} not found")
    loaded: list[dict[str, Any]] = json.loads(path.read_text())
    return loaded


def _fingerprints(path: Path, report: InputReport | None = None) -> list[str]:
    return [e.fingerprint for e in read_profile_file(path, report=report or InputReport())]


@pytest.mark.parametrize("layout", ["lines", "array", "compact-array", "printed", "gzip-lines"])
def test_every_layout_gives_the_same_events(
    layout: str, docs: list[dict[str, Any]], sample: Callable[[str], Path], tmp_path: Path
) -> None:
    path = tmp_path / f"profile.{layout}"
    if layout == "lines":
        data = b"".join(orjson.dumps(d) + b"\n" for d in docs)  # mongoexport's default
    elif layout == "array":
        data = json.dumps(docs, indent=1).encode()
    elif layout == "compact-array":
        data = orjson.dumps(docs)  # mongoexport --jsonArray: one line, no newline at the end
    elif layout == "printed":
        data = "".join(
            f"/* {i} */\n{json.dumps(d, indent=4)}\n" for i, d in enumerate(docs)
        ).encode()
    else:
        data = gzip.compress(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    path.write_bytes(data)
    report = InputReport()
    assert _fingerprints(path, report) == _fingerprints(sample(PROFILE_SAMPLES[1]))
    assert report.documents == report.events == 11 and report.rejected == 0


def test_legacy_shell_constructors_and_regex_literals(tmp_path: Path) -> None:
    path = tmp_path / "printed.js"
    path.write_text(
        '{\n\t"op" : "query",\n\t"ns" : "travel.leads",\n\t"command" : {\n'
        '\t\t"find" : "leads",\n\t\t"filter" : {\n\t\t\t"name" : /^Ann/i,\n'
        '\t\t\t"owner" : ObjectId("65f854622d7d6b4a0f60378a"),\n'
        '\t\t\t"at" : { "$gte" : ISODate("2024-01-01T00:00:00Z") },\n'
        '\t\t\t"n" : NumberInt(3), "big" : NumberLong("9007199254740993"),\n'
        '\t\t\t"d" : NumberDecimal("1.5"), "ts" : Timestamp(1577836800, 1),\n'
        '\t\t\t"bin" : BinData(0, "AAAA"), "u" : UUID("98cb9188-3543-4a66-9113-3c70798b751e"),\n'
        '\t\t\t"lo" : MinKey, "url" : "http://x/ NumberLong(1)"\n\t\t}\n\t},\n'
        '\t"cursorid" : NumberLong(0),\n\t"docsExamined" : NumberLong(12),\n'
        '\t"millis" : 7,\n\t"ts" : ISODate("2020-01-01T00:00:00Z")\n}\n'
    )
    report = InputReport()
    (event,) = read_profile_file(path, report=report)
    assert report.rejected == 0
    assert event.docs_examined == 12
    assert event.fingerprint == (
        'db.leads.find({"name":"?","owner":"?","at":{"$gte":"?"},"n":"?","big":"?","d":"?",'
        '"ts":"?","bin":"?","u":"?","lo":"?","url":"?"})'
    )
    command = event.raw["command"] if event.raw else {}
    assert command["filter"]["name"] == {"$regularExpression": {"pattern": "^Ann", "options": "i"}}
    assert command["filter"]["url"] == "http://x/ NumberLong(1)"  # strings are left alone


def test_bad_documents_are_reported_with_lines(docs: list[dict[str, Any]], tmp_path: Path) -> None:
    missing = dict(docs[4])
    del missing["ns"]
    path = tmp_path / "profile.json"
    path.write_bytes(
        orjson.dumps(docs[5])
        + b"\n"
        + b"garbage that is no document\n"
        + orjson.dumps(missing)
        + b"\n"
        + b'{"op": "query", "ns": "a.b", oops}\n'
        + b"[1, 2]\n"
        + orjson.dumps(docs[6])
        + b"\n"
        + b'{"op": "query",\n "ns": "a.b",\n'  # never closed
    )
    report = InputReport()
    events = list(read_profile_file(path, report=report))
    assert len(events) == 2 and report.documents == 3
    reasons = {issue.line: issue.reason for issue in report.rejections}
    assert reasons[2] == "not a JSON document: 'garbage that is no document'"
    assert reasons[3] == "missing field 'ns'"
    assert reasons[4].startswith("not JSON: ")
    assert reasons[5] == "not a JSON document: '[1, 2]'"
    assert reasons[7] == "document starting on line 7 is not terminated at the end of the input"
    assert report.rejected == 5


def test_array_appended_to_by_a_writer(docs: list[dict[str, Any]], tmp_path: Path) -> None:
    """A writer that keeps the file a valid array replaces the closing bracket each time."""
    path = tmp_path / "profile.json"
    path.write_bytes(orjson.dumps(docs[:3], option=orjson.OPT_INDENT_2))
    first = ProfileFileReader(path, incremental=True)
    assert len(list(first.events())) == 3
    content = path.read_bytes().rstrip()
    assert content.endswith(b"]")
    appended = b",\n".join(orjson.dumps(d) for d in docs[3:7])
    path.write_bytes(content[:-1] + b",\n" + appended + b"\n]")
    second = ProfileFileReader(path, cursor=first.cursor, incremental=True)
    events = list(second.events())
    assert [e.fingerprint for e in events] == _expected(docs[3:7], tmp_path)
    assert second.restarted is None and second.report.rejected == 0
    third = ProfileFileReader(path, cursor=second.cursor, incremental=True)
    assert list(third.events()) == []


def _expected(docs: list[dict[str, Any]], tmp_path: Path) -> list[str]:
    path = tmp_path / "expected.jsonl"
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return _fingerprints(path)


def test_half_written_document_waits_for_the_next_read(
    docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "profile.jsonl"
    whole = orjson.dumps(docs[7])
    path.write_bytes(orjson.dumps(docs[0]) + b"\n" + whole[: len(whole) // 2])
    first = ProfileFileReader(path, incremental=True)
    assert len(list(first.events())) == 1 and first.report.rejected == 0
    with path.open("ab") as handle:
        handle.write(whole[len(whole) // 2 :] + b"\n")
    second = ProfileFileReader(path, cursor=first.cursor, incremental=True)
    (event,) = second.events()
    assert event.source == f"{path}:2" and event.command_name == "findAndModify"


def test_cursor_round_trip_through_the_store(
    store: Store, docs: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "profile.jsonl"
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs[:4]))
    assert load_cursor(store, "collect", path) is None
    reader = ProfileFileReader(path, cursor=load_cursor(store, "collect", path), incremental=True)
    assert len(list(reader.events())) == 4
    assert reader.cursor is not None
    save_cursor(store, "collect", reader.cursor)
    save_cursor(store, "collect", reader.cursor)  # saving again replaces
    assert load_cursor(store, "collect", path) == reader.cursor
    assert load_cursor(store, "report:nightly", path) is None  # per consumer
    with path.open("ab") as handle:
        handle.write(b"".join(orjson.dumps(d) + b"\n" for d in docs[4:6]))
    again = ProfileFileReader(path, cursor=load_cursor(store, "collect", path), incremental=True)
    assert [e.source for e in again.events()] == [f"{path}:5", f"{path}:6"]
