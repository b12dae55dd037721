"""Profiling level management: read first, set, restore at the end — after an exception,
after Ctrl-C, and at the next start after a crash (the previous values wait in the store)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from typing import Any

import psutil
import pytest

from collectors.profiling_window import Owner, ProfilingWindow, restore_abandoned
from perfsight.errors import SourceResponseError
from perfsight.store.profiler import RestoreRow, add_restore_row, restore_rows
from tests.live.conftest import TARGET, RecordedServer


def _window(server: RecordedServer, store: Any, said: list[str], **kwargs: Any) -> ProfilingWindow:
    settings: dict[str, Any] = {
        "target": TARGET,
        "databases": ["travel", "crm"],
        "level": 2,
        "slowms": None,
        "owner": Owner.current("test"),
        "until": time.time() + 60,
        "say": said.append,
    }
    settings.update(kwargs)
    return ProfilingWindow(server.admin(), store, **settings)


def test_sets_for_the_window_and_restores_after_it(server: RecordedServer, store: Any) -> None:
    server.levels["crm"] = 1
    said: list[str] = []
    with _window(server, store, said) as window:
        assert server.level("travel") == 2 and server.level("crm") == 2
        assert {r.database: r.previous_level for r in restore_rows(store, TARGET)} == {
            "travel": 0,
            "crm": 1,
        }
        assert window.previous["crm"].level == 1
    assert server.level("travel") == 0 and server.level("crm") == 1
    assert restore_rows(store, TARGET) == []
    assert "travel: profiling level 0 restored" in said


def test_slowms_is_read_for_every_database_before_any_change(
    server: RecordedServer, store: Any
) -> None:
    """slowms is server-wide: after setting it for the first database, the second would read
    perfsight's own value and restore that."""
    said: list[str] = []
    with _window(server, store, said, level=1, slowms=0):
        assert server.slowms == 0
        assert {r.previous_slowms for r in restore_rows(store, TARGET)} == {100}
    assert server.slowms == 100
    assert server.level("travel") == 0 and server.level("crm") == 0
    # both databases read, then both set: never a read after a change
    assert [c["profile"] for _db, c in server.commands[:4]] == [-1, -1, 1, 1]


@pytest.mark.parametrize("error", [RuntimeError("analysis failed"), KeyboardInterrupt()])
def test_restores_on_an_error_and_on_ctrl_c(
    server: RecordedServer, store: Any, error: BaseException
) -> None:
    with pytest.raises(type(error)), _window(server, store, []):
        assert server.level("travel") == 2
        raise error
    assert server.level("travel") == 0 and server.level("crm") == 0
    assert restore_rows(store, TARGET) == []


def test_a_failure_while_setting_restores_what_was_already_set(
    server: RecordedServer, store: Any
) -> None:
    original = server.run_command

    def refuse_crm(database: str, command: Any) -> Any:
        if database == "crm" and command["profile"] == 2:
            server.fail["crm"] = "profile-unauthorized.json"
        return original(database, command)

    server.run_command = refuse_crm  # type: ignore[method-assign]
    with pytest.raises(SourceResponseError, match="dbAdmin"), _window(server, store, []):
        pass
    assert server.level("travel") == 0
    assert [r.database for r in restore_rows(store, TARGET)] == ["crm"]  # never confirmed


def test_restore_after_a_crash_at_the_next_start(server: RecordedServer, store: Any) -> None:
    """A perfsight that set level 2 and died: its row names a process that is gone."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(dead.pid).create_time() if psutil.pid_exists(dead.pid) else 1.0
    dead.wait(timeout=30)
    server.levels["travel"] = 2
    server.slowms = 0
    add_restore_row(
        store,
        RestoreRow(
            target=TARGET,
            database="travel",
            previous_level=1,
            previous_slowms=100,
            set_level=2,
            set_slowms=0,
            set_at=time.time() - 30,
            until=time.time() + 600,
            heartbeat_at=time.time() - 30,
            owner_host=Owner.current("x").host,
            owner_pid=dead.pid,
            owner_started=started,
            owner_command="analyze --live",
        ),
    )
    said: list[str] = []
    with _window(server, store, said, databases=["crm"]):
        assert server.level("travel") == 1 and server.slowms == 100  # restored first
        assert [r.database for r in restore_rows(store, TARGET)] == ["crm"]
    assert any("ended without restoring it; restoring now" in s for s in said)
    assert any("travel: profiling level 1, slowms 100 restored" in s for s in said)
    assert restore_rows(store, TARGET) == []


def test_a_live_owner_is_never_overridden(server: RecordedServer, store: Any) -> None:
    with _window(server, store, []):
        # Another window on the same databases (e.g. a second perfsight) must not read our
        # level 2 as "the previous level" and restore it later.
        other = _window(server, store, [], owner=Owner("other-host", 4242, 1.0, "collect"))
        with pytest.raises(SourceResponseError, match="already managed by perfsight test"):
            other.__enter__()
        assert server.level("travel") == 2
        assert restore_abandoned(server.admin(), store, TARGET, say=print) != []
    assert server.level("travel") == 0


def test_a_level_someone_else_changed_meanwhile_is_left_alone(
    server: RecordedServer, store: Any
) -> None:
    said: list[str] = []
    with _window(server, store, said, databases=["travel"]):
        server.levels["travel"] = 1  # a DBA changed it during the window
    assert server.level("travel") == 1
    assert any("someone changed it since; leaving it as it is" in s for s in said)
    assert restore_rows(store, TARGET) == []


def test_an_unreachable_server_at_the_end_keeps_the_row_for_the_next_run(
    server: RecordedServer, store: Any
) -> None:
    with pytest.raises(SourceResponseError, match="restored by the next perfsight run"):  # noqa: SIM117
        with _window(server, store, [], databases=["travel"]):
            server.down = True
    (row,) = restore_rows(store, TARGET)
    assert (row.previous_level, row.set_level) == (0, 2)
    server.down = False
    # The next run (another process: this row's owner is alive, so pretend it is gone).
    add_restore_row(store, replace(row, owner_host="gone-host", heartbeat_at=0.0))
    assert restore_abandoned(server.admin(), store, TARGET, say=print) == []
    assert server.level("travel") == 0 and restore_rows(store, TARGET) == []


def test_nothing_is_written_when_the_level_is_already_the_requested_one(
    server: RecordedServer, store: Any
) -> None:
    server.levels.update(travel=2, crm=2)
    said: list[str] = []
    with _window(server, store, said):
        assert restore_rows(store, TARGET) == []
    assert server.level("travel") == 2
    assert "travel: profiling level is already 2" in said
