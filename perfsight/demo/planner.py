"""SIMULATION: the query plan MongoDB 7.0 would pick, estimated from declared indexes.

mongomock never uses indexes, so in mongomock mode the sample API cannot ask a server what it
did. This module stands in for the query planner: from the filter, the sort, the collection's
declared indexes and its size it derives ``planSummary`` (``IDHACK``, ``IXSCAN { a: 1, b: -1 }``
or ``COLLSCAN``), ``keysExamined``, ``docsExamined`` and ``hasSortStage`` the way a real server
reports them in ``system.profile``. With a real server (``MONGODB_URI``) none of this runs.

The rules follow MongoDB's documented index use (equality, sort, range: ESR):

- bounds: the index's leading fields with an equality predicate (``v``, ``$eq``, ``$in`` of one
  value), then multi-value ``$in`` fields, then at most one range field (``$gt``/``$gte``/
  ``$lt``/``$lte``); ``$ne``, ``$nin``, ``$regex``, ``$exists``, ``$or`` … are residual filters
  evaluated after the fetch (MongoDB can do more with some of them; the simulation does not);
- a sort is served by the index when its fields (minus fields fixed by equality) follow the
  equality prefix in order, with every direction equal or every direction reversed, and no
  multi-value ``$in`` comes before them (MongoDB would need a SORT_MERGE there);
- among usable indexes the one bounding most fields wins, then one that serves the sort, then
  the shorter one — a stand-in for the real planner's trial runs;
- a plan stops early when a limit is reached and no blocking sort is needed; the number of
  entries read until then is estimated by spreading the matches evenly over the scanned range.

Counts come from ``matching(subfilter)``: how many documents match a part of the filter. The
caller answers it from the data, so the estimates are exact wherever no early stop is involved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

IndexKey = tuple[tuple[str, int], ...]
SortSpec = tuple[tuple[str, int], ...]
Matching = Callable[[Mapping[str, Any]], int]
Predicate = Literal["eq", "in", "range", "other"]

RANGE_OPERATORS = frozenset({"$gt", "$gte", "$lt", "$lte"})


@dataclass(frozen=True, slots=True)
class IndexSpec:
    key: IndexKey
    unique: bool = False

    @property
    def name(self) -> str:
        """MongoDB's default index name: ``tenantId_1_createdAt_-1``."""
        return "_".join(f"{field}_{direction}" for field, direction in self.key)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for field, _ in self.key)


ID_INDEX = IndexSpec((("_id", 1),), unique=True)


@dataclass(frozen=True, slots=True)
class Plan:
    """What ``system.profile`` reports about how a query was executed."""

    summary: str
    index: IndexSpec | None
    keys_examined: int
    docs_examined: int
    has_sort_stage: bool


def plan_summary(index: IndexSpec | None) -> str:
    if index is None:
        return "COLLSCAN"
    inner = ", ".join(f"{field}: {direction}" for field, direction in index.key)
    return f"IXSCAN {{ {inner} }}"


def predicate_kind(value: Any) -> Predicate:
    """How an index can use the predicate on one field."""
    if not isinstance(value, Mapping) or not any(str(k).startswith("$") for k in value):
        return "eq"
    operators = set(value)
    if operators == {"$eq"}:
        return "eq"
    if operators == {"$in"}:
        values = value["$in"]
        return "eq" if isinstance(values, Sequence) and len(values) == 1 else "in"
    if operators <= RANGE_OPERATORS:
        return "range"
    return "other"


def flatten(filter_: Mapping[str, Any]) -> dict[str, Any]:
    """Field predicates of a filter; ``$and`` of plain documents is merged in, any other
    top-level operator (``$or``, ``$expr`` …) stays a residual under its own key."""
    fields: dict[str, Any] = {}
    for key, value in filter_.items():
        if key == "$and" and isinstance(value, Sequence):
            for part in value:
                if isinstance(part, Mapping):
                    for sub_key, sub_value in flatten(part).items():
                        fields.setdefault(sub_key, sub_value)
            continue
        fields[key] = value
    return fields


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: IndexSpec
    bounded: tuple[str, ...]
    sort_served: bool

    def score(self) -> tuple[int, int, int]:
        return (len(self.bounded), int(self.sort_served), -len(self.index.key))


def _bounded_fields(index: IndexSpec, fields: Mapping[str, Any]) -> tuple[tuple[str, ...], int]:
    """The index fields with bounds from the filter, and the length of the pure equality
    prefix (the part a sort can follow)."""
    bounded: list[str] = []
    eq_prefix = 0
    saw_in = False
    for field in index.fields:
        if field not in fields:
            break
        kind = predicate_kind(fields[field])
        if kind == "eq":
            bounded.append(field)
            if not saw_in:
                eq_prefix += 1
        elif kind == "in":
            bounded.append(field)
            saw_in = True
        elif kind == "range":
            bounded.append(field)
            break
        else:
            break
    return tuple(bounded), eq_prefix


def _serves_sort(
    index: IndexSpec, eq_prefix: int, sort: SortSpec, fields: Mapping[str, Any]
) -> bool:
    # Sort fields fixed by an equality predicate do not need ordering.
    needed = [(f, d) for f, d in sort if not (f in fields and predicate_kind(fields[f]) == "eq")]
    if not needed:
        return True
    following = index.key[eq_prefix : eq_prefix + len(needed)]
    if [f for f, _ in following] != [f for f, _ in needed]:
        return False
    same = all(
        _direction(d) == _direction(i) for (_, d), (_, i) in zip(needed, following, strict=True)
    )
    reverse = all(
        _direction(d) == -_direction(i) for (_, d), (_, i) in zip(needed, following, strict=True)
    )
    return same or reverse


def _direction(value: int) -> int:
    return 1 if value >= 0 else -1


def choose_index(
    filter_: Mapping[str, Any], sort: SortSpec, indexes: Sequence[IndexSpec]
) -> _Candidate | None:
    """The index the simulated planner uses, or ``None`` for a collection scan."""
    fields = flatten(filter_)
    best: _Candidate | None = None
    for index in indexes:
        bounded, eq_prefix = _bounded_fields(index, fields)
        served = bool(sort) and _serves_sort(index, eq_prefix, sort, fields)
        # An index with no bounds is still used to deliver a sort in order (a full index scan).
        if not bounded and not (served and index.fields[0] == sort[0][0]):
            continue
        candidate = _Candidate(index, bounded, served or not sort)
        if best is None or candidate.score() > best.score():
            best = candidate
    return best


def _read_until(wanted: int, in_range: int, matched: int) -> int:
    """Entries read from a range of ``in_range`` before ``wanted`` of its ``matched`` matches
    have been found, matches spread evenly."""
    if wanted <= 0 or matched <= wanted:
        return in_range
    return min(in_range, math.ceil(wanted * in_range / matched))


def plan_query(
    filter_: Mapping[str, Any],
    sort: SortSpec,
    indexes: Sequence[IndexSpec],
    collection_size: int,
    *,
    matching: Matching,
    limit: int = 0,
    skip: int = 0,
) -> Plan:
    """Estimate the plan and the work of a find (or the query part of an update or count).

    ``indexes`` are the collection's declared indexes (the ``_id`` index is always added);
    ``limit`` 0 means none; ``matching`` counts the documents that match a (sub)filter.
    """
    all_indexes = [ID_INDEX, *(i for i in indexes if i.key != ID_INDEX.key)]
    fields = flatten(filter_)
    if set(fields) == {"_id"} and predicate_kind(fields["_id"]) == "eq" and not sort:
        found = min(1, matching(filter_))
        return Plan("IDHACK", ID_INDEX, found, found, False)
    wanted = skip + limit if limit > 0 else 0
    choice = choose_index(filter_, sort, all_indexes)
    if choice is None:
        docs = collection_size
        if not sort and wanted:
            docs = _read_until(wanted, collection_size, matching(filter_))
        return Plan("COLLSCAN", None, 0, docs, bool(sort))
    in_bounds = (
        matching({f: fields[f] for f in choice.bounded}) if choice.bounded else collection_size
    )
    keys = in_bounds
    if wanted and choice.sort_served:
        keys = _read_until(wanted, in_bounds, matching(filter_))
    return Plan(plan_summary(choice.index), choice.index, keys, keys, not choice.sort_served)
