"""The live profiler: each configured database's ``system.profile``, read incrementally.

    reader = ProfileReader(client, ["travel"], target=label, options=ReadOptions(), report=report)
    poll = reader.read(cursors)          # cursors: database -> ProfileCursor | None
    for event in poll.events: ...
    store the poll's cursors (perfsight.store.profiler.save_cursors)

Safe on production: every read is bounded by ``maxTimeMS`` (the server stops it), reads follow
the collection's natural (insertion) order so the server never sorts, and one read takes at
most ``max_documents`` per database (the next read continues).

``system.profile`` is a capped collection (1 MB by default): the server overwrites its oldest
documents once it is full. When the oldest document left is newer than the cursor, what lay
between was lost before it could be read; the read reports that gap — how long, and roughly
how many documents (the collection's current density over the gap's length) — instead of
pretending nothing happened.

A cursor is the ``ts`` (epoch milliseconds) of the last document read plus the identities of
the documents read at that millisecond: the next read starts at that millisecond (documents
still being written in it are not missed) and skips the ones it already has. ``ts`` is when an
operation ended and the server writes its document right after, so insertion order follows
``ts``; a document inserted after a read with a ``ts`` more than a millisecond older than the
cursor (two operations finishing at once, written in the other order) would be missed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import encode, json_util
from bson.json_util import RELAXED_JSON_OPTIONS
from pymongo import MongoClient

from collectors.file_reader import TRUNCATED_REASON
from collectors.input_report import InputReport
from collectors.mongo_connect import mongo_errors
from collectors.mongo_normalize import BadRecord, Normalizer, ReadOptions
from perfsight.models import QueryEvent, epoch, from_epoch, iso

PROFILE_COLLECTION = "system.profile"
MAX_DOCUMENTS = 50_000  # per database and read


@dataclass(frozen=True, slots=True)
class ProfileCursor:
    ts_ms: int  # epoch milliseconds of the last document read
    seen: tuple[str, ...] = ()  # identities of the documents read at ts_ms (with repeats)

    @property
    def ts(self) -> datetime:
        return from_ms(self.ts_ms)


@dataclass(frozen=True, slots=True)
class ProfilerGap:
    """Documents the capped collection overwrote before they were read."""

    database: str
    since: datetime  # the last document read
    until: datetime  # the oldest document left
    estimated_lost: int | None  # from the collection's density; None when it cannot tell

    @property
    def seconds(self) -> float:
        return (self.until - self.since).total_seconds()

    def describe(self) -> str:
        lost = (
            f"roughly {self.estimated_lost:,} documents"
            if self.estimated_lost is not None
            else "an unknown number of documents"
        )
        return (
            f"{self.database}.{PROFILE_COLLECTION} rolled over before it was read: "
            f"{self.seconds:,.1f} s of operations lost ({iso(self.since)} to "
            f"{iso(self.until)}, {lost}); read it more often (poll_interval) or enlarge it"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "since": iso(self.since),
            "until": iso(self.until),
            "seconds": round(self.seconds, 3),
            "estimated_lost": self.estimated_lost,
        }


@dataclass(frozen=True, slots=True)
class DatabaseRead:
    database: str
    documents: int  # read in this poll
    cursor: ProfileCursor | None  # where the next read starts
    gap: ProfilerGap | None = None
    more: bool = False  # stopped at max_documents: more is waiting


@dataclass(slots=True)
class ProfilePoll:
    events: list[QueryEvent] = field(default_factory=list)
    reads: list[DatabaseRead] = field(default_factory=list)

    @property
    def gaps(self) -> list[ProfilerGap]:
        return [read.gap for read in self.reads if read.gap is not None]

    def cursors(self) -> dict[str, ProfileCursor]:
        return {r.database: r.cursor for r in self.reads if r.cursor is not None}


def to_ms(value: datetime) -> int:
    return round(epoch(value) * 1000)


def from_ms(ms: int) -> datetime:
    return from_epoch(ms / 1000)


def identity(document: Mapping[str, Any]) -> str:
    """What tells two profile documents apart (they have no ``_id``): their BSON bytes."""
    return hashlib.blake2b(encode(document), digest_size=12).hexdigest()


def as_extended_json(document: Mapping[str, Any]) -> Any:
    """The document as a mongoexport file holds it (relaxed Extended JSON, parsed): the same
    fingerprints and parameters as reading an export, and examples that are plain JSON."""
    return orjson.loads(json_util.dumps(document, json_options=RELAXED_JSON_OPTIONS))


class ProfileReader:
    def __init__(
        self,
        client: MongoClient[dict[str, Any]],
        databases: Sequence[str],
        *,
        target: str,
        options: ReadOptions | None = None,
        report: InputReport | None = None,
        max_time_ms: int = 5000,
        max_documents: int = MAX_DOCUMENTS,
        uri: str | None = None,
    ) -> None:
        self.client = client
        self.databases = list(databases)
        self.target = target
        self.uri = uri
        self.normalizer = Normalizer(options)
        self.report = report if report is not None else InputReport()
        self.max_time_ms = max_time_ms
        self.max_documents = max_documents
        self._numbers: Counter[str] = Counter()  # documents read per database, for messages

    def source(self, database: str) -> str:
        return f"{self.target} {database}.{PROFILE_COLLECTION}"

    def read(self, cursors: Mapping[str, ProfileCursor | None]) -> ProfilePoll:
        """Every database's documents after its cursor (all of them without one)."""
        poll = ProfilePoll()
        for database in self.databases:
            read = self._read(database, cursors.get(database), poll.events)
            poll.reads.append(read)
            if read.gap is not None:
                self.report.notice(read.gap.describe())
        return poll

    def _read(
        self, database: str, cursor: ProfileCursor | None, events: list[QueryEvent]
    ) -> DatabaseRead:
        collection = self.client[database][PROFILE_COLLECTION]
        source = self.source(database)
        with mongo_errors(self.target, f"read {database}.{PROFILE_COLLECTION}", uri=self.uri):
            gap = self._gap(database, collection, cursor)
            query = {} if cursor is None else {"ts": {"$gte": cursor.ts}}
            found = (
                collection.find(query)
                .sort("$natural", 1)
                .limit(self.max_documents + 1 + len(cursor.seen if cursor else ()))
                .max_time_ms(self.max_time_ms)
            )
            documents = list(found)
        if source not in self.report.sources:
            self.report.sources.append(source)
        fresh = _unseen(documents, cursor)
        more = len(fresh) > self.max_documents
        fresh = fresh[: self.max_documents]
        self._normalize(fresh, source, database, events)
        return DatabaseRead(database, len(fresh), _advance(cursor, fresh), gap, more)

    def _gap(
        self, database: str, collection: Any, cursor: ProfileCursor | None
    ) -> ProfilerGap | None:
        if cursor is None:
            return None
        oldest = _edge(collection, 1, self.max_time_ms)
        if oldest is None or to_ms(oldest) <= cursor.ts_ms:
            return None
        newest = _edge(collection, -1, self.max_time_ms) or oldest
        count = collection.estimated_document_count(maxTimeMS=self.max_time_ms)
        span = (newest - oldest).total_seconds()
        lost_seconds = (oldest - cursor.ts).total_seconds()
        estimate = round((count - 1) / span * lost_seconds) if span > 0 and count > 1 else None
        return ProfilerGap(database, cursor.ts, oldest, estimate)

    def _normalize(
        self, documents: Iterable[Mapping[str, Any]], source: str, database: str, out: list[Any]
    ) -> None:
        report, normalize = self.report, self.normalizer.profile_document
        for document in documents:
            self._numbers[database] += 1
            number = self._numbers[database]
            report.documents += 1
            try:
                event = normalize(as_extended_json(document), f"{source}#{number}")
            except BadRecord as exc:
                report.reject(source, number, exc.reason)
                continue
            if event is None:
                report.before_since += 1
                continue
            if event.truncated:
                report.mark_partial(source, number, TRUNCATED_REASON)
            report.events += 1
            out.append(event)


def _edge(collection: Any, direction: int, max_time_ms: int) -> datetime | None:
    """The ``ts`` of the oldest (1) or newest (-1) document, in insertion order."""
    found = list(
        collection.find({}, {"ts": 1}).sort("$natural", direction).limit(1).max_time_ms(max_time_ms)
    )
    ts = found[0].get("ts") if found else None
    if not isinstance(ts, datetime):
        return None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def _unseen(
    documents: Sequence[Mapping[str, Any]], cursor: ProfileCursor | None
) -> list[Mapping[str, Any]]:
    """The documents not read before: those at the cursor's millisecond already read are
    skipped (as many times as they were read: identical documents can occur)."""
    if cursor is None or not cursor.seen:
        return list(documents)
    pending = Counter(cursor.seen)
    fresh = []
    for document in documents:
        ts = document.get("ts")
        if isinstance(ts, datetime) and to_ms(ts) == cursor.ts_ms:
            key = identity(document)
            if pending[key] > 0:
                pending[key] -= 1
                continue
        fresh.append(document)
    return fresh


def _advance(
    cursor: ProfileCursor | None, documents: Sequence[Mapping[str, Any]]
) -> ProfileCursor | None:
    """The cursor after ``documents``: the latest millisecond read and what was read in it."""
    stamped = [
        (document, to_ms(ts))
        for document, ts in ((d, d.get("ts")) for d in documents)
        if isinstance(ts, datetime)
    ]
    if not stamped:
        return cursor
    latest = max(ms for _document, ms in stamped)
    if cursor is not None and latest < cursor.ts_ms:
        return cursor
    at_latest = [identity(document) for document, ms in stamped if ms == latest]
    if cursor is not None and latest == cursor.ts_ms:
        at_latest = [*cursor.seen, *at_latest]
    return ProfileCursor(latest, tuple(sorted(at_latest)))
