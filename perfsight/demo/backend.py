"""What the sample API asks of its database, and the per-request handle that tags every
operation with the request id and route (the foundation's comment contract) and counts them.

Two implementations: ``mock_backend.MockBackend`` (mongomock in-process, with the simulated
profiler) and ``mongo_backend.MongoBackend`` (pymongo against a real server, whose own profiler
records everything).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from perfsight.demo.planner import SortSpec

Doc = dict[str, Any]
Comment = Mapping[str, str]


class Backend(Protocol):
    kind: str  # "mongomock" or "mongodb"

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
    ) -> list[Doc]: ...

    def insert_one(self, collection: str, doc: Mapping[str, Any], *, comment: Comment) -> None: ...

    def update_one(
        self,
        collection: str,
        filter_: Mapping[str, Any],
        update: Mapping[str, Any],
        *,
        comment: Comment,
    ) -> tuple[int, int]: ...

    def close(self) -> None: ...


class RequestDb:
    """The database as one HTTP request sees it: every operation carries
    ``comment = {"rid": request id, "route": endpoint key}`` and is counted."""

    def __init__(self, backend: Backend, request_id: str, route: str) -> None:
        self.backend = backend
        self.comment: Comment = {"rid": request_id, "route": route}
        self.queries = 0

    def find(
        self,
        collection: str,
        filter_: Mapping[str, Any],
        *,
        sort: SortSpec = (),
        limit: int = 0,
        skip: int = 0,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Doc]:
        self.queries += 1
        return self.backend.find(
            collection,
            filter_,
            comment=self.comment,
            sort=sort,
            limit=limit,
            skip=skip,
            projection=projection,
        )

    def find_one(
        self,
        collection: str,
        filter_: Mapping[str, Any],
        projection: Mapping[str, Any] | None = None,
    ) -> Doc | None:
        self.queries += 1
        found = self.backend.find(
            collection, filter_, comment=self.comment, limit=1, projection=projection, single=True
        )
        return found[0] if found else None

    def insert_one(self, collection: str, doc: Mapping[str, Any]) -> None:
        self.queries += 1
        self.backend.insert_one(collection, doc, comment=self.comment)

    def update_one(
        self, collection: str, filter_: Mapping[str, Any], update: Mapping[str, Any]
    ) -> tuple[int, int]:
        self.queries += 1
        return self.backend.update_one(collection, filter_, update, comment=self.comment)


def find_command(
    database: str,
    collection: str,
    filter_: Mapping[str, Any],
    *,
    comment: Comment,
    sort: SortSpec,
    limit: int,
    skip: int,
    projection: Mapping[str, Any] | None,
    single: bool,
) -> Doc:
    """The ``find`` command a driver sends (``findOne`` is ``limit: 1, singleBatch: true``)."""
    command: Doc = {"find": collection, "filter": dict(filter_)}
    if sort:
        command["sort"] = dict(sort)
    if projection:
        command["projection"] = dict(projection)
    if skip:
        command["skip"] = skip
    if limit:
        command["limit"] = limit
    if single:
        command["singleBatch"] = True
    command["comment"] = dict(comment)
    command["$db"] = database
    return command


def sort_list(sort: SortSpec) -> Sequence[tuple[str, int]] | None:
    return list(sort) or None
