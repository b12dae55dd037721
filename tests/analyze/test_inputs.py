"""Small input pieces: the fast QueryEvent builder, the --indexes file, Extended JSON values."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.event_factory import EVENT_FIELDS, event_from_values, new_event
from collectors.extjson import to_datetime, to_float, to_int
from collectors.index_file import load_indexes
from perfsight.errors import InputError
from perfsight.models import QueryEvent

TS = datetime(2024, 1, 1, tzinfo=UTC)


def test_fast_builders_make_real_immutable_query_events() -> None:
    fields = {
        "ts": TS,
        "op": "query",
        "namespace": "a.b",
        "command_name": "find",
        "fingerprint": "db.b.find({})",
        "millis": 3.0,
        "nreturned": 2,
        "raw": {"x": 1},
    }
    slow = QueryEvent(**fields)  # type: ignore[arg-type]
    fast = new_event(**fields)
    values = [
        fields.get(name, f.default)
        for name, f in zip(EVENT_FIELDS, dataclasses.fields(QueryEvent), strict=False)
    ]
    positional = event_from_values(*values)
    assert type(fast) is QueryEvent and type(positional) is QueryEvent
    assert fast == slow == positional
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.op = "getmore"  # type: ignore[misc]
    assert dataclasses.replace(fast, op="getmore").op == "getmore"
    assert (
        tuple(f.name for f in dataclasses.fields(QueryEvent))[: len(EVENT_FIELDS)] == EVENT_FIELDS
    )


def test_extended_json_values() -> None:
    assert to_datetime({"$date": "2024-01-01T02:00:00+02:00"}) == TS
    assert to_datetime({"$date": 1704067200000}) == TS
    assert to_datetime({"$date": {"$numberLong": "1704067200000"}}) == TS
    assert to_datetime(datetime(2024, 1, 1)) == TS  # naive: UTC
    assert to_datetime("2024-01-01T00:00:00Z") == TS
    assert to_int({"$numberLong": "9007199254740993"}) == 9007199254740993
    assert to_int(None) is None and to_int(4.0) == 4
    assert to_float({"$numberDouble": "1.5"}) == 1.5
    for bad in ("12", True, [1], {"$numberLong": "x"}):
        with pytest.raises(ValueError, match="not a number"):
            to_int(bad)
    with pytest.raises(ValueError, match="not a date"):
        to_datetime(12)


def test_index_file_shapes(tmp_path: Path) -> None:
    path = tmp_path / "indexes.json"
    path.write_text(
        json.dumps(
            {
                "travel.leads": {
                    "_id_": {"key": [["_id", 1]], "v": 2},
                    "t_s": {"key": [["tenant", 1], ["status", -1.0]], "unique": True},
                    "open": {"key": [["status", 1]], "partialFilterExpression": {"open": True}},
                    "text": {"key": [["_fts", "text"], ["_ftsx", 1]]},
                },
                "travel.users": [{"name": "email_1", "key": {"email": {"$numberInt": "1"}}}],
            }
        )
    )
    indexes, notes = load_indexes(path)
    assert indexes == {
        "travel.leads": [
            (("_id", 1),),
            (("tenant", 1), ("status", -1)),
            (("_fts", "text"), ("_ftsx", 1)),
        ],
        "travel.users": [(("email", 1),)],
    }
    assert len(notes) == 1 and "partial index left out" in notes[0]
    path.write_text(json.dumps([{"ns": "a.b", "key": {"x": -1}, "name": "x_-1"}]))
    assert load_indexes(path)[0] == {"a.b": [(("x", -1),)]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1", "not JSON"),
        ('{"leads": {}}', "'leads' is not a namespace"),
        ('{"a.b": {"x": {"v": 2}}}', "a.b index x: an index needs its 'key'"),
        ('{"a.b": {"x": {"key": [["f", 0]]}}}', "bad direction 0 for 'f'"),
        ('{"a.b": {"x": {"key": []}}}', "'key' must be a non-empty list or object"),
        ('{"a.b": 5}', "expected the indexes as an object or a list"),
        ('[{"key": {"a": 1}}]', "needs an 'ns'"),
    ],
)
def test_bad_index_files_say_where(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "indexes.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_indexes(path)
    assert message in str(info.value) and str(path) in str(info.value)
    with pytest.raises(InputError, match="cannot read"):
        load_indexes(tmp_path / "absent.json")
