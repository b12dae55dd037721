"""Which index a query shape needs, and whether an index already serves it (pure functions).

ESR (MongoDB's Equality, Sort, Range rule): the equality fields first (in any order among
themselves), then the sort keys in sort order with their directions, then the range fields.
How operators are treated (MongoDB's ESR page and Dex):

- equality: a literal (``{a: 5}``, also a document or an array matched whole), ``$eq``, and
  ``$in`` (the server expands an ``$in`` of fewer than 200 values into equality matches, even
  under a sort; with 200 or more and a sort it behaves like a range — the masked shape cannot
  tell the length, so ``$in`` counts as equality);
- range: ``$gt`` ``$gte`` ``$lt`` ``$lte``, ``$ne`` ``$nin`` ``$not`` (negations scan most of
  the index), ``$exists``, ``$regex`` (only a case-sensitive ``^prefix`` gets tight bounds, but
  any regex is filtered on the index keys), ``$type``, ``$mod``, ``$all``, ``$elemMatch``,
  ``$nor``;
- not served by a B-tree key: ``$where``, ``$expr``, ``$text`` (needs a text index), geo
  operators (need a 2dsphere/2d index), ``$size``, ``$jsonSchema`` — such fields are left out
  of the suggestion and named in its evidence;
- ``$or``: the server runs each branch with its own index (and scans the collection if one
  branch has none), so each branch gets its own suggestion: the fields outside the ``$or`` plus
  the branch's fields, in ESR order; ``$and`` is flattened.

A field that is both matched by equality and sorted on counts as equality (the sort on it is
constant); a range field that is also a sort key goes with the sort keys.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analyzers.fingerprint import collection_ref
from perfsight.models import IndexKey

MAX_INDEX_FIELDS = 16  # Atlas never suggests more; MongoDB's own limit is 32
MAX_OR_BRANCHES = 16

_EQUALITY_OPS = frozenset({"$eq", "$in"})
_RANGE_OPS = frozenset(
    {
        "$gt",
        "$gte",
        "$lt",
        "$lte",
        "$ne",
        "$nin",
        "$not",
        "$exists",
        "$regex",
        "$options",
        "$type",
        "$mod",
        "$all",
        "$elemMatch",
        "$bitsAllSet",
        "$bitsAnySet",
        "$bitsAllClear",
        "$bitsAnyClear",
    }
)
_PLAN_INDEX = re.compile(r"(?:IXSCAN|DISTINCT_SCAN|COUNT_SCAN|EXPRESS_IXSCAN)\s*\{([^}]*)\}")

ID_INDEX: IndexKey = (("_id", 1),)


@dataclass(frozen=True, slots=True)
class Predicates:
    """The fields of one (branch of a) filter, by how an index can use them."""

    equality: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexNeed:
    """An index a query shape needs, with each key field's ESR role ("E", "S" or "R")."""

    key: IndexKey
    roles: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    truncated_from: int | None = None  # fields before the cap, when capped

    @property
    def equality(self) -> frozenset[str]:
        return frozenset(f for (f, _), r in zip(self.key, self.roles, strict=True) if r == "E")

    @property
    def sort(self) -> tuple[tuple[str, int | str], ...]:
        return tuple(p for p, r in zip(self.key, self.roles, strict=True) if r == "S")

    @property
    def range(self) -> frozenset[str]:
        return frozenset(f for (f, _), r in zip(self.key, self.roles, strict=True) if r == "R")


@dataclass(slots=True)
class _Collected:
    equality: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    ors: list[list[Any]] = field(default_factory=list)


def classify(filter_shape: Mapping[str, Any] | None) -> list[Predicates]:
    """The predicates of a (masked) filter: one ``Predicates`` per ``$or`` branch combination,
    or one for a filter without ``$or``."""
    collected = _Collected()
    _collect(filter_shape or {}, collected)
    common = Predicates(
        tuple(dict.fromkeys(collected.equality)),
        tuple(dict.fromkeys(f for f in collected.range if f not in collected.equality)),
        tuple(dict.fromkeys(collected.ignored)),
    )
    if not collected.ors:
        return [common]
    branch_lists = [
        [p for branch in branches if isinstance(branch, Mapping) for p in classify(branch)]
        for branches in collected.ors
    ]
    combos = list(itertools.islice(itertools.product(*branch_lists), MAX_OR_BRANCHES + 1))
    if len(combos) > MAX_OR_BRANCHES or not combos:
        return [common]
    return [_combine(common, *combo) for combo in combos]


def _combine(*parts: Predicates) -> Predicates:
    equality = list(dict.fromkeys(f for p in parts for f in p.equality))
    ranged = [f for p in parts for f in p.range if f not in equality]
    ignored = [f for p in parts for f in p.ignored]
    return Predicates(tuple(equality), tuple(dict.fromkeys(ranged)), tuple(dict.fromkeys(ignored)))


def _collect(query: Mapping[str, Any], out: _Collected) -> None:
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for sub in value:
                if isinstance(sub, Mapping):
                    _collect(sub, out)
        elif key == "$or" and isinstance(value, list):
            out.ors.append(value)
        elif key == "$nor" and isinstance(value, list):
            for sub in value:
                if isinstance(sub, Mapping):
                    out.range.extend(k for k in sub if not k.startswith("$"))
        elif key.startswith("$"):
            out.ignored.append(key)
        else:
            kind = _field_kind(value)
            getattr(out, kind).append(key)


def _field_kind(value: Any) -> str:
    if not isinstance(value, Mapping):
        return "equality"  # a literal (masked to "?")
    ops = set(value)
    if ops & _EQUALITY_OPS:
        return "equality"
    if ops & _RANGE_OPS:
        return "range"
    return "ignored"


def esr_need(predicates: Predicates, sort: Sequence[tuple[str, int]] | None) -> IndexNeed | None:
    """The ESR index for one predicate set and sort; None when there is nothing to index."""
    equality = list(predicates.equality)
    sort_part = [(f, d) for f, d in (sort or ()) if f not in equality]
    sorted_fields = {f for f, _ in sort_part}
    ranged = [f for f in predicates.range if f not in sorted_fields]
    key: list[tuple[str, int | str]] = [(f, 1) for f in equality]
    key += sort_part
    key += [(f, 1) for f in ranged]
    roles = ["E"] * len(equality) + ["S"] * len(sort_part) + ["R"] * len(ranged)
    if not key:
        return None
    truncated = len(key) if len(key) > MAX_INDEX_FIELDS else None
    return IndexNeed(
        tuple(key[:MAX_INDEX_FIELDS]),
        tuple(roles[:MAX_INDEX_FIELDS]),
        predicates.ignored,
        truncated,
    )


def serves(index: IndexKey, need: IndexNeed) -> bool:
    """Whether an existing (or suggested) index serves a need in E → S → R order: its first
    fields are the equality fields (any order), then the sort keys in order with their
    directions all equal or all reversed (an index can be walked backwards), then the range
    fields (any order)."""
    fields = [f for f, _ in index]
    equality, sort, ranged = need.equality, need.sort, need.range
    pos = len(equality)
    if len(fields) < len(need.key) or set(fields[:pos]) != equality:
        return False
    if sort:
        segment = index[pos : pos + len(sort)]
        if [f for f, _ in segment] != [f for f, _ in sort]:
            return False
        pairs = [(d, want) for (_, d), (_, want) in zip(segment, sort, strict=True)]
        if any(not isinstance(d, int | float) or isinstance(d, bool) for d, _ in pairs):
            return False
        same = all((d > 0) == (want > 0) for d, want in pairs)  # type: ignore[operator]
        reversed_ = all((d > 0) != (want > 0) for d, want in pairs)  # type: ignore[operator]
        if not (same or reversed_):
            return False
        pos += len(sort)
    segment = index[pos : pos + len(ranged)]
    if {f for f, _ in segment} != ranged:
        return False
    return all(isinstance(d, int | float) and not isinstance(d, bool) for _, d in segment)


def served_by_any(indexes: Iterable[IndexKey], need: IndexNeed) -> IndexKey | None:
    for index in indexes:
        if serves(index, need):
            return index
    return None


def plan_indexes(plan_summary: str) -> list[IndexKey]:
    """Index keys a plan summary shows in use: ``"IXSCAN { a: 1, b: -1 }"`` → ``[(("a", 1),
    ("b", -1))]``. The server reported using them, so they exist."""
    found = []
    for match in _PLAN_INDEX.finditer(plan_summary):
        pairs: list[tuple[str, int | str]] = []
        for part in match.group(1).split(", "):
            name, sep, direction = part.strip().rpartition(": ")
            if not sep:
                break
            try:
                value: int | str = int(float(direction))
            except ValueError:
                value = direction.strip('"')
            pairs.append((name.strip('"'), value))
        if pairs:
            found.append(tuple(pairs))
    return found


def create_index_command(collection: str, key: IndexKey) -> str:
    """``db.leads.createIndex({"tenant": 1, "createdAt": -1})`` — to paste into mongosh."""
    inner = ", ".join(f"{_quote(f)}: {d if not isinstance(d, str) else _quote(d)}" for f, d in key)
    return f"{collection_ref(collection)}.createIndex({{{inner}}})"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
