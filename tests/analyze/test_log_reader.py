"""The logv2 reader: .gz files, WRITE/COMMAND pairs, bad lines with line numbers and reasons,
incremental reading, --since."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.file_input import open_input
from collectors.input_report import InputReport
from collectors.mongo_log import LogReader, read_log
from collectors.mongo_normalize import ReadOptions
from perfsight.errors import InputError
from tests.analyze.conftest import LOG_SAMPLES


@pytest.fixture(scope="module")
def lines(samples_dir: Path) -> list[dict[str, Any]]:
    """The 6.0.11 hatchet sample, parsed (48 real lines)."""
    path = samples_dir / LOG_SAMPLES[2]
    if not path.exists():
        pytest.skip(f"{path} not found")
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_gzip_file_reads_like_the_plain_one(sample: Callable[[str], Path], tmp_path: Path) -> None:
    plain = sample(LOG_SAMPLES[2])
    packed = tmp_path / "mongod.log.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = InputReport(), InputReport()
    plain_events = [(e.fingerprint, e.millis, e.ts) for e in read_log(plain, report=a)]
    packed_events = [(e.fingerprint, e.millis, e.ts) for e in read_log(packed, report=b)]
    assert plain_events == packed_events and len(plain_events) == 46
    assert a.to_dict() | {"sources": []} == b.to_dict() | {"sources": []}


def test_truncated_gzip_keeps_what_was_read_and_says_so(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    data = gzip.compress(sample(LOG_SAMPLES[2]).read_bytes())
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(data[: len(data) // 2])
    report = InputReport()
    events = list(read_log(cut, report=report))
    assert 0 < len(events) < 46
    assert report.rejected == 1
    assert report.rejections[0].reason == "compressed data ends early: the file is truncated"


def test_write_command_pairs_merge_only_on_the_same_connection(
    lines: list[dict[str, Any]], write_lines: Callable[..., Path]
) -> None:
    write, twin = lines[8], lines[9]  # WRITE update testdb.dealers + its COMMAND line
    assert write["c"] == "WRITE" and twin["attr"]["ns"] == "testdb.$cmd"
    other_conn = copy.deepcopy(twin)
    other_conn["ctx"] = "conn999"
    path = write_lines([write, twin, write, other_conn, twin, twin])
    report = InputReport()
    events = list(read_log(path, report=report))
    # line 2 merges into line 1; line 4 (conn999) has no WRITE line on its connection: an
    # event of its own; line 5 merges into line 3; line 6's WRITE was already paired: an event
    assert [(e.source or "").rsplit(":", 1)[1] for e in events] == ["1", "3", "4", "6"]
    assert [e.fingerprint for e in events] == [
        'db.dealers.updateOne({"_id":"?"}, {"$set":{"name":"?"}}, {"upsert":true})',
        'db.dealers.updateOne({"_id":"?"}, {"$set":{"name":"?"}}, {"upsert":true})',
        "db.dealers.update(?)",
        "db.dealers.update(?)",
    ]
    assert report.duplicates_merged == 2 and report.events == 4


def test_a_connection_that_is_not_a_string_is_rejected_not_a_crash(
    lines: list[dict[str, Any]], write_lines: Callable[..., Path]
) -> None:
    write, twin = copy.deepcopy(lines[8]), lines[9]
    write["ctx"] = ["conn1"]  # the WRITE/COMMAND pairing keys on it
    report = InputReport()
    events = list(read_log(write_lines([write, twin]), report=report))
    assert len(events) == 1 and report.rejected == 1
    assert report.rejections[0].line == 1
    assert report.rejections[0].reason == "field 'ctx' is not a string: ['conn1']"


def test_bad_lines_are_reported_with_line_numbers_and_reasons(
    lines: list[dict[str, Any]], write_lines: Callable[..., Path]
) -> None:
    good = lines[12]
    missing = copy.deepcopy(good)
    del missing["attr"]["durationMillis"]
    wrong_type = copy.deepcopy(good)
    wrong_type["attr"]["docsExamined"] = "many"
    truncated_line = json.dumps(good).encode()[:200]
    other = {
        "t": good["t"],
        "s": "I",
        "c": "NETWORK",
        "id": 22943,
        "ctx": "listener",
        "msg": "Connection accepted",
        "attr": {"remote": "127.0.0.1:5000"},
    }
    path = write_lines(
        [
            good,
            b"not json at all",
            missing,
            b"\x00\xff\xfe binary 51803",
            wrong_type,
            truncated_line,
            b"",
            other,
            b"[1, 2, 51803]",
            good,
        ]
    )
    report = InputReport()
    events = list(read_log(path, report=report))
    assert len(events) == 2 and report.lines_read == 10
    reasons = {issue.line: issue.reason for issue in report.rejections}
    assert set(reasons) == {2, 3, 4, 5, 6, 9}
    assert reasons[2].startswith("not JSON: ")
    assert reasons[3] == "missing field 'attr.durationMillis'"
    assert reasons[4].startswith("not JSON: ")
    assert reasons[5] == "field 'docsExamined': not a number: 'many'"
    assert reasons[6].startswith("not JSON: ")
    assert reasons[9] == "not a log entry (a JSON object)"
    assert report.skipped == {"blank lines": 1, "log lines that are not slow-query entries": 1}
    assert all(issue.source == str(path) for issue in report.rejections)


def test_since_counts_what_it_leaves_out(sample: Callable[[str], Path]) -> None:
    since = datetime(2023, 9, 23, 20, 26, 0, tzinfo=UTC)  # 16:26 at -04:00
    report = InputReport()
    events = list(read_log(sample(LOG_SAMPLES[2]), options=ReadOptions(since=since), report=report))
    assert events and all(e.ts >= since for e in events)
    assert report.before_since > 0
    assert report.events + report.before_since + report.duplicates_merged == 48


def test_incremental_reading_waits_for_a_complete_line(
    lines: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "mongod.log"
    first, second = json.dumps(lines[12]).encode(), json.dumps(lines[42]).encode()
    path.write_bytes(first + b"\n" + second[:100])  # the writer is in the middle of line 2
    reader = LogReader(path, incremental=True)
    assert len(list(reader.events())) == 1 and reader.report.rejected == 0
    assert reader.cursor is not None and reader.cursor.offset == len(first) + 1
    with path.open("ab") as handle:
        handle.write(second[100:] + b"\n")
    again = LogReader(path, cursor=reader.cursor, incremental=True)
    events = list(again.events())
    assert [e.source for e in events] == [f"{path}:2"]
    assert again.restarted is None


def test_rotation_and_truncation_restart_from_the_beginning(
    lines: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "mongod.log"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines[:20]))
    reader = LogReader(path, incremental=True)
    assert len(list(reader.events())) == 19  # line 10 is a merged COMMAND twin
    cursor = reader.cursor
    assert cursor is not None
    # truncated in place (copytruncate) and rewritten with less
    path.write_text(json.dumps(lines[12]) + "\n")
    shrunk = LogReader(path, cursor=cursor, incremental=True)
    assert len(list(shrunk.events())) == 1
    assert shrunk.restarted is not None and "shrank" in shrunk.restarted
    assert "shrank" in shrunk.report.notices[0]
    # rotated: moved away, a new file in its place
    path.rename(tmp_path / "mongod.log.1")
    path.write_text("".join(json.dumps(line) + "\n" for line in lines[:25]))
    rotated = LogReader(path, cursor=shrunk.cursor, incremental=True)
    assert len(list(rotated.events())) == 24
    assert rotated.restarted is not None and "rotated" in rotated.restarted
    # truncated and written past the old size: the first bytes changed
    cursor = rotated.cursor
    assert cursor is not None
    path.write_text("".join(json.dumps(line) + "\n" for line in reversed(lines)))
    rewritten = LogReader(path, cursor=cursor, incremental=True)
    # reversed, each COMMAND twin comes before its WRITE line: nothing merges
    assert len(list(rewritten.events())) == 48
    assert rewritten.restarted is not None and "first bytes changed" in rewritten.restarted


def test_missing_file_and_stdin_cursor_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        list(read_log(tmp_path / "nope.log"))
    assert str(tmp_path / "nope.log") in str(info.value)
    with pytest.raises(InputError):
        open_input("-", cursor=object())  # type: ignore[arg-type]
