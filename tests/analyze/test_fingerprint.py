"""The fingerprinter: mongosh-style text, literals masked, keys/operators/directions kept,
stable across values, distinct across namespaces and commands."""

from __future__ import annotations

from typing import Any

import pytest

from analyzers.fingerprint import base_fingerprint, fingerprint, shape_of
from analyzers.shapes import shape_id


def test_the_issue_example() -> None:
    command = {
        "find": "leads",
        "filter": {"tenant": "acme", "status": "open"},
        "sort": {"createdAt": -1},
        "limit": 20,
        "lsid": {"id": {"$uuid": "00b6980f-5d64-4406-af46-b43824099f31"}},
        "$db": "travel",
    }
    assert (
        fingerprint(command, "travel.leads")
        == 'db.leads.find({"tenant":"?","status":"?"}).sort({"createdAt":-1}).limit(?)'
    )


@pytest.mark.parametrize(
    ("command", "op", "expected"),
    [
        (
            {
                "aggregate": "leads",
                "pipeline": [
                    {"$match": {"tenant": "acme", "score": {"$gte": 5}}},
                    {"$sort": {"score": -1}},
                    {"$group": {"_id": "$owner", "n": {"$sum": 1}}},
                    {
                        "$lookup": {
                            "from": "users",
                            "localField": "_id",
                            "foreignField": "_id",
                            "as": "u",
                        }
                    },
                    {"$limit": 10},
                ],
                "cursor": {},
            },
            "command",
            'db.leads.aggregate([{"$match":{"tenant":"?","score":{"$gte":"?"}}},{"$sort":{"score":-1}},'
            '{"$group":{"_id":"$owner","n":{"$sum":"?"}}},{"$lookup":{"from":"users","localField":"_id",'
            '"foreignField":"_id","as":"u"}},{"$limit":"?"}])',
        ),
        (
            {"count": "leads", "query": {"tenant": "a"}, "limit": 5},
            "command",
            'db.leads.count({"tenant":"?"}).limit(?)',
        ),
        (
            {"distinct": "leads", "key": "status", "query": {"tenant": "a"}},
            "command",
            'db.leads.distinct("status", {"tenant":"?"})',
        ),
        (
            {"q": {"_id": 7}, "u": {"$set": {"a": 1}, "$inc": {"n": 2}}, "multi": True},
            "update",
            'db.leads.updateMany({"_id":"?"}, {"$set":{"a":"?"},"$inc":{"n":"?"}})',
        ),
        (
            {"q": {"_id": 7}, "u": {"name": "x"}, "upsert": True},
            "update",
            'db.leads.replaceOne({"_id":"?"}, "?", {"upsert":true})',
        ),
        (
            {"q": {"_id": 7}, "u": [{"$set": {"a": "$b"}}]},
            "update",
            'db.leads.updateOne({"_id":"?"}, [{"$set":{"a":"$b"}}])',
        ),
        ({"q": {"s": "x"}, "limit": 0}, "remove", 'db.leads.deleteMany({"s":"?"})'),
        (
            {
                "findAndModify": "leads",
                "query": {"s": 1},
                "sort": {"t": 1},
                "update": {"$set": {"s": 2}},
                "new": True,
            },
            "command",
            'db.leads.findAndModify({"query":{"s":"?"},"sort":{"t":1},"update":{"$set":{"s":"?"}},"new":true})',
        ),
        ({"insert": "leads", "ordered": True}, "insert", "db.leads.insert(?)"),
        (
            {"listIndexes": "leads", "cursor": {}},
            "command",
            'db.runCommand({"listIndexes":"leads","cursor":"?"})',
        ),
        (
            {
                "find": "leads",
                "filter": {"a": 1},
                "projection": {"name": 1, "tags": {"$slice": 3}},
                "skip": 40,
                "hint": {"a": 1},
            },
            "query",
            'db.leads.find({"a":"?"}, {"name":1,"tags":{"$slice":"?"}}).skip(?).hint({"a":1})',
        ),
    ],
)
def test_commands(command: dict[str, Any], op: str, expected: str) -> None:
    assert shape_of(command, namespace="travel.leads", op=op).fingerprint == expected


@pytest.mark.parametrize(
    "query",
    [
        {"a": {"$in": [1, 2, 3]}, "b": {"$exists": True}, "c": {"$regex": "^x", "$options": "i"}},
        {"$or": [{"a": 1}, {"b": {"$gt": 2}}], "c": {"$elemMatch": {"d": 1, "e": {"$lt": 3}}}},
        {
            "when": {"$gte": {"$date": "2024-01-01T00:00:00Z"}},
            "id": {"$oid": "65f854622d7d6b4a0f60378a"},
        },
        {"$expr": {"$gt": ["$spent", "$budget"]}, "doc": {"x": 1, "y": [1, 2]}},
        {"n": {"$not": {"$gt": 5}}, "big": {"$numberLong": "12"}},
    ],
)
def test_stable_when_values_change_and_params_hash_follows_values(query: dict[str, Any]) -> None:
    other = _revalue(query)
    first = shape_of({"find": "leads", "filter": query}, namespace="t.leads")
    second = shape_of({"find": "leads", "filter": other}, namespace="t.leads")
    assert first.fingerprint == second.fingerprint
    assert first.filter_shape == second.filter_shape
    assert first.params_hash != second.params_hash
    again = shape_of({"find": "leads", "filter": query}, namespace="t.leads")
    assert again.params_hash == first.params_hash


def _revalue(value: Any, key: str = "") -> Any:
    """The same structure with other literal values (names, operators and paths kept)."""
    if isinstance(value, dict):
        return {k: _revalue(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_revalue(v, key) for v in value] + ([] if key in ("$or", "$gt") else [99])
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1000
    if isinstance(value, str):
        return value if value.startswith("$") else value + "-other"
    return value


def test_in_lists_of_any_length_are_one_shape() -> None:
    short = fingerprint({"find": "l", "filter": {"s": {"$in": [1]}}}, "t.l")
    long = fingerprint({"find": "l", "filter": {"s": {"$in": list(range(50))}}}, "t.l")
    assert short == long == 'db.l.find({"s":{"$in":"?"}})'


def test_distinct_across_namespaces_and_commands() -> None:
    query = {"tenant": "a"}
    leads = fingerprint({"find": "leads", "filter": query}, "travel.leads")
    users = fingerprint({"find": "users", "filter": query}, "travel.users")
    count = fingerprint({"count": "leads", "query": query}, "travel.leads")
    assert len({leads, users, count}) == 3
    # the same collection name in two databases: the shape (namespace + fingerprint) differs,
    # and so does the params hash
    other_db = shape_of({"find": "leads", "filter": query}, namespace="crm.leads")
    same_db = shape_of({"find": "leads", "filter": query}, namespace="travel.leads")
    assert shape_id("crm.leads", other_db.fingerprint) != shape_id("travel.leads", leads)
    assert other_db.params_hash != same_db.params_hash


def test_key_order_and_sort_direction_are_part_of_the_shape() -> None:
    ab = fingerprint({"find": "l", "filter": {"a": 1, "b": 2}}, "t.l")
    ba = fingerprint({"find": "l", "filter": {"b": 2, "a": 1}}, "t.l")
    up = fingerprint({"find": "l", "filter": {}, "sort": {"a": 1}}, "t.l")
    down = fingerprint({"find": "l", "filter": {}, "sort": {"a": {"$numberInt": "-1"}}}, "t.l")
    assert ab != ba and up != down
    assert down == 'db.l.find({}).sort({"a":-1})'


def test_generic_fields_never_reach_the_fingerprint() -> None:
    base = {"find": "l", "filter": {"a": 1}}
    noisy = {
        **base,
        "lsid": {"id": {"$uuid": "73377d32-0cd1-466f-97c5-d6035ebd9746"}},
        "$clusterTime": {"clusterTime": {"$timestamp": {"t": 1, "i": 2}}},
        "$readPreference": {"mode": "primary"},
        "comment": {"rid": "r1"},
        "$db": "t",
    }
    assert shape_of(noisy, namespace="t.l") == shape_of(base, namespace="t.l")


def test_get_more_without_origin_and_base_fingerprint() -> None:
    more = shape_of({"getMore": 5, "collection": "leads"}, namespace="t.leads", op="getmore")
    assert more.fingerprint == "db.leads.getMore()"
    find = 'db.leads.find({"a":"?"})'
    assert base_fingerprint(find + ".getMore()") == find
    assert base_fingerprint(find) == find


def test_collection_names_that_are_no_identifier() -> None:
    shape = shape_of({"find": "system.js", "filter": {}}, namespace="travel.system.js")
    assert shape.fingerprint == 'db.getCollection("system.js").find({})'
    dashed = shape_of({"count": "audit-log"}, namespace="travel.audit-log")
    assert dashed.fingerprint == 'db.getCollection("audit-log").count({})'


def test_update_command_line_names_its_collection() -> None:
    shape = shape_of({"update": "customers", "ordered": True}, namespace="test.$cmd")
    assert shape.collection == "customers"
    assert shape.fingerprint == "db.customers.update(?)"
    ping = shape_of({"getLog": "startupWarnings"}, namespace="admin.$cmd")
    assert ping.collection is None
