"""The two server calls the live profiler makes that mongomock cannot run — the ``profile``
command and the ``$indexStats`` stage — behind one small adapter.

The logic (building the commands, checking and reading the replies, explaining refusals) lives
here; the transport is two callables, pymongo by default, recorded server replies in tests:

- ``run_command(database, command) -> reply``: ``Database.command``;
- ``run_index_stats(database, collection) -> documents``: ``aggregate([{"$indexStats": {}}])``.

Replies as servers send them (4.4–8.0): ``{was: 0, slowms: 100, sampleRate: 1.0, ok: 1}`` for
``profile`` (the values *before* the call, also when it sets new ones; ``filter`` and ``note``
when a filter is set); per index ``{name, key, host, accesses: {ops, since}, spec, shard?,
building?}`` for ``$indexStats`` — one document per host in a sharded cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import MongoClient
from pymongo.errors import OperationFailure

from analyzers.unused_indexes import IndexUsage
from collectors.extjson import to_datetime, to_float, to_int
from collectors.mongo_connect import COMMAND_NOT_FOUND, explain, mongo_errors
from perfsight.errors import SourceResponseError

RunCommand = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]
RunIndexStats = Callable[[str, str], Sequence[Mapping[str, Any]]]

LEVELS = (0, 1, 2)


@dataclass(frozen=True, slots=True)
class ProfilingStatus:
    """One database's profiler settings. ``slowms`` and ``sample_rate`` are server-wide (the
    same for every database, and for the diagnostic log), the level is per database."""

    level: int
    slowms: int
    sample_rate: float | None = None
    filter: Mapping[str, Any] | None = None


class IndexStatsUnavailable(Exception):
    """The server cannot report index usage here (a view, an old server, no privilege):
    unused-index findings are skipped for that collection, and the reason is reported."""


class MongoAdmin:
    def __init__(
        self,
        client: MongoClient[dict[str, Any]] | None,
        *,
        target: str,
        max_time_ms: int,
        uri: str | None = None,
        run_command: RunCommand | None = None,
        run_index_stats: RunIndexStats | None = None,
    ) -> None:
        if client is None and (run_command is None or run_index_stats is None):
            raise ValueError("without a client, both run_command and run_index_stats are needed")
        self.client = client
        self.target = target
        self.uri = uri
        self.max_time_ms = max_time_ms
        self._run_command = run_command or self._pymongo_command
        self._run_index_stats = run_index_stats or self._pymongo_index_stats

    # -- profiling level --------------------------------------------------------------------

    def profiling_status(self, database: str) -> ProfilingStatus:
        """The current level, ``slowms``, ``sampleRate`` and filter (``{profile: -1}``)."""
        with mongo_errors(self.target, f"read the profiling level of {database}", uri=self.uri):
            reply = self._run_command(database, {"profile": -1})
        return self._status(reply, database)

    def set_profiling(self, database: str, level: int, slowms: int | None) -> ProfilingStatus:
        """Set the level (and ``slowms`` when given); returns the settings before the call."""
        if level not in LEVELS:
            raise ValueError(f"profiling level must be 0, 1 or 2, not {level!r}")
        command: dict[str, Any] = {"profile": level}
        if slowms is not None:
            command["slowms"] = slowms
        action = f"set the profiling level of {database} to {level}"
        with mongo_errors(self.target, action, uri=self.uri):
            reply = self._run_command(database, command)
        return self._status(reply, database)

    def _status(self, reply: Mapping[str, Any], database: str) -> ProfilingStatus:
        try:
            level = to_int(reply.get("was"))
            slowms = to_int(reply.get("slowms"))
            rate = reply.get("sampleRate")
            sample_rate = None if rate is None else to_float(rate)
        except ValueError as exc:
            raise self._unexpected(reply, database, str(exc)) from exc
        if level not in LEVELS or slowms is None:
            raise self._unexpected(reply, database, "no 'was' level 0–2 and 'slowms'")
        found = reply.get("filter")
        return ProfilingStatus(
            level, slowms, sample_rate, found if isinstance(found, Mapping) else None
        )

    def _unexpected(self, reply: Mapping[str, Any], database: str, why: str) -> Exception:
        shown = {k: v for k, v in reply.items() if not str(k).startswith("$")}
        return SourceResponseError(
            f"{self.target}: unexpected reply to the profile command on {database} ({why}): "
            f"{shown!r:.200}",
            source="mongo",
        )

    # -- index usage ------------------------------------------------------------------------

    def index_usage(self, database: str, collection: str) -> list[IndexUsage]:
        """Each index of the collection with its ``accesses`` counter (summed over the hosts of
        a sharded cluster; its ``since`` is then the latest reset among them)."""
        namespace = f"{database}.{collection}"
        try:
            with mongo_errors(self.target, f"read $indexStats of {namespace}", uri=self.uri):
                try:
                    documents = self._run_index_stats(database, collection)
                except OperationFailure as exc:
                    if exc.code == COMMAND_NOT_FOUND or "$indexStats" in str(exc):
                        raise IndexStatsUnavailable(explain(exc, self.uri)) from exc
                    raise
        except SourceResponseError as exc:
            raise IndexStatsUnavailable(exc.message) from exc
        merged: dict[str, IndexUsage] = {}
        for position, document in enumerate(documents):
            usage = self._usage(namespace, document, position)
            known = merged.get(usage.name)
            merged[usage.name] = usage if known is None else known.combined(usage)
        return list(merged.values())

    def _usage(self, namespace: str, doc: Mapping[str, Any], position: int) -> IndexUsage:
        where = f"$indexStats of {namespace}, document {position}"
        try:
            name = doc["name"]
            accesses = doc["accesses"]
            ops = to_int(accesses["ops"])
            since: datetime = to_datetime(accesses["since"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceResponseError(
                f"{self.target}: unexpected {where}: {exc}", source="mongo"
            ) from exc
        found = doc.get("spec")
        spec: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        key = doc.get("key") or spec.get("key") or {}
        return IndexUsage(
            namespace=namespace,
            name=str(name),
            key=tuple((str(f), d if isinstance(d, str) else int(d)) for f, d in key.items()),
            ops=ops or 0,
            since=since,
            hosts=(str(doc.get("host") or "?"),),
            unique=bool(spec.get("unique")),
            ttl=spec.get("expireAfterSeconds") is not None,
            hidden=bool(spec.get("hidden")),
            building=bool(doc.get("building")),
        )

    # -- transport (pymongo) ----------------------------------------------------------------

    def _pymongo_command(self, database: str, command: Mapping[str, Any]) -> Mapping[str, Any]:
        assert self.client is not None
        reply: Mapping[str, Any] = self.client[database].command(dict(command))
        return reply

    def _pymongo_index_stats(self, database: str, collection: str) -> list[Mapping[str, Any]]:
        assert self.client is not None
        cursor = self.client[database][collection].aggregate(
            [{"$indexStats": {}}], maxTimeMS=self.max_time_ms
        )
        return list(cursor)
