"""The real-MongoDB backend (``MONGODB_URI``). No MongoDB server can run here, so pymongo's
collection and database are replaced by mongomock behind a thin recorder that checks what the
backend hands pymongo — above all the ``comment`` of every operation — then strips what
mongomock does not take (``comment``) and executes the call."""

from __future__ import annotations

from typing import Any

import mongomock
import pytest

from perfsight.demo.backend import RequestDb
from perfsight.demo.indexes import PLAN_INDEXES, declared_indexes
from perfsight.demo.mongo_backend import MARKER, MongoBackend
from perfsight.demo.seed import SIZES, generate, object_id
from perfsight.errors import SourceUnavailable


class RecordingCollection:
    def __init__(self, inner: Any, calls: list[tuple[str, str, dict[str, Any]]]) -> None:
        self.inner = inner
        self.calls = calls

    def __getattr__(self, method: str) -> Any:
        target = getattr(self.inner, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((self.inner.name, method, dict(kwargs)))
            kwargs.pop("comment", None)
            return target(*args, **kwargs)

        return call


class RecordingDatabase:
    def __init__(self) -> None:
        self.inner = mongomock.MongoClient().get_database("travel")
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.commands: list[dict[str, Any]] = []
        self.name = "travel"
        self.client = self.inner.client

    def __getitem__(self, name: str) -> RecordingCollection:
        return RecordingCollection(self.inner[name], self.calls)

    def command(self, command: dict[str, Any]) -> dict[str, Any]:
        self.commands.append(command)  # mongomock has no profiler to set
        return {"ok": 1.0}

    def list_collection_names(self) -> list[str]:
        return list(self.inner.list_collection_names())

    def drop_collection(self, name: str) -> None:
        self.inner.drop_collection(name)


DATA = generate(SIZES["small"])


def prepared(mode: str = "after") -> tuple[MongoBackend, RecordingDatabase]:
    db = RecordingDatabase()
    backend = MongoBackend(db)  # type: ignore[arg-type]
    backend.prepare(DATA, "small", declared_indexes(mode), PLAN_INDEXES)  # type: ignore[arg-type]
    return backend, db


def test_prepare_seeds_sets_indexes_and_profiler() -> None:
    backend, db = prepared("after")
    assert db.inner.bookings.count_documents({}) == len(DATA["bookings"])
    assert "tenantId_1_status_1_createdAt_-1" in db.inner.leads.index_information()
    assert db.commands == [{"profile": 2, "slowms": 0}]
    assert db.inner[MARKER].find_one({"_id": "seed"}) == {"_id": "seed", "size": "small"}
    # Switching the same database to before removes the plan's indexes, keeps the data.
    backend.prepare(DATA, "small", declared_indexes("before"), PLAN_INDEXES)  # type: ignore[arg-type]
    assert set(db.inner.leads.index_information()) == {"_id_"}
    assert db.inner.bookings.count_documents({}) == len(DATA["bookings"])


def test_prepare_refuses_a_database_it_did_not_seed() -> None:
    db = RecordingDatabase()
    db.inner.customers.insert_one({"name": "someone's real data"})
    with pytest.raises(SourceUnavailable, match="did not create"):
        MongoBackend(db).prepare(DATA, "small", {}, PLAN_INDEXES)  # type: ignore[arg-type]
    assert db.inner.customers.count_documents({}) == 1


def test_every_operation_passes_the_request_comment() -> None:
    backend, db = prepared()
    db.calls.clear()
    session = RequestDb(backend, "rid-9", "GET /api/bookings")
    booking = session.find_one("bookings", {"_id": object_id("bookings", 3)})
    assert booking is not None and booking["reference"] == "BK-100003"
    page = session.find(
        "bookings", {"tenantId": booking["tenantId"]}, sort=(("createdAt", -1),), limit=5, skip=5
    )
    assert len(page) == 5
    assert [b["createdAt"] for b in page] == sorted((b["createdAt"] for b in page), reverse=True)
    session.insert_one("quotes", {"_id": 1, "total": 2.0})
    assert session.update_one("quotes", {"_id": 1}, {"$set": {"total": 3.0}}) == (1, 1)
    assert session.queries == 4
    comment = {"rid": "rid-9", "route": "GET /api/bookings"}
    assert [(name, method) for name, method, _ in db.calls] == [
        ("bookings", "find_one"),
        ("bookings", "find"),
        ("quotes", "insert_one"),
        ("quotes", "update_one"),
    ]
    assert all(kwargs["comment"] == comment for _, _, kwargs in db.calls)
    assert db.calls[1][2] | {"comment": None} == {
        "sort": [("createdAt", -1)], "skip": 5, "limit": 5, "comment": None
    }  # fmt: skip
