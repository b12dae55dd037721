"""pymongo against a real MongoDB (``MONGODB_URI``): every operation passes its ``comment``, and
the server's own profiler records it — no simulated profile is written in this mode.

``prepare`` makes the database match the mode: the seed loaded (only into an empty database or
one this demo seeded before, recognised by its marker collection), the plan's indexes present in
``after`` and absent in ``before``, and profiling level 2 for the demo database, so the real
``system.profile`` holds every operation as the simulated one does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from perfsight.demo.backend import Comment, Doc, sort_list
from perfsight.demo.planner import IndexSpec, SortSpec
from perfsight.errors import SourceUnavailable

MARKER = "_perfsight_demo"


def connect(uri: str, database: str, timeout_ms: int = 5000) -> Database[Doc]:
    client: MongoClient[Doc] = MongoClient(
        uri,
        appname="perfsight-demo",
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms * 2,
    )
    return client.get_database(database)


class MongoBackend:
    kind = "mongodb"

    def __init__(self, db: Database[Doc]) -> None:
        self.db = db

    def prepare(
        self,
        data: Mapping[str, Iterable[Mapping[str, Any]]],
        size_name: str,
        indexes: Mapping[str, Sequence[IndexSpec]],
        all_indexes: Mapping[str, Sequence[IndexSpec]],
        *,
        profile: bool = True,
    ) -> list[str]:
        """Seed, set the mode's indexes and the profiler. Returns warnings to print."""
        warnings: list[str] = []
        try:
            self._seed(data, size_name)
            for name, specs in all_indexes.items():
                wanted = {spec.name for spec in indexes.get(name, ())}
                existing = set(self.db[name].index_information())
                for spec in specs:
                    if spec.name in wanted and spec.name not in existing:
                        self.db[name].create_index(list(spec.key), name=spec.name)
                    elif spec.name not in wanted and spec.name in existing:
                        self.db[name].drop_index(spec.name)
            if profile:
                try:
                    self.db.command({"profile": 2, "slowms": 0})
                except OperationFailure as exc:
                    warnings.append(f"could not turn the profiler on ({exc}); set it yourself")
        except PyMongoError as exc:
            raise SourceUnavailable(str(exc), source="MONGODB_URI") from exc
        return warnings

    def _seed(self, data: Mapping[str, Iterable[Mapping[str, Any]]], size_name: str) -> None:
        marker = self.db[MARKER].find_one({"_id": "seed"})
        if marker is not None and marker.get("size") == size_name:
            return
        names = [n for n in self.db.list_collection_names() if not n.startswith("system.")]
        if marker is None and names:
            raise SourceUnavailable(
                f"database {self.db.name!r} has collections the perfsight demo did not create "
                f"({', '.join(sorted(names)[:5])}); point the demo at another database",
                source="MONGODB_URI",
            )
        for name in names:
            self.db.drop_collection(name)
        for name, docs in data.items():
            rows = [dict(doc) for doc in docs]
            if rows:
                self.db[name].insert_many(rows, ordered=False)
        self.db[MARKER].replace_one({"_id": "seed"}, {"size": size_name}, upsert=True)

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
        coll = self.db[collection]
        if single:
            found = coll.find_one(dict(filter_), projection, comment=dict(comment))
            return [found] if found is not None else []
        cursor = coll.find(
            dict(filter_),
            projection,
            sort=sort_list(sort),
            skip=skip,
            limit=limit,
            comment=dict(comment),
        )
        return list(cursor)

    def insert_one(self, collection: str, doc: Mapping[str, Any], *, comment: Comment) -> None:
        self.db[collection].insert_one(dict(doc), comment=dict(comment))

    def update_one(
        self,
        collection: str,
        filter_: Mapping[str, Any],
        update: Mapping[str, Any],
        *,
        comment: Comment,
    ) -> tuple[int, int]:
        result = self.db[collection].update_one(dict(filter_), dict(update), comment=dict(comment))
        return result.matched_count, result.modified_count

    def close(self) -> None:
        self.db.client.close()
