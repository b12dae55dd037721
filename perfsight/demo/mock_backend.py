"""mongomock in-process, with a SIMULATED profiler, index scans and network.

mongomock is not thread-safe, so every call runs under one lock. It has no profiler and uses no
index, so this backend:

- plans each query with ``planner.plan_query`` over the collection's declared indexes and size;
- executes a plan that uses an index through ``indexscan`` (cost of an index scan), and any
  other through mongomock's own full scan (cost of a collection scan);
- writes the ``system.profile`` document(s) a MongoDB 7.0 server would have written: ``millis``
  is the real measured time of the execution, the plan fields are the planner's;
- waits ``round_trip`` seconds per operation outside the lock, standing for the network between
  an application and its database (a server's profiler does not see that time either). This is
  what an N+1 really costs in production: one round trip per query.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import bson
import mongomock
from bson import json_util

from perfsight.demo import profiledoc
from perfsight.demo.backend import Comment, Doc, find_command
from perfsight.demo.indexscan import IndexedCollection, Unindexable
from perfsight.demo.planner import IndexSpec, Plan, SortSpec, plan_query
from perfsight.demo.profilelog import ProfileWriter

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MockBackend:
    kind = "mongomock"

    def __init__(
        self,
        database_name: str,
        indexes: Mapping[str, Sequence[IndexSpec]],
        writer: ProfileWriter | None,
        *,
        round_trip: float = 0.0,
        clock: Clock = _utcnow,
    ) -> None:
        self.database_name = database_name
        self.db: Any = mongomock.MongoClient().get_database(database_name)
        self.indexes = indexes
        self.writer = writer
        self.round_trip = round_trip
        self.clock = clock
        self._lock = threading.Lock()
        self._collections: dict[str, IndexedCollection] = {}
        self._versions: dict[str, int] = {}
        self._counts: dict[tuple[str, int, str], int] = {}
        self._cursor_ids = itertools.count(7_340_000_000_000_000_001)

    def _indexed(self, collection: str) -> IndexedCollection:
        if collection not in self._collections:
            self._collections[collection] = IndexedCollection(self.indexes.get(collection, ()))
        return self._collections[collection]

    def seed(self, data: Mapping[str, Iterable[Doc]]) -> None:
        """Load documents (the backend keeps them: pass ones nobody else changes), without
        profiling them: the seed is not the app's traffic."""
        with self._lock:
            for name, docs in data.items():
                rows = list(docs)
                if rows:
                    self.db[name].insert_many(rows)
                self._indexed(name).load(rows)

    def size(self, collection: str) -> int:
        return len(self._indexed(collection).docs)

    def _count(self, collection: str, filter_: Mapping[str, Any]) -> int:
        exact = self._indexed(collection).count(filter_)
        if exact is not None:
            return exact
        # A full count, memoised until the collection changes.
        key = (collection, self._versions.get(collection, 0), json_util.dumps(filter_))
        if key not in self._counts:
            if len(self._counts) > 10_000:
                self._counts.clear()
            self._counts[key] = self.db[collection].count_documents(dict(filter_))
        return self._counts[key]

    def _plan(
        self, collection: str, filter_: Mapping[str, Any], sort: SortSpec, limit: int, skip: int
    ) -> Plan:
        return plan_query(
            filter_,
            sort,
            self.indexes.get(collection, ()),
            self.size(collection),
            matching=lambda sub: self._count(collection, sub),
            limit=limit,
            skip=skip,
        )

    def _execute(
        self,
        collection: str,
        plan: Plan,
        filter_: Mapping[str, Any],
        sort: SortSpec,
        limit: int,
        skip: int,
        projection: Mapping[str, Any] | None,
    ) -> list[Doc]:
        if plan.index is not None:
            try:
                return self._indexed(collection).scan(
                    plan, filter_, sort, skip=skip, limit=limit, projection=projection
                )
            except Unindexable:
                pass  # same result through the full scan, only slower
        cursor = self.db[collection].find(dict(filter_), dict(projection) if projection else None)
        if sort:
            cursor = cursor.sort(list(sort))
        return list(cursor.skip(skip).limit(limit))

    def find(
        self,
        collection: str,
        filter_: Mapping[str, Any],
        *,
        comment: Comment,
        sort: SortSpec = (),
        limit: int = 0,
        skip: int = 0,
        projection: Mapping[str, Any] | None = None,
        single: bool = False,
    ) -> list[Doc]:
        with self._lock:
            plan = self._plan(collection, filter_, sort, limit, skip)
            started = time.perf_counter()
            docs = self._execute(collection, plan, filter_, sort, limit, skip, projection)
            millis = (time.perf_counter() - started) * 1000
            ended = self.clock()
        if self.writer is not None:
            command = find_command(
                self.database_name,
                collection,
                filter_,
                comment=comment,
                sort=sort,
                limit=limit,
                skip=skip,
                projection=projection,
                single=single,
            )
            length = len(bson.encode({"cursor": {"firstBatch": docs, "id": 0}, "ok": 1.0}))
            self.writer.write(
                profiledoc.find_documents(
                    self.database_name,
                    command,
                    plan,
                    nreturned=len(docs),
                    response_length=length,
                    millis=millis,
                    ts=ended,
                    cursor_id=next(self._cursor_ids),
                )
            )
        self._travel()
        return docs

    def insert_one(self, collection: str, doc: Mapping[str, Any], *, comment: Comment) -> None:
        stored = dict(doc)
        with self._lock:
            started = time.perf_counter()
            self.db[collection].insert_one(stored)
            millis = (time.perf_counter() - started) * 1000
            self._indexed(collection).put(stored)
            self._versions[collection] = self._versions.get(collection, 0) + 1
            ended = self.clock()
        if self.writer is not None:
            self.writer.write(
                [
                    profiledoc.insert_document(
                        self.database_name,
                        collection,
                        comment=dict(comment),
                        inserted=1,
                        indexes=1 + len(self.indexes.get(collection, ())),
                        millis=millis,
                        ts=ended,
                    )
                ]
            )
        self._travel()

    def update_one(
        self,
        collection: str,
        filter_: Mapping[str, Any],
        update: Mapping[str, Any],
        *,
        comment: Comment,
    ) -> tuple[int, int]:
        with self._lock:
            # Planned on the documents as they are before the update, as the server does;
            # update_one stops at the first match: a plan with limit 1.
            plan = self._plan(collection, filter_, (), 1, 0)
            started = time.perf_counter()
            target = self._execute(collection, plan, filter_, (), 1, 0, {"_id": 1})
            matched = modified = 0
            if target:
                result = self.db[collection].update_one({"_id": target[0]["_id"]}, dict(update))
                matched, modified = result.matched_count, result.modified_count
                # Read the new version back into the index (a scan of a small collection).
                self._indexed(collection).put(self.db[collection].find_one(target[0]))
            millis = (time.perf_counter() - started) * 1000
            self._versions[collection] = self._versions.get(collection, 0) + 1
            ended = self.clock()
        if self.writer is not None:
            statement = {
                "q": dict(filter_),
                "u": dict(update),
                "multi": False,
                "upsert": False,
                "comment": dict(comment),
            }
            self.writer.write(
                [
                    profiledoc.update_document(
                        self.database_name,
                        collection,
                        statement,
                        plan,
                        matched=matched,
                        modified=modified,
                        millis=millis,
                        ts=ended,
                    )
                ]
            )
        self._travel()
        return matched, modified

    def _travel(self) -> None:
        if self.round_trip > 0:
            time.sleep(self.round_trip)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
