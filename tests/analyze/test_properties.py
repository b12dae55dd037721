"""Property tests (hypothesis) of the fingerprinter and the parsers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analyzers.fingerprint import shape_of
from analyzers.masking import MASK
from collectors.input_report import InputReport
from collectors.json_documents import DocumentScanner
from collectors.mongo_log import read_log
from collectors.profile_file import ProfileFileReader

SETTINGS = settings(
    deadline=None,
    # HYP_N=2000 for a longer local run; 150 keeps the suite fast
    max_examples=int(os.environ.get("HYP_N", "150")),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

MARK = "LIT-"  # every generated literal string starts with it; no key or operator does
field_names = st.text("abcdefghij_.", min_size=1, max_size=6).filter(lambda s: s[0] != ".")
literal_strings = st.text("xyz0123 ", max_size=8).map(lambda s: MARK + s)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    literal_strings,
    st.builds(lambda s: {"$date": "2024-01-01T00:00:00Z", "x": s}, literal_strings).map(
        lambda d: {"$date": d["x"]}
    ),
)
literals = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(field_names, scalars, min_size=1, max_size=3),
)
comparisons = st.sampled_from(["$gt", "$gte", "$lt", "$lte", "$ne", "$eq", "$exists", "$regex"])


def predicates(queries: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    return st.one_of(
        literals,
        st.dictionaries(comparisons, scalars, min_size=1, max_size=2),
        st.builds(lambda v: {"$in": v}, st.lists(scalars, max_size=5)),
        st.builds(lambda v: {"$nin": v}, st.lists(scalars, max_size=5)),
        st.builds(lambda q: {"$elemMatch": q}, queries),
        st.builds(lambda v: {"$not": {"$gt": v}}, scalars),
    )


queries = st.recursive(
    st.dictionaries(field_names, literals, max_size=3),
    lambda inner: st.one_of(
        st.dictionaries(field_names, predicates(inner), min_size=1, max_size=4),
        st.builds(lambda qs: {"$or": qs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(
            lambda qs, extra: {"$and": qs, **extra},
            st.lists(inner, min_size=1, max_size=2),
            st.dictionaries(field_names, predicates(inner), max_size=2),
        ),
    ),
    max_leaves=12,
)


def revalue(value: Any, *, query: bool) -> Any:
    """Every literal changed, every key, operator and logical list length kept."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) == "$date":
            return {"$date": "2030-06-01T00:00:00Z"}
        if query:
            out = {}
            for key, item in value.items():
                if key in ("$or", "$and", "$nor"):
                    out[key] = [revalue(q, query=True) for q in item]
                elif key == "$elemMatch" and isinstance(item, dict):
                    out[key] = revalue(item, query=not next(iter(item), "").startswith("$"))
                elif isinstance(item, dict) and item and next(iter(item)).startswith("$"):
                    out[key] = revalue(item, query=True)  # operators, $not included
                else:
                    out[key] = revalue(item, query=False)
            return out
        return {key: revalue(item, query=False) for key, item in value.items()}
    if isinstance(value, list):
        return [revalue(item, query=False) for item in value] + [MARK + "extra"]
    if value is None:
        return MARK + "was-null"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 7
    return value + "!"


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@SETTINGS
@given(query=queries, limit=st.integers(1, 500), sort_dir=st.sampled_from([1, -1]))
def test_fingerprint_is_stable_when_values_change(
    query: dict[str, Any], limit: int, sort_dir: int
) -> None:
    command = {"find": "leads", "filter": query, "sort": {"createdAt": sort_dir}, "limit": limit}
    other = {**command, "filter": revalue(query, query=True), "limit": limit + 1}
    first = shape_of(command, namespace="travel.leads")
    second = shape_of(other, namespace="travel.leads")
    assert first.fingerprint == second.fingerprint
    assert first.filter_shape == second.filter_shape
    assert first.params_hash != second.params_hash
    assert MARK not in first.fingerprint  # no literal leaks into the fingerprint
    assert all(
        leaf == MASK or (isinstance(leaf, str) and leaf.startswith("$"))
        for leaf in _leaves(first.filter_shape)
    )


@SETTINGS
@given(query=queries)
def test_fingerprint_is_distinct_across_namespaces_and_commands(query: dict[str, Any]) -> None:
    find = shape_of({"find": "leads", "filter": query}, namespace="travel.leads")
    other_collection = shape_of({"find": "users", "filter": query}, namespace="travel.users")
    count = shape_of({"count": "leads", "query": query}, namespace="travel.leads")
    delete = shape_of({"q": query, "limit": 0}, namespace="travel.leads", op="remove")
    texts = {find.fingerprint, other_collection.fingerprint, count.fingerprint, delete.fingerprint}
    assert len(texts) == 4
    other_db = shape_of({"find": "leads", "filter": query}, namespace="crm.leads")
    assert other_db.params_hash != find.params_hash


def _json_values(integers: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            integers,
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=6),
        ),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.one_of(
                    st.text(max_size=5), st.sampled_from(["$in", "$or", "$match", "$date", "$gt"])
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=20,
    )


json_values = _json_values(st.integers())  # unbounded: beyond 64 bits too
json_documents = _json_values(st.integers(-(2**63), 2**63 - 1))  # what orjson writes


@SETTINGS
@given(
    command=st.dictionaries(
        st.sampled_from(
            [
                "find",
                "aggregate",
                "count",
                "distinct",
                "findAndModify",
                "getMore",
                "update",
                "delete",
                "insert",
                "hello",
                "q",
                "u",
                "filter",
                "query",
                "pipeline",
                "sort",
                "projection",
                "limit",
                "skip",
                "key",
                "$truncated",
            ]
        ),
        json_values,
        max_size=6,
    ),
    op=st.sampled_from(["query", "command", "update", "remove", "getmore", "insert"]),
    origin=st.one_of(
        st.none(), st.dictionaries(st.sampled_from(["find", "filter", "sort"]), json_values)
    ),
)
def test_fingerprint_never_fails_on_odd_commands(
    command: dict[str, Any], op: str, origin: dict[str, Any] | None
) -> None:
    shape = shape_of(command, namespace="db.coll", op=op, origin=origin)
    assert isinstance(shape.fingerprint, str) and shape.fingerprint
    assert len(shape.params_hash) == 16


def _sample_lines() -> list[bytes]:
    root = Path(__file__).resolve().parents[3] / "shared" / "mongo-samples"
    path = root / "hatchet-sample-mongod-6.0.11-slowqueries.jsonl"
    if path.exists():
        return path.read_bytes().splitlines()[:20]
    line = {
        "t": {"$date": "2024-01-01T00:00:00Z"},
        "c": "COMMAND",
        "id": 51803,
        "ctx": "c1",
        "attr": {
            "type": "command",
            "ns": "a.b",
            "command": {"find": "b", "filter": {"x": 1}},
            "durationMillis": 3,
        },
    }
    return [orjson.dumps(line)]


SAMPLE_LINES = _sample_lines()


def _mangle(line: bytes, how: int, cut: int) -> bytes:
    if how == 0:
        return line
    if how == 1:
        return line[: cut % max(len(line), 1)]  # a line cut short
    doc = orjson.loads(line)
    if how == 2:
        doc["attr"].pop(["ns", "command", "durationMillis"][cut % 3], None)
    elif how == 3:
        doc["attr"]["durationMillis"] = "slow"
    elif how == 4:
        doc["attr"]["command"] = ["not", "a", "document"]
    elif how == 5:
        doc["id"] = 22943  # another log message
    return orjson.dumps(doc)


log_lines = st.one_of(
    st.builds(_mangle, st.sampled_from(SAMPLE_LINES), st.integers(0, 5), st.integers(0, 10_000)),
    st.binary(max_size=80).map(lambda b: b.replace(b"\n", b" ")),
    st.just(b""),
)


@SETTINGS
@given(lines=st.lists(log_lines, max_size=30))
def test_log_reader_accounts_for_every_line_and_never_crashes(
    lines: list[bytes], tmp_path: Path
) -> None:
    data = b"".join(line + b"\n" for line in lines)
    assume(not data.startswith(b"\x1f\x8b"))  # that is a gzip file (its own test)
    path = tmp_path / "mongod.log"
    path.write_bytes(data)
    report = InputReport()
    events = list(read_log(path, report=report))
    assert report.lines_read == len(lines)
    accounted = (
        report.events
        + report.duplicates_merged
        + sum(report.skipped.values())
        + report.before_since
        + report.rejected
    )
    assert accounted == len(lines)
    assert len(events) == report.events
    for issue in report.rejections:
        assert 1 <= issue.line <= len(lines) and issue.reason


documents = st.lists(
    st.dictionaries(st.text("abc", min_size=1, max_size=3), json_documents, max_size=4),
    min_size=1,
    max_size=6,
)


def _render(docs: list[dict[str, Any]], layout: str) -> bytes:
    if layout == "lines":
        return b"".join(orjson.dumps(d) + b"\n" for d in docs)
    if layout == "array":
        return json.dumps(docs, indent=2).encode() + b"\n"
    if layout == "one-line-array":
        return orjson.dumps(docs) + b"\n"
    return b"".join(json.dumps(d, indent=4).encode() + b"\n" for d in docs)  # printed one by one


@SETTINGS
@given(docs=documents, layout=st.sampled_from(["lines", "array", "one-line-array", "pretty"]))
def test_document_scanner_splits_every_layout(docs: list[dict[str, Any]], layout: str) -> None:
    data = _render(docs, layout)
    scanner = DocumentScanner()
    items = list(scanner.feed(data.splitlines(keepends=True)))
    items += list(scanner.finish())
    assert [i.error for i in items if i.error] == []
    assert [i.value for i in items] == docs
    assert scanner.offset == len(data)


@SETTINGS
@given(
    filters=st.lists(st.dictionaries(field_names, literals, max_size=3), min_size=1, max_size=6),
    layout=st.sampled_from(["lines", "array", "one-line-array", "pretty"]),
    cut=st.floats(0, 1),
)
def test_incremental_reads_see_each_document_once(
    filters: list[dict[str, Any]], layout: str, cut: float, tmp_path: Path
) -> None:
    """A profile file read while it is being written (cut anywhere), then read on from the
    stored cursor once complete, yields every document exactly once, in order."""
    docs = [
        {
            "op": "query",
            "ns": "travel.leads",
            "ts": {"$date": "2024-07-09T18:41:16.223Z"},
            "millis": index,
            "command": {"find": "leads", "filter": query},
        }
        for index, query in enumerate(filters)
    ]
    data = _render(docs, layout)
    path = tmp_path / f"profile-{layout}.json"
    path.write_bytes(data[: int(len(data) * cut)])
    first = ProfileFileReader(path, incremental=True)
    seen = [e.millis for e in first.events()]
    with path.open("ab") as handle:
        handle.write(data[int(len(data) * cut) :])
    second = ProfileFileReader(path, cursor=first.cursor, incremental=True)
    seen += [e.millis for e in second.events()]
    assert second.restarted is None
    assert first.report.rejected == second.report.rejected == 0
    assert seen == list(range(len(docs)))
