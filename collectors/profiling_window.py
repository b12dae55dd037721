"""Profiling level management: a bounded window with the level (and ``slowms``) perfsight was
asked for, and the previous settings put back at its end — whatever ends it.

    with ProfilingWindow(admin, store, target=label, databases=["travel"], level=2,
                         slowms=None, owner=Owner.current("analyze --live"), until=end):
        ...  # read system.profile

Order of operations, each chosen so a crash at any point leaves the server restorable:

1. Rows left in the store by a perfsight that died while it had changed a level on this server
   are restored first (``restore_abandoned``). A row belongs to a dead owner when its process is
   gone (same host), or, from another host, when its window ended or its heartbeat stopped.
2. Every database's current level and ``slowms`` are read before anything is changed —
   ``slowms`` is server-wide, so reading after changing one database would read our own value.
3. For each database: the previous values are written to the store, *then* the level is set.
4. At the end (normal exit, an exception, Ctrl-C, SIGTERM turned into KeyboardInterrupt): each
   database gets its previous level and ``slowms`` back and its row is deleted. If someone else
   changed the level during the window, theirs is left alone (and said so). A restore that fails
   (the server went away) keeps its row: the next perfsight run restores it.

Why level 2 must never stay on by accident: it writes a profile document for *every* operation
(a write per read on a busy server) and the 1 MB capped ``system.profile`` then rolls over in
seconds. See README "Live profiler".
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

import psutil

from collectors.mongo_admin import MongoAdmin, ProfilingStatus
from perfsight.errors import PerfsightError, SourceResponseError
from perfsight.models import from_epoch, iso
from perfsight.store import Store
from perfsight.store.profiler import (
    RestoreRow,
    add_restore_row,
    delete_restore_row,
    renew_restore_rows,
    restore_rows,
)

# A row of an owner on another host whose heartbeat is this old is taken as abandoned (collect
# renews it every cycle); a window with a planned end is abandoned this long after it.
HEARTBEAT_TTL = 300.0
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Owner:
    """The process that changed a level."""

    host: str
    pid: int
    started: float  # process start time: tells a reused pid apart
    command: str

    @classmethod
    def current(cls, command: str) -> Owner:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, psutil.Process(pid).create_time(), command)

    @classmethod
    def of(cls, row: RestoreRow) -> Owner:
        return cls(row.owner_host, row.owner_pid, row.owner_started, row.owner_command)

    def alive(self) -> bool | None:
        """Whether the owner still runs; None when it runs on another host (unknown)."""
        if self.host != socket.gethostname():
            return None
        try:
            return abs(psutil.Process(self.pid).create_time() - self.started) < 1.0
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return False

    def describe(self) -> str:
        return f"perfsight {self.command} (pid {self.pid} on {self.host})"


def abandoned(row: RestoreRow, now: float) -> bool:
    """Whether the row's owner is gone without restoring the level."""
    alive = Owner.of(row).alive()
    if alive is not None:
        return not alive
    if row.until is not None and now > row.until + HEARTBEAT_TTL:
        return True
    return now - row.heartbeat_at > HEARTBEAT_TTL


def restore_abandoned(
    admin: MongoAdmin, store: Store, target: str, *, say: Say, now: float | None = None
) -> list[RestoreRow]:
    """Put back the levels of dead owners on ``target``; returns the rows still held by live
    owners (their windows must not be touched)."""
    stamp = time.time() if now is None else now
    live = []
    for row in restore_rows(store, target):
        if not abandoned(row, stamp):
            live.append(row)
            continue
        owner = Owner.of(row)
        say(
            f"{row.database}: {owner.describe()} set profiling level {row.set_level} at "
            f"{iso_epoch(row.set_at)} and ended without restoring it; restoring now"
        )
        restore(admin, store, row, say=say)
    return live


def restore(admin: MongoAdmin, store: Store, row: RestoreRow, *, say: Say) -> bool:
    """Put one database's previous settings back; True when done (the row is then deleted).
    A failure keeps the row for the next run and raises."""
    current = admin.profiling_status(row.database)
    if current.level != row.set_level:
        say(
            f"{row.database}: the profiling level is now {current.level}, not the "
            f"{row.set_level} perfsight set: someone changed it since; leaving it as it is"
        )
        delete_restore_row(store, row.target, row.database)
        return False
    # slowms is server-wide: restoring another database may already have put it back (or
    # someone else changed it); it is only restored while it still is what perfsight set.
    slowms = (
        row.previous_slowms
        if row.set_slowms is not None and current.slowms == row.set_slowms
        else None
    )
    admin.set_profiling(row.database, row.previous_level, slowms)
    delete_restore_row(store, row.target, row.database)
    shown = f", slowms {slowms}" if slowms is not None else ""
    say(f"{row.database}: profiling level {row.previous_level}{shown} restored")
    return True


def iso_epoch(seconds: float) -> str:
    return iso(from_epoch(seconds)) or "?"


class ProfilingWindow:
    """Context manager: the requested level on each database for its duration."""

    def __init__(
        self,
        admin: MongoAdmin,
        store: Store,
        *,
        target: str,
        databases: Sequence[str],
        level: int,
        slowms: int | None,
        owner: Owner,
        until: float | None = None,
        say: Say = print,
    ) -> None:
        self.admin = admin
        self.store = store
        self.target = target
        self.databases = list(databases)
        self.level = level
        self.slowms = slowms
        self.owner = owner
        self.until = until
        self.say = say
        self.previous: dict[str, ProfilingStatus] = {}
        self._changed: list[RestoreRow] = []
        self._lock = threading.Lock()

    def __enter__(self) -> ProfilingWindow:
        live = restore_abandoned(self.admin, self.store, self.target, say=self.say)
        busy = [row for row in live if row.database in self.databases]
        if busy:
            row = busy[0]
            raise SourceResponseError(
                f"the profiling level of {row.database} on {self.target} is already managed by "
                f"{Owner.of(row).describe()} since {iso_epoch(row.set_at)}: not changing it a "
                "second time (its previous level would be lost)",
                source="mongo.profile_level",
            )
        self.previous = {db: self.admin.profiling_status(db) for db in self.databases}
        try:
            for database in self.databases:
                self._set(database, self.previous[database])
        except BaseException:
            self._restore_all()
            raise
        return self

    def _set(self, database: str, before: ProfilingStatus) -> None:
        slowms_changes = self.slowms is not None and self.slowms != before.slowms
        if before.level == self.level and not slowms_changes:
            self.say(f"{database}: profiling level is already {self.level}")
            return
        now = time.time()
        row = RestoreRow(
            target=self.target,
            database=database,
            previous_level=before.level,
            previous_slowms=before.slowms if slowms_changes else None,
            set_level=self.level,
            set_slowms=self.slowms if slowms_changes else None,
            set_at=now,
            until=self.until,
            heartbeat_at=now,
            owner_host=self.owner.host,
            owner_pid=self.owner.pid,
            owner_started=self.owner.started,
            owner_command=self.owner.command,
        )
        add_restore_row(self.store, row)  # first: a crash after the change stays restorable
        self._changed.append(row)
        self.admin.set_profiling(database, self.level, row.set_slowms)
        slowms = f", slowms {self.slowms}" if slowms_changes else ""
        self.say(
            f"{database}: profiling level {before.level} → {self.level}{slowms} "
            "(restored at the end)"
        )

    def heartbeat(self, now: float | None = None) -> None:
        if self._changed:
            renew_restore_rows(self.store, self.target, self.owner.pid, self.owner.host, now=now)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.end()

    @property
    def active(self) -> bool:
        return bool(self._changed)

    def end(self) -> None:
        """Restore now (idempotent; safe from a timer thread while the window's owner runs)."""
        with self._lock:
            self._restore_all()

    def _restore_all(self) -> None:
        failures = []
        while self._changed:
            row = self._changed.pop()
            try:
                restore(self.admin, self.store, row, say=self.say)
            except PerfsightError as error:
                failures.append(f"{row.database}: {error}")
        if failures:
            raise SourceResponseError(
                "could not restore the profiling level ("
                + "; ".join(failures)
                + "): it is kept in the store and restored by the next perfsight run against "
                "this server",
                source="mongo.profile_level",
            )
