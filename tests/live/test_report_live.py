"""A report reads the live profiler for its window: system.profile of each database from the
window's start (older documents are not the window's), unused indexes from $indexStats."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

import perfsight.reports.sections.queries as queries
from collectors.mongo_live import LiveMongo
from collectors.mongo_profiler import PROFILE_COLLECTION
from perfsight.config import Settings
from perfsight.reports.builder import build_report
from perfsight.store import Store
from tests.live.conftest import T0, URI, RecordedServer, profile_doc, seconds


def test_report_queries_section_from_the_live_profiler(
    mongo: Any, server: RecordedServer, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    mongo["travel"]["leads"].insert_one({"_id": 1})
    profile = mongo["travel"][PROFILE_COLLECTION]
    profile.insert_many([profile_doc(T0 - timedelta(hours=2), rid="before-the-window")])
    profile.insert_many([profile_doc(T0 + seconds(i), rid=f"r{i}") for i in range(5)])
    server.index_stats[("travel", "leads")] = "indexstats-7.0-leads.json"

    @contextlib.contextmanager
    def connected(settings: Any) -> Iterator[LiveMongo]:
        yield LiveMongo.connect(settings, client=mongo, admin=server.admin(), check=False)

    monkeypatch.setattr(queries, "connected", connected)
    settings = Settings(
        mongo={"uri": URI, "databases": ["travel"]}, thresholds={"missing_indexes": ["count==0"]}
    )
    start = (T0 - timedelta(minutes=5)).timestamp()
    report = build_report(
        settings, sqlite_store, start=start, end=start + 3600, sections=[queries.SPEC]
    )
    section = report.section("queries")
    assert section is not None and section.available, section
    [shapes] = [t for t in section.data["tables"] if t["title"] == "Query shapes by total time"]
    assert [row[2] for row in shapes["rows"]] == [5]  # the document before the window left out
    kinds = {f.kind for f in report.findings}
    assert {"missing_index", "unused_index"} <= kinds
    [outcome] = report.outcomes
    assert outcome["status"] == "fail" and outcome["observed"] == 1.0
