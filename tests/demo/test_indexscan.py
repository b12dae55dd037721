"""The simulated index scans return exactly what mongomock's full scan returns, for every plan
the planner picks (the speed is the only difference)."""

from __future__ import annotations

from typing import Any

import mongomock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfsight.demo.indexes import PLAN_INDEXES
from perfsight.demo.indexscan import IndexedCollection
from perfsight.demo.planner import plan_query
from perfsight.demo.seed import LEAD_STATUSES, SIZES, TENANTS, generate

LEADS = generate(SIZES["small"])["leads"]
INDEXES = PLAN_INDEXES["leads"]
MOCK = mongomock.MongoClient().db.leads
MOCK.insert_many([dict(d) for d in LEADS])
INDEXED = IndexedCollection(INDEXES)
INDEXED.load(LEADS)
LEADS_BY_ID = {d["_id"]: d for d in LEADS}

statuses = st.sampled_from(LEAD_STATUSES)
filters = st.one_of(
    st.fixed_dictionaries({"tenantId": st.sampled_from(TENANTS), "status": statuses}),
    st.fixed_dictionaries({"status": statuses, "tenantId": st.sampled_from(TENANTS)}),
    st.fixed_dictionaries({"tenantId": st.sampled_from(TENANTS)}),
    st.fixed_dictionaries(
        {"tenantId": st.sampled_from(TENANTS), "status": st.fixed_dictionaries(
            {"$in": st.lists(statuses, min_size=1, max_size=3, unique=True)})}
    ),
    st.fixed_dictionaries(
        {"tenantId": st.sampled_from(TENANTS), "pax": st.integers(1, 6), "status": statuses}
    ),
    st.fixed_dictionaries({"_id": st.fixed_dictionaries({"$in": st.lists(
        st.sampled_from([d["_id"] for d in LEADS[:50]]), max_size=6, unique=True)})}),
)  # fmt: skip
sorts = st.sampled_from([(), (("createdAt", -1),), (("createdAt", 1),), (("pax", 1),)])


def full_scan(filter_: dict[str, Any], sort: Any, skip: int, limit: int, fields: Any) -> list[Any]:
    cursor = MOCK.find(filter_, fields)
    if sort:
        cursor = cursor.sort(list(sort))
    return list(cursor.skip(skip).limit(limit))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    filter_=filters,
    sort=sorts,
    skip=st.integers(0, 30),
    limit=st.integers(0, 40),
    fields=st.sampled_from([None, {"status": 1, "createdAt": 1}]),
)
def test_index_scan_equals_full_scan(
    filter_: dict[str, Any], sort: Any, skip: int, limit: int, fields: Any
) -> None:
    plan = plan_query(
        filter_, sort, INDEXES, len(LEADS), matching=lambda f: MOCK.count_documents(f),
        limit=limit, skip=skip,
    )  # fmt: skip
    assert plan.index is not None  # every filter here can use an index
    got = INDEXED.scan(plan, filter_, sort, skip=skip, limit=limit, projection=fields)
    expected = full_scan(filter_, sort, skip, limit, fields)
    # Documents that tie on the sort (or all of them, without a sort) may come in another
    # order, as on a real server; so: the same sort keys in the same order, every document a
    # match, and everything when nothing is cut.
    everything = {str(d["_id"]): d for d in full_scan(filter_, (), 0, 0, fields)}
    sort_keys = [[LEADS_BY_ID[d["_id"]][f] for f, _ in sort] for d in got]
    assert sort_keys == [[LEADS_BY_ID[d["_id"]][f] for f, _ in sort] for d in expected]
    assert len(got) == len(expected)
    assert all(everything[str(d["_id"])] == d for d in got)
    if not skip and not limit:
        assert len(got) == len(everything)
    if len(got) == len(everything):
        assert {str(d["_id"]) for d in got} == set(everything)


def test_results_are_copies() -> None:
    plan = plan_query({"_id": LEADS[0]["_id"]}, (), INDEXES, len(LEADS), matching=lambda f: 1)
    (doc,) = INDEXED.scan(plan, {"_id": LEADS[0]["_id"]}, (), skip=0, limit=1, projection=None)
    doc["status"] = "changed"
    assert INDEXED.docs[LEADS[0]["_id"]]["status"] != "changed"


def test_counts_from_index_groups() -> None:
    filter_ = {"status": "won", "tenantId": TENANTS[1]}
    assert INDEXED.count(filter_) == MOCK.count_documents(filter_)
    assert INDEXED.count({"tenantId": TENANTS[0]}) == MOCK.count_documents({"tenantId": TENANTS[0]})
    assert INDEXED.count({"status": "won"}) is None  # not a prefix of any index
    assert INDEXED.count({"_id": LEADS[3]["_id"]}) == 1
