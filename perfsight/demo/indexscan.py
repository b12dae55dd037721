"""SIMULATION: index scans for mongomock, so that an indexed query costs what an index scan
costs.

mongomock answers every find by filtering *and copying* every document of the collection, so on
its own a query served by an index would be as slow as a collection scan and the ``after`` mode
could not be faster than ``before``. This module keeps the collection's documents by ``_id`` and
groups them by the leading equality fields of each declared index (in index order, ties in
insertion order like mongomock's stable sort). A plan that uses an index (``planner.plan_query``)
is executed here: the candidate documents come from the index groups, mongomock's own
``filter_applies`` checks the rest of the filter, and only the returned documents are copied.
Plans without an index keep going through mongomock's full scan.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from mongomock.filtering import BsonComparable, filter_applies, resolve_sort_key

from perfsight.demo.planner import ID_INDEX, IndexSpec, Plan, SortSpec, flatten, predicate_kind

Doc = dict[str, Any]


class Unindexable(Exception):
    """The query needs something this simulation does not do; use the full scan instead."""


def _value(doc: Mapping[str, Any], field: str) -> Any:
    current: Any = doc
    for part in field.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def _points(predicate: Any) -> list[Hashable]:
    """The values an equality or ``$in`` predicate matches, if they can key a dict."""
    kind = predicate_kind(predicate)
    if kind not in ("eq", "in"):
        raise Unindexable("not an equality")
    if isinstance(predicate, Mapping) and "$eq" in predicate:
        values = [predicate["$eq"]]
    elif isinstance(predicate, Mapping) and "$in" in predicate:
        values = list(predicate["$in"])
    else:
        values = [predicate]
    if not all(isinstance(v, Hashable) and not isinstance(v, Mapping | list) for v in values):
        raise Unindexable("unhashable value")
    return values


def sort_documents(docs: list[Doc], sort: SortSpec) -> list[Doc]:
    """Stable sort on several fields, as mongomock sorts (least significant field first)."""
    for field, direction in reversed(sort):
        try:
            docs.sort(key=lambda d: _plain_key(_value(d, field)), reverse=direction < 0)
        except TypeError:  # mixed types: BSON's order
            docs.sort(
                key=lambda d: BsonComparable(resolve_sort_key(field, d)), reverse=direction < 0
            )
    return docs


def _plain_key(value: Any) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, value)


def project(doc: Mapping[str, Any], projection: Mapping[str, Any] | None) -> Doc:
    """A copy of ``doc`` with an inclusion projection of top-level fields applied."""
    if not projection:
        return copy.deepcopy(dict(doc))
    if any(v in (0, False) for k, v in projection.items() if k != "_id") or any(
        "." in k or str(k).startswith("$") for k in projection
    ):
        raise Unindexable("only inclusion projections of top-level fields are simulated")
    keep = [k for k in projection if k != "_id"]
    out: Doc = {}
    if projection.get("_id", 1) and "_id" in doc:
        out["_id"] = copy.deepcopy(doc["_id"])
    for key in keep:
        if key in doc:
            out[key] = copy.deepcopy(doc[key])
    return out


class IndexedCollection:
    """A collection's documents by ``_id`` and its index groups, rebuilt after a write."""

    def __init__(self, indexes: Sequence[IndexSpec]) -> None:
        self.indexes = [ID_INDEX, *(i for i in indexes if i.key != ID_INDEX.key)]
        self.docs: dict[Any, Doc] = {}
        self._groups: dict[tuple[str, int], dict[tuple[Any, ...], list[Any]]] = {}
        self._position: dict[Any, int] | None = None

    def _positions(self) -> dict[Any, int]:
        if self._position is None:
            self._position = {ident: n for n, ident in enumerate(self.docs)}
        return self._position

    def load(self, docs: Iterable[Doc]) -> None:
        for doc in docs:
            self.docs[doc["_id"]] = doc
        self._groups.clear()
        self._position = None

    def put(self, doc: Doc) -> None:
        self.docs[doc["_id"]] = doc
        self._groups.clear()
        self._position = None

    def _group(self, index: IndexSpec, prefix: int) -> dict[tuple[Any, ...], list[Any]]:
        cached = self._groups.get((index.name, prefix))
        if cached is not None:
            return cached
        groups: dict[tuple[Any, ...], list[Doc]] = {}
        for doc in self.docs.values():
            key = tuple(_value(doc, field) for field in index.fields[:prefix])
            try:
                groups.setdefault(key, []).append(doc)
            except TypeError:  # an array or document value: a multikey index is not simulated
                raise Unindexable(f"unhashable value in {index.name}") from None
        rest = index.key[prefix:]
        built = {key: [d["_id"] for d in sort_documents(ds, rest)] for key, ds in groups.items()}
        self._groups[(index.name, prefix)] = built
        return built

    def _lookup(self, index: IndexSpec, fields: Mapping[str, Any], prefix: int) -> list[Any]:
        """Ids under the equality/``$in`` values of the index's first ``prefix`` fields."""
        points = [_points(fields[f]) for f in index.fields[:prefix]]
        if index.key == ID_INDEX.key:
            return sorted((v for v in points[0] if v in self.docs), key=_plain_key)
        groups = self._group(index, prefix)
        return [i for combo in itertools.product(*points) for i in groups.get(combo, [])]

    def count(self, filter_: Mapping[str, Any]) -> int | None:
        """Exact count when the filter is equalities on a prefix of an index; else None."""
        fields = flatten(filter_)
        for index in self.indexes:
            if set(index.fields[: len(fields)]) == set(fields):
                try:
                    return len(self._lookup(index, fields, len(fields)))
                except Unindexable:
                    return None
        return None

    def scan(
        self,
        plan: Plan,
        filter_: Mapping[str, Any],
        sort: SortSpec,
        *,
        skip: int,
        limit: int,
        projection: Mapping[str, Any] | None,
    ) -> list[Doc]:
        """Execute ``plan`` (which uses an index) and return copies of the result."""
        if plan.index is None:
            raise Unindexable("a collection scan")
        fields = flatten(filter_)
        prefix = 0
        for field in plan.index.fields:
            if field not in fields or predicate_kind(fields[field]) not in ("eq", "in"):
                break
            prefix += 1
        ids = self._lookup(plan.index, fields, prefix) if prefix else list(self._ordered(plan))
        if sort and not plan.has_sort_stage and _backwards(plan.index, sort, fields):
            ids.reverse()
        # Without a blocking sort the scan stops once the page is full (0: never).
        stop = skip + limit if limit and not plan.has_sort_stage else 0
        matches = self._matches(ids, filter_, stop=stop)
        if sort and plan.has_sort_stage:
            # Ties keep the collection's natural order, as mongomock's sort of a full scan.
            position = self._positions()
            matches.sort(key=lambda doc: position[doc["_id"]])
            matches = sort_documents(matches, sort)
        chosen = matches[skip : skip + limit] if limit else matches[skip:]
        return [project(doc, projection) for doc in chosen]

    def _ordered(self, plan: Plan) -> Iterator[Any]:
        assert plan.index is not None
        yield from self._group(plan.index, 0).get((), [])

    def _matches(self, ids: Iterable[Any], filter_: Mapping[str, Any], stop: int) -> list[Doc]:
        found = []
        for ident in ids:
            doc = self.docs[ident]
            if filter_applies(dict(filter_), doc):
                found.append(doc)
                if stop and len(found) >= stop:
                    break
        return found


def _backwards(index: IndexSpec, sort: SortSpec, fields: Mapping[str, Any]) -> bool:
    """Whether the index is walked in reverse to deliver ``sort``."""
    directions = dict(index.key)
    for field, direction in sort:
        if field in fields and predicate_kind(fields[field]) == "eq":
            continue
        return (direction >= 0) != (directions.get(field, 1) >= 0)
    return False
