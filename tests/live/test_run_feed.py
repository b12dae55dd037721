"""A load run follows the live profiler: the documents of the run's window, from each
database's system.profile, reach the run's analysis; an unreachable server is a problem of the
feed, never the end of the run."""

from __future__ import annotations

from typing import Any

from collectors.mongo_live import LiveMongo
from collectors.mongo_profiler import PROFILE_COLLECTION
from loadruns.backend.live_feed import LiveProfilerFeed
from perfsight.config.mongo import MongoSettings
from tests.live.conftest import T0, URI, RecordedServer, profile_doc, seconds

SETTINGS = MongoSettings(uri=URI, databases=["travel"])


def test_the_runs_window_is_read_from_its_start(mongo: Any, server: RecordedServer) -> None:
    profile = mongo["travel"][PROFILE_COLLECTION]
    profile.insert_many([profile_doc(T0 + seconds(i), rid=f"old{i}") for i in range(3)])
    feed = LiveProfilerFeed(
        SETTINGS,
        connect=lambda s: LiveMongo.connect(s, client=mongo, admin=server.admin(), check=False),
    )
    feed.begin((T0 + seconds(10)).timestamp())
    assert list(feed.read()) == []  # before the run: not the run's
    profile.insert_many([profile_doc(T0 + seconds(11 + i), rid=f"run{i}") for i in range(4)])
    events = list(feed.read())
    assert [e.request_id for e in events] == ["run0", "run1", "run2", "run3"]
    assert list(feed.read()) == []  # nothing twice
    assert feed.problems() == []
    assert feed.name.startswith("live profiler") and "s3cret" not in feed.name
    feed.close()


def test_an_unreachable_server_is_a_problem_of_the_feed() -> None:
    unreachable = MongoSettings(
        uri="mongodb://app:secret@127.0.0.1:1/?directConnection=true",
        databases=["travel"],
        server_selection_timeout_ms=300,
    )
    feed = LiveProfilerFeed(unreachable)
    feed.begin(0.0)
    assert list(feed.read()) == []
    [problem] = feed.problems()
    assert "live profiler" in problem and "secret" not in problem
    feed.close()
