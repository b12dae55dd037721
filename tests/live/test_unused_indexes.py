"""unused_index findings: zero uses counted since before the analysis window; never _id_,
unique, TTL or building indexes; the evidence says since when the counter runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analyzers.unused_indexes import IndexUsage, never_reported, unused_index_findings
from tests.live.conftest import RecordedServer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = NOW - timedelta(hours=1)


def _usage(
    name: str, *, ops: int = 0, age: timedelta = timedelta(days=30), **flags: bool
) -> IndexUsage:
    return IndexUsage(
        namespace="travel.leads",
        name=name,
        key=((name.split("_")[0], 1),),
        ops=ops,
        since=NOW - age,
        hosts=("db1:27017",),
        **flags,
    )


def test_an_index_unused_for_weeks_is_a_warning_with_its_evidence() -> None:
    (finding,) = unused_index_findings([_usage("legacyRef_1")], window_start=WINDOW, now=NOW)
    assert finding.kind == "unused_index"
    assert (finding.severity, finding.confidence) == ("warning", "high")
    assert finding.namespace == "travel.leads" and finding.fingerprint == "legacyRef_1"
    assert finding.evidence["since"] == "2026-10-21T12:00:00Z"
    assert finding.evidence["accesses_ops"] == 0
    assert finding.evidence["counting_for_seconds"] == 30 * 86400
    assert finding.evidence["window_start"] == "2026-11-20T11:00:00Z"
    assert 'db.leads.hideIndex("legacyRef_1")' in finding.suggestion
    assert 'db.leads.dropIndex("legacyRef_1")' in finding.suggestion
    assert "since 2026-10-21T12:00:00Z" in finding.summary


def test_a_used_index_is_not_reported() -> None:
    assert unused_index_findings([_usage("a_1", ops=1)], window_start=WINDOW, now=NOW) == []


def test_a_counter_younger_than_the_window_says_nothing() -> None:
    young = _usage("a_1", age=timedelta(minutes=30))  # restarted after the window began
    assert unused_index_findings([young], window_start=WINDOW, now=NOW) == []


def test_a_counter_of_a_few_days_is_low_confidence() -> None:
    (finding,) = unused_index_findings(
        [_usage("a_1", age=timedelta(days=2))], window_start=WINDOW, now=NOW
    )
    assert (finding.severity, finding.confidence) == ("info", "low")


def test_never_reported() -> None:
    usages = [
        _usage("_id_"),
        _usage("email_1", unique=True),
        _usage("expiresAt_1", ttl=True),
        _usage("owner_1", building=True),
    ]
    assert unused_index_findings(usages, window_start=WINDOW, now=NOW) == []
    assert [never_reported(u) for u in usages] == [
        "the _id index",
        "unique: it enforces a constraint",
        "TTL: its deletes are not counted as uses",
        "still being built",
    ]


def test_a_hidden_index_is_ready_to_drop() -> None:
    (finding,) = unused_index_findings(
        [_usage("source_1", hidden=True)], window_start=WINDOW, now=NOW
    )
    assert finding.suggestion.startswith('db.leads.dropIndex("source_1")')
    assert finding.evidence["hidden"] is True


def test_from_recorded_replies(server: RecordedServer) -> None:
    server.index_stats[("travel", "leads")] = "indexstats-7.0-leads.json"
    server.index_stats[("travel", "bookings")] = "indexstats-6.0-sharded-bookings.json"
    admin = server.admin()
    usages = [*admin.index_usage("travel", "leads"), *admin.index_usage("travel", "bookings")]
    found = unused_index_findings(usages, window_start=WINDOW, now=NOW)
    assert [(f.namespace, f.fingerprint) for f in found] == [
        ("travel.bookings", "agent_1"),  # both shards: 0 uses since 2024-11-01
        ("travel.leads", "legacyRef_1"),
        ("travel.leads", "source_1_createdAt_1"),
    ]
    assert found[0].evidence["hosts"] == [
        "shard-a-1.example.net:27018",
        "shard-b-1.example.net:27018",
    ]
    assert all(f.id != g.id for f in found for g in found if f is not g)
