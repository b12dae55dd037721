"""One live MongoDB server as the profiler uses it: the client, the admin adapter, the reader of
``system.profile``, and the profiling window — what ``analyze --live``, ``collect`` and load runs
share.

    live = LiveMongo.connect(settings.mongo)              # pings: an unreachable server is exit 2
    with live.profiling(store, level=2, slowms=None, command="analyze --live", until=end):
        poll = live.reader(options, report).read(cursors)
    live.close()
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import MongoClient

from collectors.input_report import InputReport
from collectors.mongo_admin import MongoAdmin
from collectors.mongo_connect import connect_mongo, mongo_errors, ping, target_label
from collectors.mongo_normalize import ReadOptions
from collectors.mongo_profiler import ProfileReader
from collectors.profiling_window import Owner, ProfilingWindow, Say, restore_abandoned
from perfsight.config.mongo import MongoSettings
from perfsight.errors import ConfigError
from perfsight.store import Store


@dataclass
class LiveMongo:
    uri: str
    databases: list[str]
    settings: MongoSettings
    client: MongoClient[dict[str, Any]]
    admin: MongoAdmin
    target: str = field(init=False)

    def __post_init__(self) -> None:
        self.target = target_label(self.uri)

    @classmethod
    def connect(
        cls,
        settings: MongoSettings,
        *,
        uri: str | None = None,
        databases: Sequence[str] = (),
        client: MongoClient[dict[str, Any]] | None = None,
        admin: MongoAdmin | None = None,
        check: bool = True,
    ) -> LiveMongo:
        """The server of ``uri`` (else ``[mongo] uri``) and its databases (else ``[mongo]
        databases``). ``client``/``admin`` replace the pymongo ones (tests: mongomock and
        recorded replies)."""
        uri = uri or settings.uri
        if not uri:
            raise ConfigError(
                "no MongoDB server to read: give --mongo-uri or set [mongo] uri "
                "(PERFSIGHT_MONGO__URI keeps the password out of the command line)",
                source="mongo.uri",
            )
        chosen = list(dict.fromkeys(databases or settings.databases))
        if not chosen:
            raise ConfigError(
                "no database to profile: give --database NAME or set [mongo] databases",
                source="mongo.databases",
            )
        client = client if client is not None else connect_mongo(uri, settings)
        label = target_label(uri)
        if check:
            ping(client, label)
        admin = admin or MongoAdmin(client, target=label, max_time_ms=settings.max_time_ms, uri=uri)
        return cls(uri, chosen, settings, client, admin)

    def namespaces(self) -> list[str]:
        """Every collection of the profiled databases (what ``list_indexes`` is asked about)."""
        names = []
        for database in self.databases:
            with mongo_errors(self.target, f"list the collections of {database}", uri=self.uri):
                names += [f"{database}.{c}" for c in self.client[database].list_collection_names()]
        return names

    def reader(self, options: ReadOptions, report: InputReport) -> ProfileReader:
        return ProfileReader(
            self.client,
            self.databases,
            target=self.target,
            options=options,
            report=report,
            max_time_ms=self.settings.max_time_ms,
            uri=self.uri,
        )

    def profiling(
        self,
        store: Store,
        *,
        level: int | None,
        slowms: int | None,
        command: str,
        until: float | None,
        say: Say,
    ) -> contextlib.AbstractContextManager[ProfilingWindow | None]:
        """The requested level for the window, or nothing when no level was asked for (the
        server's settings are then never touched)."""
        if level is None:
            if slowms is not None:
                raise ConfigError(
                    "slowms is set together with a profiling level: give that level too",
                    source="mongo.slowms",
                )
            return contextlib.nullcontext()
        return ProfilingWindow(
            self.admin,
            store,
            target=self.target,
            databases=self.databases,
            level=level,
            slowms=slowms,
            owner=Owner.current(command),
            until=until,
            say=say,
        )

    def restore_abandoned(self, store: Store, *, say: Say) -> None:
        """Levels a perfsight that died left changed on this server: put back at every start
        (not only when a level is asked for again)."""
        restore_abandoned(self.admin, store, self.target, say=say)

    def close(self) -> None:
        self.client.close()


@contextlib.contextmanager
def connected(settings: MongoSettings, **kwargs: Any) -> Iterator[LiveMongo]:
    live = LiveMongo.connect(settings, **kwargs)
    try:
        yield live
    finally:
        live.close()
