"""The simulated system.profile documents have the field names and types of real MongoDB 7.0
entries (the public samples), survive Extended JSON, and the file rotates like a capped
collection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import json_util

from perfsight.demo import profiledoc
from perfsight.demo.planner import ID_INDEX, IndexSpec, Plan
from perfsight.demo.profilelog import ProfileWriter, read_profile
from perfsight.models import request_context

COMMENT = {"rid": "r-1", "route": "GET /api/leads"}
TS = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
INDEX = IndexSpec((("tenantId", 1), ("createdAt", -1)))


def real_documents(samples_dir: Path) -> list[dict[str, Any]]:
    text = (samples_dir / "datadog-system.profile-7.x.json").read_text()
    docs: list[dict[str, Any]] = json_util.loads(text)
    text = (samples_dir / "percona-toolkit-profile-4.4.extjson.json").read_text()
    older = json_util.loads(text)
    return docs + (older if isinstance(older, list) else list(older.values()))


def simulated() -> list[dict[str, Any]]:
    find = {"find": "leads", "filter": {"tenantId": "a"}, "sort": {"createdAt": -1},
            "comment": COMMENT, "$db": "travel"}  # fmt: skip
    plan = Plan("COLLSCAN", None, 0, 2000, True)
    docs = profiledoc.find_documents(
        "travel", find, plan, nreturned=400, response_length=90_000, millis=12.7, ts=TS,
        cursor_id=7_340_000_000_000_000_001,
    )  # fmt: skip
    docs.append(
        profiledoc.insert_document(
            "travel", "quotes", comment=COMMENT, inserted=1, indexes=2, millis=0.4, ts=TS
        )
    )
    statement = {"q": {"_id": 1}, "u": {"$set": {"a": 1}}, "multi": False, "upsert": False,
                 "comment": COMMENT}  # fmt: skip
    docs.append(
        profiledoc.update_document(
            "travel", "rate_lists", statement, Plan("IDHACK", ID_INDEX, 1, 1, False),
            matched=1, modified=1, millis=1.2, ts=TS,
        )
    )  # fmt: skip
    return docs


def test_fields_and_types_match_real_profile_documents(samples_dir: Path) -> None:
    real = real_documents(samples_dir)
    types: dict[str, set[type]] = {}
    for doc in real:
        for key, value in doc.items():
            # NumberLong (Int64) is an int to Python, and relaxed JSON writes both the same.
            types.setdefault(key, set()).add(int if isinstance(value, int) else type(value))
    for doc in simulated():
        for key, value in doc.items():
            if key == "simulated":
                continue
            assert key in types, f"{key} is not a field of real profile documents"
            # Counters are ints (NumberLong/Int64 in the older samples).
            assert any(isinstance(value, t) for t in types[key]), (key, type(value))
        assert isinstance(doc["ts"], datetime) and doc["ts"].microsecond % 1000 == 0
        assert isinstance(doc["millis"], int)


def test_find_over_one_batch_is_followed_by_a_getmore() -> None:
    find, more = simulated()[:2]
    assert (find["op"], more["op"]) == ("query", "getmore")
    assert find["nreturned"] + more["nreturned"] == 400 and find["nreturned"] == 101
    assert "cursorExhausted" not in find and more["cursorExhausted"] is True
    # A blocking sort reads everything before the first batch.
    assert find["docsExamined"] == 2000 and more["docsExamined"] == 0
    assert find["hasSortStage"] is True
    assert more["originatingCommand"]["find"] == "leads"
    assert more["command"]["getMore"] == more["cursorid"]
    assert find["responseLength"] + more["responseLength"] == 90_000
    assert find["ts"] <= more["ts"]
    assert request_context(more["command"]["comment"]).request_id == "r-1"


def test_flags_appear_only_when_true() -> None:
    plan = Plan("IXSCAN { tenantId: 1, createdAt: -1 }", INDEX, 20, 20, False)
    command = {"find": "bookings", "filter": {"tenantId": "a"}, "limit": 20, "$db": "travel"}
    (doc,) = profiledoc.find_documents(
        "travel", command, plan, nreturned=20, response_length=500, millis=0.2, ts=TS,
        cursor_id=1,
    )  # fmt: skip
    assert "hasSortStage" not in doc and doc["cursorExhausted"] is True
    assert doc["planSummary"] == "IXSCAN { tenantId: 1, createdAt: -1 }"
    assert len(doc["queryHash"]) == 8 and doc["queryHash"].isupper()


def test_query_hash_depends_on_shape_not_values() -> None:
    plan = Plan("COLLSCAN", None, 0, 10, False)
    one = profiledoc.query_hashes({"status": "new", "n": 1}, None, None, plan)
    two = profiledoc.query_hashes({"status": "won", "n": 7}, None, None, plan)
    other = profiledoc.query_hashes({"status": "won"}, {"n": 1}, None, plan)
    assert one == two and one["queryHash"] != other["queryHash"]


def test_written_as_relaxed_extended_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "profile.jsonl"
    writer = ProfileWriter(path)
    writer.write(simulated())
    lines = path.read_text().splitlines()
    assert len(lines) == 4 == writer.written
    first = json.loads(lines[0])
    assert json.loads(lines[1])["ts"] == {"$date": "2026-03-01T12:00:00.123Z"}  # relaxed: ISO
    assert isinstance(first["millis"], int) and isinstance(first["docsExamined"], int)
    assert read_profile(path) == [
        json_util.loads(json_util.dumps(doc, json_options=json_util.RELAXED_JSON_OPTIONS))
        for doc in simulated()
    ]
    offset = path.stat().st_size
    writer.write(simulated()[2:3])
    assert [d["op"] for d in read_profile(path, offset)] == ["insert"]


def test_file_rotates_past_its_size(tmp_path: Path) -> None:
    path = tmp_path / "profile.jsonl"
    writer = ProfileWriter(path, max_bytes=3000)
    for _ in range(10):
        writer.write(simulated()[2:3])
    writer.close()
    rotated = tmp_path / "profile.jsonl.1"
    assert rotated.exists() and path.stat().st_size <= 3000
    assert len(read_profile(rotated)) + len(read_profile(path)) <= 10
    assert len(read_profile(path)) >= 1
