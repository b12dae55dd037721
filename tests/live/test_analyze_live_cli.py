"""``perfsight analyze --live`` end to end: the file output from a live server (mongomock and
recorded replies), a profiling window restored at its end, a crash restored at the next start,
an unreachable server (exit 2, a clear message, no password), and option mistakes."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from collectors.mongo_live import LiveMongo
from collectors.mongo_profiler import PROFILE_COLLECTION
from collectors.profiling_window import Owner
from perfsight.cli import analyze_live
from perfsight.cli.main import main
from perfsight.config import Settings
from perfsight.models import utcnow
from perfsight.schemas import load, registry
from perfsight.services import free_port, wait_until
from perfsight.store import Store
from perfsight.store.findings import list_findings
from perfsight.store.profiler import add_restore_row, restore_rows
from perfsight.store.shapes import load_shape_stats
from tests.live.conftest import TARGET, URI, RecordedServer, profile_doc, restore_row, seconds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFSIGHT_MONGO__POLL_INTERVAL", "100ms")


@pytest.fixture
def seeded(mongo: Any, server: RecordedServer, monkeypatch: pytest.MonkeyPatch) -> RecordedServer:
    """A server whose travel.system.profile holds the slow leads query (COLLSCAN + in-memory
    sort) and whose travel.leads has an index nobody uses; analyze --live connects to it."""
    start = utcnow() - seconds(600)
    docs = [profile_doc(start + seconds(i), tenant=f"t{i}", rid=f"r{i}") for i in range(6)]
    mongo["travel"][PROFILE_COLLECTION].insert_many(docs)
    mongo["travel"]["leads"].create_index([("legacyRef", 1)], name="legacyRef_1")
    server.index_stats[("travel", "leads")] = "indexstats-7.0-leads.json"

    def connect(settings: Settings, args: argparse.Namespace) -> LiveMongo:
        assert args.mongo_uri == URI
        return LiveMongo.connect(
            settings.mongo,
            uri=args.mongo_uri,
            databases=args.database,
            client=mongo,
            admin=server.admin(),
        )

    monkeypatch.setattr(analyze_live, "connect", connect)
    return server


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        load("analyze"), registry=registry(), format_checker=jsonschema.FormatChecker()
    )


def test_live_analysis_gives_the_file_output(
    seeded: RecordedServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["analyze", "--live", "--mongo-uri", URI, "--database", "travel", "--format", "json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    _validator().validate(data)
    kinds = {f["kind"]: f for f in data["findings"]}
    missing = kinds["missing_index"]
    assert missing["index"] == [["tenant", 1], ["status", 1], ["createdAt", -1]]
    unused = [f for f in data["findings"] if f["kind"] == "unused_index"]
    assert [f["fingerprint"] for f in unused] == ["legacyRef_1", "source_1_createdAt_1"]
    assert unused[0]["evidence"]["since"] == "2024-11-01T00:00:00Z"
    assert data["input"]["documents"] == 6 and data["input"]["events"] == 6
    assert data["input"]["sources"] == [f"{TARGET} travel.system.profile"]
    assert data["live"]["target"] == TARGET and data["live"]["profiling"] is None
    assert data["queries_per_request"]["overall"]["requests"] == 6
    assert "s3cret-pw" not in captured.out + captured.err
    assert "read 6 documents from 1 input" in captured.err
    with Store(os.environ["PERFSIGHT_STORE__URL"]) as store:
        assert {f.finding.kind for f in list_findings(store)} >= {"missing_index", "unused_index"}
        assert sum(s.count for s in load_shape_stats(store)) == 6
    assert seeded.commands == []  # one read: the profiling level is never touched


def test_a_window_sets_the_level_and_restores_it(
    seeded: RecordedServer, mongo: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded.levels["travel"] = 1
    argv = [
        "analyze", "--live", "--mongo-uri", URI, "--database", "travel",
        "--for", "300ms", "--profile-level", "2", "--format", "json",
    ]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    _validator().validate(data)
    assert data["live"]["profiling"] == {
        "set_level": 2,
        "set_slowms": None,
        "databases": {"travel": {"previous_level": 1, "previous_slowms": 100}},
    }
    assert seeded.level("travel") == 1  # restored
    assert [c["profile"] for _db, c in seeded.commands] == [-1, 2, -1, 1]
    assert "travel: profiling level 1 → 2" in captured.err
    assert "travel: profiling level 1 restored" in captured.err
    # the window reads from its own start: the older documents are not part of it
    assert data["input"]["events"] == 0
    with Store(os.environ["PERFSIGHT_STORE__URL"]) as store:
        assert restore_rows(store, TARGET) == []


def test_a_crashed_run_is_restored_at_the_next_start(
    seeded: RecordedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded.levels["travel"] = 2
    with Store(os.environ["PERFSIGHT_STORE__URL"]) as store:
        add_restore_row(
            store,
            restore_row(
                set_at=time.time() - 3600,
                until=time.time() - 3000,
                heartbeat_at=time.time() - 3600,
                owner_host="ci-runner-7",
                owner_pid=31337,
            ),
        )
    argv = ["analyze", "--live", "--mongo-uri", URI, "--database", "travel",
            "--for", "200ms", "--profile-level", "1"]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "perfsight analyze --live (pid 31337 on ci-runner-7) set profiling level 2" in err
    assert "travel: profiling level 0 restored" in err
    assert seeded.level("travel") == 0
    with Store(os.environ["PERFSIGHT_STORE__URL"]) as store:
        assert restore_rows(store, TARGET) == []


def test_an_unreachable_server_exits_2_without_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFSIGHT_MONGO__SERVER_SELECTION_TIMEOUT_MS", "300")
    port = free_port()
    uri = f"mongodb://perfsight:s3cret-pw@127.0.0.1:{port}/?authSource=admin"
    started = time.monotonic()
    assert main(["analyze", "--live", "--mongo-uri", uri, "--database", "travel"]) == 2
    assert time.monotonic() - started < 10
    captured = capsys.readouterr()
    assert f"cannot reach mongodb://perfsight:***@127.0.0.1:{port}/" in captured.err
    assert "Connection refused" in captured.err
    assert "s3cret-pw" not in captured.out + captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--live", "--database", "travel"], "give --mongo-uri or set [mongo] uri"),
        (["--live", "--mongo-uri", URI], "give --database NAME or set [mongo] databases"),
        (
            ["--live", "--mongo-uri", URI, "--database", "t", "--profile-level", "2"],
            "--profile-level needs --for DURATION",
        ),
        (["--live", "--mongo-uri", URI, "--database", "t", "--for", "soon"], "not a duration"),
        (["--live", "--mongo-uri", "http://example.com", "--database", "t"], "MongoDB URI"),
        (["--live", "--log", "x.log"], "drop --log/--profile-file"),
    ],
)
def test_option_mistakes_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_busy_level_is_refused(
    seeded: RecordedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another live perfsight manages the level: changing it twice would lose the original."""
    owner = Owner.current("collect")
    with Store(os.environ["PERFSIGHT_STORE__URL"]) as store:
        add_restore_row(
            store,
            restore_row(
                set_level=1,
                until=None,
                owner_host=owner.host,
                owner_pid=owner.pid,
                owner_started=owner.started,
                owner_command="collect",
            ),
        )
    argv = ["analyze", "--live", "--mongo-uri", URI, "--database", "travel",
            "--for", "200ms", "--profile-level", "2"]  # fmt: skip
    assert main(argv) == 2
    assert "already managed by perfsight collect" in capsys.readouterr().err
    assert seeded.level("travel") == 0


def test_sigterm_ends_the_window_early_and_restores(
    seeded: RecordedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    try:
        argv = ["analyze", "--live", "--mongo-uri", URI, "--database", "travel",
                "--for", "60s", "--profile-level", "2", "--format", "json"]  # fmt: skip
        assert main(argv) == 0
    finally:
        timer.cancel()
    assert time.monotonic() - started < 30
    captured = capsys.readouterr()
    assert "SIGTERM: ending the window" in captured.err
    assert seeded.level("travel") == 0
    assert json.loads(captured.out)["live"]["window"]["end"] is not None


CRASHING_RUN = """
import sys
import mongomock
from collectors.mongo_live import LiveMongo
from perfsight.cli import analyze_live
from perfsight.cli.main import main
from tests.live.conftest import RecordedServer

server = RecordedServer()
client = mongomock.MongoClient(tz_aware=True)
analyze_live.connect = lambda settings, args: LiveMongo.connect(
    settings.mongo, uri=args.mongo_uri, databases=args.database, client=client,
    admin=server.admin())
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_run_is_restored_by_the_next_one(
    seeded: RecordedServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A real process sets level 2 and is killed (SIGKILL: nothing runs after); the row it
    wrote first names the previous level, and the next run puts it back."""
    argv = ["analyze", "--live", "--mongo-uri", URI, "--database", "travel",
            "--for", "120s", "--profile-level", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING_RUN, *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Store(os.environ["PERFSIGHT_STORE__URL"]) as store:
            assert wait_until(lambda: bool(restore_rows(store, TARGET)), timeout=60)
            (row,) = restore_rows(store, TARGET)
        assert (row.owner_pid, row.previous_level, row.set_level) == (process.pid, 0, 2)
    finally:
        process.kill()
        process.wait(timeout=30)
    seeded.levels["travel"] = 2  # what the killed run left on the server
    assert main(["analyze", "--live", "--mongo-uri", URI, "--database", "travel"]) == 0
    err = capsys.readouterr().err
    assert f"(pid {process.pid} on" in err and "restoring now" in err
    assert seeded.level("travel") == 0
