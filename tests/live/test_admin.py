"""The adapter around the ``profile`` command and ``$indexStats``, against recorded replies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.mongo_admin import IndexStatsUnavailable, MongoAdmin
from perfsight.errors import SourceResponseError, SourceUnavailable
from tests.live.conftest import TARGET, URI, RecordedServer, reply


def test_profiling_status_from_a_7_0_replica_set_reply(server: RecordedServer) -> None:
    status = server.admin().profiling_status("travel")
    assert (status.level, status.slowms, status.sample_rate, status.filter) == (0, 100, 1.0, None)
    assert server.commands == [("travel", {"profile": -1})]


def test_profiling_status_with_a_filter() -> None:
    server = RecordedServer(template="profile-status-6.0-filter.json")
    status = server.admin().profiling_status("travel")
    assert status.level == 1 and status.slowms == 50 and status.sample_rate == 0.5
    assert status.filter == {"op": "query", "millis": {"$gte": 20}}


def test_setting_returns_the_previous_settings(server: RecordedServer) -> None:
    admin = server.admin()
    before = admin.set_profiling("travel", 2, 0)
    assert (before.level, before.slowms) == (0, 100)
    assert server.commands[-1] == ("travel", {"profile": 2, "slowms": 0})
    assert admin.profiling_status("travel").level == 2
    admin.set_profiling("travel", 1, None)
    assert server.commands[-1] == ("travel", {"profile": 1})  # slowms left alone
    with pytest.raises(ValueError, match="0, 1 or 2"):
        admin.set_profiling("travel", 3, None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("profile-unauthorized.json", "dbAdmin role"),
        ("profile-atlas-shared-tier.json", "Atlas does not allow"),
        ("profile-mongos-level2.json", "code 2 BadValue"),
    ],
)
def test_refusals_are_explained(server: RecordedServer, name: str, expected: str) -> None:
    server.fail["travel"] = name
    with pytest.raises(SourceResponseError) as caught:
        server.admin().profiling_status("travel")
    message = str(caught.value)
    assert expected in message
    assert TARGET in message and "s3cret-pw" not in message


def test_an_unreachable_server_is_unavailable(server: RecordedServer) -> None:
    server.down = True
    with pytest.raises(SourceUnavailable, match=r"cannot reach .* to read the profiling level"):
        server.admin().profiling_status("travel")


def test_an_unexpected_reply_is_a_response_error() -> None:
    admin = MongoAdmin(
        None,
        target=TARGET,
        max_time_ms=100,
        run_command=lambda _db, _cmd: {"ok": 1.0},
        run_index_stats=lambda _db, _coll: [],
    )
    with pytest.raises(SourceResponseError, match="unexpected reply to the profile command"):
        admin.profiling_status("travel")


def test_index_usage_of_a_7_0_collection(server: RecordedServer) -> None:
    server.index_stats[("travel", "leads")] = "indexstats-7.0-leads.json"
    usages = {u.name: u for u in server.admin().index_usage("travel", "leads")}
    assert set(usages) == {
        "_id_",
        "tenant_1_status_1_createdAt_-1",
        "legacyRef_1",
        "email_1",
        "expiresAt_1",
        "source_1_createdAt_1",
        "owner_1",
    }
    compound = usages["tenant_1_status_1_createdAt_-1"]
    assert compound.ops == 48211
    assert compound.key == (("tenant", 1), ("status", 1), ("createdAt", -1))
    assert compound.since == datetime(2024, 11, 1, tzinfo=UTC)
    assert compound.hosts == ("db1.example.net:27017",)
    assert usages["email_1"].unique and usages["expiresAt_1"].ttl
    assert usages["source_1_createdAt_1"].hidden and usages["owner_1"].building
    assert usages["legacyRef_1"].ops == 0 and not usages["legacyRef_1"].unique


def test_index_usage_of_a_sharded_collection_adds_up_the_shards(server: RecordedServer) -> None:
    server.index_stats[("travel", "bookings")] = "indexstats-6.0-sharded-bookings.json"
    usages = {u.name: u for u in server.admin().index_usage("travel", "bookings")}
    assert usages["_id_"].ops == 912 + 877
    tenant = usages["tenant_1"]
    assert tenant.ops == 31  # used on one shard: used
    assert tenant.hosts == ("shard-a-1.example.net:27018", "shard-b-1.example.net:27018")
    assert tenant.since == datetime(2024, 11, 1, tzinfo=UTC)  # the later counter start
    assert usages["agent_1"].ops == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [("indexstats-view.json", "is a view"), ("indexstats-unauthorized.json", "clusterMonitor")],
)
def test_index_usage_unavailable(server: RecordedServer, name: str, expected: str) -> None:
    server.index_stats[("travel", "leads")] = name
    with pytest.raises(IndexStatsUnavailable, match=expected):
        server.admin().index_usage("travel", "leads")


def test_a_malformed_index_stats_document_is_a_response_error() -> None:
    documents = reply("indexstats-7.0-leads.json")
    del documents[1]["accesses"]
    admin = MongoAdmin(
        None,
        target=TARGET,
        max_time_ms=100,
        uri=URI,
        run_command=lambda _db, _cmd: {},
        run_index_stats=lambda _db, _coll: documents,
    )
    with pytest.raises(SourceResponseError, match="document 1"):
        admin.index_usage("travel", "leads")
