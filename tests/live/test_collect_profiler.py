"""The live profiler as a ``perfsight collect`` source: statistics, cursor and gaps stored
together; the profiling level bounded by ``[mongo] profile_window``; a server that is down."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from collectors.mongo_live import LiveMongo
from collectors.mongo_profiler import PROFILE_COLLECTION
from collectors.mongo_source import (
    CONSUMER,
    MongoProfilerSource,
    ProfilerSample,
    profiling_for_collect,
    profiling_for_run,
)
from perfsight.cli.collect_view import summary
from perfsight.cli.main import main
from perfsight.config import Settings
from perfsight.services import free_port
from perfsight.store import Store
from perfsight.store.profiler import load_cursors, load_gaps
from perfsight.store.samples import write_samples
from perfsight.store.shapes import load_shape_stats
from perfsight.store.tables import profiling_restores
from tests.live.conftest import T0, TARGET, URI, RecordedServer, profile_doc, seconds


def _settings(**mongo: Any) -> Settings:
    return Settings.model_validate(
        {"mongo": {"uri": URI, "databases": ["travel"], "poll_interval": "100ms", **mongo}}
    )


def _source(mongo: Any, server: RecordedServer, store: Store, **settings: Any) -> Any:
    config = _settings(**settings)
    live = LiveMongo.connect(config.mongo, client=mongo, admin=server.admin(), check=False)
    return MongoProfilerSource(live, store, config)


def _sample(source: MongoProfilerSource, store: Store) -> ProfilerSample:
    (record,) = source.sample()
    write_samples(store, [record])
    assert isinstance(record, ProfilerSample)
    return record


def test_samples_store_statistics_and_cursor_together(
    mongo: Any, server: RecordedServer, store: Store
) -> None:
    profile = mongo["travel"][PROFILE_COLLECTION]
    profile.insert_many([profile_doc(T0 + seconds(i)) for i in range(4)])
    source = _source(mongo, server, store)
    first = _sample(source, store)
    assert first.events == 4 and first.gaps == ()
    assert load_cursors(store, CONSUMER, TARGET)["travel"].ts_ms == first.cursors["travel"].ts_ms

    profile.insert_many([profile_doc(T0 + seconds(10 + i)) for i in range(3)])
    second = _sample(source, store)
    assert second.events == 3  # only what is new since the stored cursor
    stats = load_shape_stats(store, source=f"profiler {TARGET}")
    assert [s.count for s in stats] == [7]  # merged into the same bucket
    assert "3 operations (1 shapes)" in summary(second)


def test_a_rollover_between_samples_is_stored_as_a_gap(
    mongo: Any, server: RecordedServer, store: Store
) -> None:
    profile = mongo["travel"][PROFILE_COLLECTION]
    profile.insert_many([profile_doc(T0 + seconds(i)) for i in range(3)])
    source = _source(mongo, server, store)
    _sample(source, store)
    profile.delete_many({})
    profile.insert_many([profile_doc(T0 + seconds(60 + i)) for i in range(11)])
    record = _sample(source, store)
    (gap,) = record.gaps
    assert gap.seconds == 58.0 and gap.estimated_lost == 58
    (stored,) = load_gaps(store, TARGET)
    assert (stored["database"], stored["estimated_lost"]) == ("travel", 58)
    assert "GAP travel: 58.0 s lost (~58 documents)" in summary(record)


def test_collect_keeps_the_level_for_profile_window_only(
    mongo: Any, server: RecordedServer, store: Store
) -> None:
    source = _source(mongo, server, store, profile_level=2, profile_window="300ms")
    said: list[str] = []
    with profiling_for_collect(source.settings, store, [source], say=said.append):
        assert server.level("travel") == 2
        deadline = time.monotonic() + 10
        while server.level("travel") != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.level("travel") == 0  # restored while collection goes on
    assert any("profile_window (300ms) is over" in s for s in said)
    with store.read() as conn:
        assert conn.execute(select(profiling_restores)).all() == []


def test_a_load_run_against_an_unreachable_server_leaves_the_level_alone(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"mongodb://perfsight:s3cret-pw@127.0.0.1:{free_port()}/"
    settings = Settings.model_validate(
        {
            "mongo": {
                "uri": uri,
                "databases": ["travel"],
                "profile_level": 2,
                "server_selection_timeout_ms": 300,
            }
        }
    )
    said: list[str] = []
    ran = False
    with profiling_for_run(settings, store, planned=1.0, say=said.append):
        ran = True
    assert ran
    (line,) = said
    assert line.startswith("profiling level left unchanged: mongo: cannot reach")
    assert "s3cret-pw" not in line


@pytest.mark.usefixtures("cli_env")
def test_collect_once_reports_a_profiler_that_is_down(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERFSIGHT_MONGO__URI", f"mongodb://u:pw-123@127.0.0.1:{free_port()}/")
    monkeypatch.setenv("PERFSIGHT_MONGO__DATABASES", '["travel"]')
    monkeypatch.setenv("PERFSIGHT_MONGO__SERVER_SELECTION_TIMEOUT_MS", "300")
    assert main(["collect", "--once"]) == 2
    out = capsys.readouterr().out
    assert "mongo:profiler" in out and "DOWN" in out and "cannot reach" in out
    assert "pw-123" not in out
