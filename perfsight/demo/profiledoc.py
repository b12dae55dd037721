"""SIMULATION: ``system.profile`` documents as MongoDB 7.0 writes them, for operations run on
mongomock (which has no profiler).

Field names and types follow real 7.0 entries (see the DataDog and Percona samples in
shared/mongo-samples): ``op``, ``ns``, ``command`` (with ``comment``), ``keysExamined``,
``docsExamined``, ``nreturned``, ``millis`` (int), ``planSummary``, ``hasSortStage`` (present
only when true), ``cursorExhausted``, ``queryHash``/``planCacheKey``, ``responseLength``,
``protocol``, ``ts`` (end of the operation, a BSON date), ``client``, ``appName``. A find whose
result does not fit the first batch (101 documents) is followed by a ``getmore`` entry carrying
``originatingCommand``, as a driver iterating the cursor produces. Every document also carries
``"simulated": true`` so nobody mistakes it for a server's.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from perfsight.demo.planner import Plan

FIRST_BATCH = 101  # a find without batchSize returns at most 101 documents in its first batch
CLIENT = "127.0.0.1"
APP_NAME = "perfsight-demo"


def shape(value: Any) -> Any:
    """A filter with every literal replaced by ``"?"`` (keys and operators kept)."""
    if isinstance(value, Mapping):
        return {str(k): shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return ["?"] if value else []
    return "?"


def _hash(*parts: Any) -> str:
    return f"{zlib.crc32(repr(parts).encode()) & 0xFFFFFFFF:08X}"


def query_hashes(
    filter_: Mapping[str, Any], sort: Mapping[str, int] | None, projection: Any, plan: Plan
) -> dict[str, str]:
    """``queryHash`` depends on the query shape; ``planCacheKey`` also on the indexes. An
    IDHACK lookup bypasses the planner and its cache: it has neither."""
    if plan.summary == "IDHACK":
        return {}
    query_hash = _hash(shape(filter_), dict(sort or {}), projection)
    index = plan.index.name if plan.index else "COLLSCAN"
    return {"queryHash": query_hash, "planCacheKey": _hash(query_hash, index)}


def _common(millis: float, ts: datetime) -> dict[str, Any]:
    return {
        "millis": int(millis),
        "ts": ts.astimezone(UTC).replace(microsecond=ts.microsecond // 1000 * 1000),
        "client": CLIENT,
        "appName": APP_NAME,
        "allUsers": [],
        "user": "",
        "simulated": True,
    }


def _plan_fields(plan: Plan, keys: int, docs: int) -> dict[str, Any]:
    fields: dict[str, Any] = {"keysExamined": keys, "docsExamined": docs}
    if plan.has_sort_stage:
        fields["hasSortStage"] = True
    return fields


@dataclass(frozen=True, slots=True)
class _Batch:
    """The share of a find's work, reply and time that one batch (find or getmore) carries."""

    nreturned: int
    keys: int
    docs: int
    length: int
    millis: float
    ts: datetime


def _batches(
    plan: Plan, nreturned: int, first: int, response_length: int, millis: float, ts: datetime
) -> tuple[_Batch, _Batch]:
    share = first / nreturned if nreturned else 1.0
    # A blocking sort reads everything before the first document comes back.
    keys = plan.keys_examined if plan.has_sort_stage else math.ceil(plan.keys_examined * share)
    docs = plan.docs_examined if plan.has_sort_stage else math.ceil(plan.docs_examined * share)
    length = math.ceil(response_length * share)
    # The find ends when its first batch is ready; the getmore ends the operation.
    find_ts = ts - timedelta(milliseconds=millis * (1 - share))
    return (
        _Batch(first, keys, docs, length, millis * share, find_ts),
        _Batch(
            nreturned - first,
            plan.keys_examined - keys,
            plan.docs_examined - docs,
            response_length - length,
            millis * (1 - share),
            ts,
        ),
    )


def _entry(
    head: dict[str, Any], plan: Plan, batch: _Batch, hashes: Mapping[str, str], exhausted: bool
) -> dict[str, Any]:
    doc = dict(head)
    doc.update(_plan_fields(plan, batch.keys, batch.docs))
    if exhausted:
        doc["cursorExhausted"] = True
    doc.update({"numYield": 0, "nreturned": batch.nreturned, **hashes})
    if doc["op"] == "query":
        doc["queryFramework"] = "classic"
    doc.update({"responseLength": batch.length, "protocol": "op_msg"})
    doc.update(_common(batch.millis, batch.ts))
    doc["planSummary"] = plan.summary
    return doc


def find_documents(
    database: str,
    command: Mapping[str, Any],
    plan: Plan,
    *,
    nreturned: int,
    response_length: int,
    millis: float,
    ts: datetime,
    cursor_id: int,
) -> list[dict[str, Any]]:
    """The profile entries of one find: the find itself and, when the result is larger than
    the first batch (and the find set no limit that fits in it), one getmore."""
    collection = str(command["find"])
    ns = f"{database}.{collection}"
    hashes = query_hashes(
        command.get("filter", {}), command.get("sort"), command.get("projection"), plan
    )
    first = nreturned
    if not command.get("singleBatch") and nreturned > FIRST_BATCH:
        first = FIRST_BATCH
    find, more = _batches(plan, nreturned, first, response_length, millis, ts)
    head = {"op": "query", "ns": ns, "command": dict(command)}
    if first == nreturned:
        return [_entry(head, plan, find, hashes, exhausted=True)]
    getmore = {
        "getMore": cursor_id,
        "collection": collection,
        **({"comment": command["comment"]} if "comment" in command else {}),
        "$db": database,
    }
    more_head = {
        "op": "getmore",
        "ns": ns,
        "command": getmore,
        "originatingCommand": dict(command),
        "cursorid": cursor_id,
    }
    return [
        _entry(head, plan, find, hashes, exhausted=False),
        _entry(more_head, plan, more, hashes, exhausted=True),
    ]


def insert_document(
    database: str,
    collection: str,
    *,
    comment: Any,
    inserted: int,
    indexes: int,
    millis: float,
    ts: datetime,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "op": "insert",
        "ns": f"{database}.{collection}",
        "command": {"insert": collection, "ordered": True, "comment": comment, "$db": database},
        "ninserted": inserted,
        "keysInserted": inserted * indexes,
        "numYield": 0,
        "responseLength": 45,
        "protocol": "op_msg",
    }
    doc.update(_common(millis, ts))
    return doc


def update_document(
    database: str,
    collection: str,
    statement: Mapping[str, Any],
    plan: Plan,
    *,
    matched: int,
    modified: int,
    millis: float,
    ts: datetime,
) -> dict[str, Any]:
    """An update is profiled per statement: ``command`` is ``{q, u, multi, upsert, comment}``."""
    doc: dict[str, Any] = {"op": "update", "ns": f"{database}.{collection}"}
    doc["command"] = dict(statement)
    doc.update(_plan_fields(plan, plan.keys_examined, plan.docs_examined))
    doc.update({"nMatched": matched, "nModified": modified, "nUpserted": 0})
    doc.update({"keysInserted": 0, "keysDeleted": 0, "numYield": 0})
    doc.update(query_hashes(statement.get("q", {}), None, None, plan))
    doc.update(_common(millis, ts))
    doc["planSummary"] = plan.summary
    return doc
