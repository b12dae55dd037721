"""The simulated planner: which plan MongoDB would pick and how much it would read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mongomock
import pytest

from perfsight.demo.planner import (
    ID_INDEX,
    IndexSpec,
    choose_index,
    plan_query,
    plan_summary,
    predicate_kind,
)

LEADS_INDEX = IndexSpec((("tenantId", 1), ("status", 1), ("createdAt", -1)))
TENANT_DATE = IndexSpec((("tenantId", 1), ("createdAt", -1)))
STATUS = IndexSpec((("status", 1),))

# 1000 leads: tenant a holds 800, b 200; status cycles over 4 values; createdAt = row number.
DOCS = [
    {"_id": n, "tenantId": "a" if n % 5 else "b", "status": ("new", "won", "lost", "open")[n % 4],
     "createdAt": n}
    for n in range(1000)
]  # fmt: skip


def counter(docs: list[dict[str, Any]] = DOCS) -> Any:
    collection = mongomock.MongoClient().db.leads
    collection.insert_many([dict(d) for d in docs])

    def matching(filter_: Mapping[str, Any]) -> int:
        return int(collection.count_documents(dict(filter_)))

    return matching


MATCHING = counter()


def plan(filter_: dict[str, Any], sort: tuple[tuple[str, int], ...] = (), **kw: Any) -> Any:
    indexes = kw.pop("indexes", (LEADS_INDEX,))
    return plan_query(filter_, sort, indexes, len(DOCS), matching=MATCHING, **kw)


def test_summary_is_mongodb_format() -> None:
    assert plan_summary(LEADS_INDEX) == "IXSCAN { tenantId: 1, status: 1, createdAt: -1 }"
    assert plan_summary(None) == "COLLSCAN"
    assert LEADS_INDEX.name == "tenantId_1_status_1_createdAt_-1"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("x", "eq"),
        ({"$eq": 3}, "eq"),
        ({"$in": [1]}, "eq"),
        ({"$in": [1, 2]}, "in"),
        ({"$gte": 1, "$lt": 5}, "range"),
        ({"$ne": 1}, "other"),
        ({"$regex": "^a"}, "other"),
        ({"a": 1}, "eq"),  # an embedded document compared as a whole
    ],
)
def test_predicate_kinds(value: Any, kind: str) -> None:
    assert predicate_kind(value) == kind


def test_no_index_is_a_collection_scan_with_a_sort_stage() -> None:
    result = plan({"tenantId": "a", "status": "new"}, (("createdAt", -1),), limit=20, indexes=())
    assert (result.summary, result.keys_examined, result.docs_examined) == ("COLLSCAN", 0, 1000)
    assert result.has_sort_stage


def test_filter_key_order_differs_from_the_index() -> None:
    # {status, tenantId} is served by {tenantId, status, createdAt}: key order is irrelevant.
    result = plan({"status": "new", "tenantId": "a"}, (("createdAt", -1),), limit=20)
    assert result.summary == "IXSCAN { tenantId: 1, status: 1, createdAt: -1 }"
    assert not result.has_sort_stage
    # The sort is served, so the scan stops at the limit: exactly 20 entries read.
    assert (result.keys_examined, result.docs_examined) == (20, 20)


def test_sort_served_backwards() -> None:
    result = plan({"tenantId": "b", "status": "won"}, (("createdAt", 1),))
    assert not result.has_sort_stage
    assert result.keys_examined == MATCHING({"tenantId": "b", "status": "won"})


def test_sort_not_served_when_a_field_is_skipped() -> None:
    # Equality on tenantId only: the index continues with status, not createdAt.
    result = plan({"tenantId": "a"}, (("createdAt", -1),), limit=10)
    assert result.summary.startswith("IXSCAN { tenantId: 1")
    assert result.has_sort_stage
    assert result.keys_examined == 800  # every key of the tenant, then an in-memory sort


def test_mixed_directions_are_not_served() -> None:
    index = IndexSpec((("tenantId", 1), ("status", 1), ("createdAt", -1)))
    result = plan({"tenantId": "a"}, (("status", 1), ("createdAt", 1)), indexes=(index,))
    assert result.has_sort_stage
    served = plan({"tenantId": "a"}, (("status", -1), ("createdAt", 1)), indexes=(index,))
    assert not served.has_sort_stage


def test_equality_then_range_bounds_both_fields() -> None:
    filter_ = {"tenantId": "a", "createdAt": {"$gte": 900}}
    result = plan(filter_, (), indexes=(TENANT_DATE,))
    assert result.summary == "IXSCAN { tenantId: 1, createdAt: -1 }"
    assert result.keys_examined == MATCHING(filter_) == 80


@pytest.mark.parametrize(
    "status", [{"$in": ["new", "won"]}, {"$gt": "m"}], ids=["multi-value $in", "range"]
)
def test_range_before_the_sort_field_needs_a_sort_stage(status: Any) -> None:
    # ESR broken: status (several values) comes before createdAt in the index.
    filter_ = {"tenantId": "a", "status": status}
    result = plan(filter_, (("createdAt", -1),), limit=5)
    assert result.summary.startswith("IXSCAN { tenantId: 1, status: 1")
    assert result.has_sort_stage
    assert result.keys_examined == MATCHING(filter_)


def test_residual_fields_are_fetched_and_filtered() -> None:
    # The index bounds status only; tenantId is checked on each fetched document.
    filter_ = {"status": "lost", "tenantId": "b"}
    result = plan(filter_, (), indexes=(STATUS,))
    assert result.summary == "IXSCAN { status: 1 }"
    assert result.keys_examined == result.docs_examined == MATCHING({"status": "lost"}) == 250


def test_more_bounded_fields_win() -> None:
    choice = choose_index({"tenantId": "a", "status": "new"}, (), (TENANT_DATE, LEADS_INDEX))
    assert choice is not None and choice.index == LEADS_INDEX


def test_an_index_that_only_sorts_is_a_full_index_scan() -> None:
    result = plan({"notIndexed": 1}, (("tenantId", 1),), indexes=(TENANT_DATE,))
    assert result.summary == "IXSCAN { tenantId: 1, createdAt: -1 }"
    assert result.keys_examined == 1000 and not result.has_sort_stage


def test_id_equality_is_idhack() -> None:
    found = plan({"_id": 7}, (), limit=1)
    missing = plan({"_id": 10_000}, (), limit=1)
    assert (found.summary, found.keys_examined, found.docs_examined) == ("IDHACK", 1, 1)
    assert (missing.keys_examined, missing.docs_examined) == (0, 0)


def test_id_in_uses_the_id_index() -> None:
    result = plan({"_id": {"$in": [1, 2, 3, 5000]}}, ())
    assert result.summary == "IXSCAN { _id: 1 }" and result.index == ID_INDEX
    assert result.keys_examined == 3


def test_collection_scan_with_limit_stops_early() -> None:
    # 200 documents of tenant b spread over 1000: 10 are found after about 50 reads.
    result = plan({"tenantId": "b"}, (), limit=10, indexes=())
    assert result.summary == "COLLSCAN"
    assert result.docs_examined == 50


def test_skip_counts_towards_the_entries_read() -> None:
    result = plan({"tenantId": "a", "status": "new"}, (("createdAt", -1),), limit=20, skip=40)
    assert result.keys_examined == 60


def test_unsupported_operators_are_residual() -> None:
    result = plan({"tenantId": {"$ne": "a"}}, (), indexes=(TENANT_DATE,))
    assert result.summary == "COLLSCAN" and result.docs_examined == 1000
    also = plan({"$or": [{"tenantId": "a"}, {"status": "new"}]}, (), indexes=(TENANT_DATE,))
    assert also.summary == "COLLSCAN"


def test_and_is_flattened() -> None:
    result = plan({"$and": [{"tenantId": "a"}, {"status": "won"}]}, (("createdAt", -1),))
    assert result.summary.startswith("IXSCAN { tenantId: 1, status: 1")
    assert not result.has_sort_stage
