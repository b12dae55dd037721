"""The missing-index advisor against hand-built cases: ESR order whatever the filter's key
order, sort directions, existing indexes and prefixes, suggestions folded into longer ones,
covered queries, empty filters, $or branches, the 16-field cap, ranking and severity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from analyzers.base import AnalysisContext, run_analyzers
from analyzers.index_advice import IndexNeed, Predicates, classify, esr_need, serves
from analyzers.indexes import MissingIndexAdvisor
from collectors.mongo_normalize import Normalizer
from perfsight.config.analysis import AnalysisSettings
from perfsight.models import Finding, IndexKey, QueryEvent

T0 = datetime(2024, 7, 9, 18, 0, tzinfo=UTC)


def op(
    command: dict[str, Any],
    *,
    ns: str = "travel.leads",
    kind: str = "query",
    examined: int = 50_000,
    returned: int | None = 20,
    plan: str = "COLLSCAN",
    runs: int = 1,
    **extra: Any,
) -> list[QueryEvent]:
    """``runs`` profiler documents of one operation, through the real normaliser."""
    events = []
    for index in range(runs):
        doc = {
            "op": kind,
            "ns": ns,
            "command": command,
            "ts": T0 + timedelta(seconds=index),
            "millis": 120,
            "docsExamined": examined,
            "keysExamined": 0 if plan == "COLLSCAN" else examined,
            "planSummary": plan,
            **extra,
        }
        if returned is not None:  # writes report nMatched / ndeleted instead
            doc["nreturned"] = returned
        event = Normalizer().profile_document(doc)
        assert event is not None
        events.append(event)
    return events


def advise(
    *batches: list[QueryEvent],
    indexes: dict[str, list[IndexKey]] | None = None,
    settings: AnalysisSettings | None = None,
) -> list[Finding]:
    context = AnalysisContext(settings=settings or AnalysisSettings(), indexes=indexes or {})
    events = [event for batch in batches for event in batch]
    return run_analyzers([MissingIndexAdvisor(context)], events)


def find(
    filter_: dict[str, Any], sort: dict[str, int] | None = None, **kw: Any
) -> list[QueryEvent]:
    command: dict[str, Any] = {"find": "leads", "filter": filter_, "$db": "travel"}
    if sort:
        command["sort"] = sort
    command["limit"] = 20
    return op(command, **kw)


LEADS = {"tenant": "acme", "status": "open"}


def test_the_leads_example_gives_the_exact_create_index_command() -> None:
    (finding,) = advise(find(LEADS, {"createdAt": -1}, runs=3))
    assert finding.kind == "missing_index" and finding.namespace == "travel.leads"
    assert finding.index == (("tenant", 1), ("status", 1), ("createdAt", -1))
    assert finding.suggestion == 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})'
    assert finding.fingerprint == (
        'db.leads.find({"tenant":"?","status":"?"}).sort({"createdAt":-1}).limit(?)'
    )
    assert finding.severity == "critical" and finding.confidence == "high"
    evidence = finding.evidence
    assert evidence["executions"] == 3 and evidence["docs_examined"] == 150_000
    assert evidence["wasted_docs"] == 150_000 - 60 and evidence["collection_scans"] == 3
    assert evidence["esr"] == {
        "equality": ["tenant", "status"],
        "sort": [["createdAt", -1]],
        "range": [],
    }
    assert finding.first_seen == T0 and finding.last_seen == T0 + timedelta(seconds=2)


def test_esr_order_whatever_the_filter_key_order() -> None:
    query = {"createdAt": {"$gte": "2024-01-01"}, "status": "open", "tenant": "acme"}
    (finding,) = advise(find(query, {"score": -1, "name": 1}))
    assert finding.index == (
        ("status", 1),
        ("tenant", 1),
        ("score", -1),
        ("name", 1),
        ("createdAt", 1),
    )


@pytest.mark.parametrize(
    ("query", "sort", "expected"),
    [
        # $in is equality (the server expands it), $gt a range
        ({"b": {"$gt": 1}, "a": {"$in": [1, 2]}}, {"c": 1}, [("a", 1), ("c", 1), ("b", 1)]),
        # $ne, $exists and $regex are ranges, in filter order
        (
            {"name": {"$regex": "^A"}, "on": {"$exists": True}, "t": "x", "n": {"$ne": 0}},
            None,
            [("t", 1), ("name", 1), ("on", 1), ("n", 1)],
        ),
        # a range field that is also sorted on goes with the sort, in its direction
        ({"age": {"$gt": 20}, "s": 1}, {"age": -1}, [("s", 1), ("age", -1)]),
        # an equality field that is also sorted on stays equality; the sort on it is constant
        ({"s": 1}, {"s": 1, "t": -1}, [("s", 1), ("t", -1)]),
        # $and is flattened; equality wins over a range on the same field
        ({"$and": [{"a": 1}, {"a": {"$gt": 0}}, {"b": {"$lt": 5}}]}, None, [("a", 1), ("b", 1)]),
        # $text / $where / geo are left out of a B-tree key
        ({"$text": {"$search": "x"}, "t": "a", "loc": {"$near": [1, 2]}}, None, [("t", 1)]),
        # an empty filter with a sort: an index on the sort
        ({}, {"createdAt": -1}, [("createdAt", -1)]),
    ],
)
def test_operator_treatment(
    query: dict[str, Any], sort: dict[str, int] | None, expected: list[tuple[str, int]]
) -> None:
    (finding,) = advise(find(query, sort))
    assert list(finding.index or ()) == expected


def test_or_branches_each_get_their_index() -> None:
    findings = advise(find({"$or": [{"a": 1}, {"b": {"$gt": 2}}], "c": 3}))
    assert sorted(f.index for f in findings if f.index) == [
        (("c", 1), ("a", 1)),
        (("c", 1), ("b", 1)),
    ]
    assert all(f.fingerprint and " $or[" in f.fingerprint for f in findings)
    assert len({f.id for f in findings}) == 2


def test_no_suggestion_for_an_empty_filter_without_sort() -> None:
    assert advise(find({}, examined=1_000_000, returned=1_000_000)) == []
    assert advise(op({"count": "leads", "query": {}}, kind="command", examined=10**6)) == []


def test_existing_indexes_that_serve_the_query() -> None:
    events = find(LEADS, {"createdAt": -1})
    for existing in (
        (("tenant", 1), ("status", 1), ("createdAt", -1)),  # the same
        (
            ("status", 1),
            ("tenant", 1),
            ("createdAt", -1),
            ("x", 1),
        ),  # equality in any order, longer
        (("tenant", -1), ("status", 1), ("createdAt", 1)),  # walked backwards
    ):
        assert advise(events, indexes={"travel.leads": [existing]}) == [], existing
    for not_serving in (
        (("tenant", 1), ("createdAt", -1)),  # misses status
        (("createdAt", -1), ("tenant", 1), ("status", 1)),  # sort before equality
        (("tenant", 1), ("status", 1)),  # no sort
    ):
        assert len(advise(events, indexes={"travel.leads": [not_serving]})) == 1, not_serving
    # an index on another collection does not count
    assert len(advise(events, indexes={"travel.users": [(("tenant", 1),)]})) == 1


def test_an_index_the_plans_show_in_use_exists() -> None:
    used = find({"color": "red"}, plan="IXSCAN { color: 1 }", examined=40_000, returned=10)
    scanned = find({"color": "blue"}, sort={"_id": 1}, examined=40_000, returned=10)
    # the first shape already uses {color: 1}: suggesting it again would be wrong
    findings = advise(used, scanned)
    assert [f.index for f in findings] == [(("color", 1), ("_id", 1))]


def test_id_equality_is_served_by_the_id_index() -> None:
    assert advise(find({"_id": 5}, examined=1, returned=0)) == []


def test_shorter_suggestions_fold_into_longer_ones() -> None:
    short = find({"tenant": "a"}, examined=20_000, returned=10)
    permuted = find({"status": "x", "tenant": "a"}, examined=30_000, returned=10)
    long = find(LEADS, {"createdAt": -1}, examined=50_000, returned=20)
    other = find({"owner": "z"}, examined=5_000, returned=1)
    findings = advise(short, permuted, long, other)
    assert [f.index for f in findings] == [
        (("tenant", 1), ("status", 1), ("createdAt", -1)),
        (("owner", 1),),
    ]
    folded = findings[0].evidence
    assert len(folded["shapes"]) == 3 and folded["executions"] == 3
    assert folded["docs_examined"] == 100_000


def test_sixteen_fields_at_most() -> None:
    query = {f"f{i:02d}": i for i in range(20)}
    (finding,) = advise(find(query))
    assert finding.index is not None and len(finding.index) == 16
    assert [f for f, _ in finding.index] == [f"f{i:02d}" for i in range(16)]
    assert finding.evidence["truncated_from"] == 20


def test_ranking_by_wasted_work_then_total_time() -> None:
    small = find({"a": 1}, examined=20_000, returned=10)
    big = find({"b": 1}, examined=90_000, returned=10)
    tie = op({"find": "leads", "filter": {"c": 1}}, examined=20_000, returned=10, millis=9_000)
    findings = advise(small, big, tie)
    assert [f.index for f in findings] == [(("b", 1),), (("c", 1),), (("a", 1),)]


def test_severity_and_confidence_follow_the_documented_thresholds() -> None:
    tiny = advise(find({"a": 1}, examined=10, returned=2))
    assert [(f.severity, f.confidence) for f in tiny] == [("info", "low")]
    assert "collection scan" in tiny[0].evidence["reasons"]
    scan = find({"a": 1}, plan="IXSCAN { x: 1 }", examined=2_000, returned=10)
    assert [f.severity for f in advise(scan)] == ["warning"]
    assert "examined 200 documents per document returned" in advise(scan)[0].evidence["reasons"]
    assert advise(find({"a": 1}, plan="IXSCAN { x: 1 }", examined=90, returned=10)) == []
    assert [f.severity for f in advise(find({"a": 1}, examined=10_000, returned=5))] == ["critical"]
    spilled = find(
        {"a": 1},
        {"b": 1},
        plan="IXSCAN { a: 1 }",
        examined=50,
        returned=50,
        hasSortStage=True,
        usedDisk=True,
    )
    assert [(f.severity, f.index) for f in advise(spilled)] == [("critical", (("a", 1), ("b", 1)))]
    sorted_in_memory = find(
        {"a": 1}, {"b": 1}, plan="IXSCAN { a: 1 }", examined=40, returned=40, hasSortStage=True
    )
    assert [f.severity for f in advise(sorted_in_memory)] == ["info"]
    strict = AnalysisSettings(index_scan_ratio=5, index_min_wasted_docs=10)
    assert [
        f.severity
        for f in advise(
            find({"a": 1}, plan="IXSCAN { x: 1 }", examined=90, returned=10), settings=strict
        )
    ] == ["warning"]


def test_writes_use_their_matched_counts_and_get_more_counts_for_its_query() -> None:
    update = op(
        {"q": {"email": "x"}, "u": {"$set": {"a": 1}}},
        kind="update",
        examined=30_000,
        returned=None,
        nMatched=1,
    )
    (finding,) = advise(update)
    assert finding.index == (("email", 1),) and finding.evidence["returned"] == 1
    first = find({"tenant": "a"}, examined=100, returned=101, plan="COLLSCAN")
    more = op(
        {"getMore": 1, "collection": "leads"},
        kind="getmore",
        examined=20_000,
        returned=10,
        originatingCommand={"find": "leads", "filter": {"tenant": "b"}, "limit": 20},
    )
    (finding,) = advise(first, more)
    assert finding.evidence["executions"] == 2 and finding.evidence["docs_examined"] == 20_100
    assert finding.fingerprint == 'db.leads.find({"tenant":"?"}).limit(?)'


def test_admin_inserts_and_truncated_commands_are_not_analysed() -> None:
    admin = find({"purpose": "HMAC"}, ns="admin.system.keys")
    config = op({"find": "x", "filter": {"a": 1}}, ns="config.x")
    insert = op({"insert": "leads"}, kind="insert")
    truncated = op({"$truncated": '{ find: "leads", filter: { a: 1 } }'})
    assert advise(admin, config, insert, truncated) == []


def test_advisors_fed_in_parts_merge_to_the_same_findings() -> None:
    events = [*find(LEADS, {"createdAt": -1}, runs=4), *find({"owner": 1}, runs=3)]
    whole = advise(events)
    left, right = MissingIndexAdvisor(), MissingIndexAdvisor()
    for index, event in enumerate(events):
        (left if index % 2 else right).feed(event)
    left.merge(right)
    assert [f.to_dict() for f in left.findings()] == [f.to_dict() for f in whole]


def test_serves_is_a_prefix_check_in_esr_order() -> None:
    need = esr_need(Predicates(equality=("a", "b"), range=("r",)), [("s", -1)])
    assert isinstance(need, IndexNeed) and need.key == (("a", 1), ("b", 1), ("s", -1), ("r", 1))
    assert serves((("b", 1), ("a", -1), ("s", 1), ("r", -1), ("z", 1)), need)
    assert not serves((("a", 1), ("b", 1), ("s", -1)), need)  # too short
    assert not serves((("a", 1), ("b", 1), ("s", -1), ("r", "hashed")), need)  # no range on hashed
    assert esr_need(Predicates(), None) is None
    assert classify({"$or": [{"a": 1}, {"$or": [{"b": 1}, {"c": 1}]}]}) == [
        Predicates(equality=("a",)),
        Predicates(equality=("b",)),
        Predicates(equality=("c",)),
    ]
