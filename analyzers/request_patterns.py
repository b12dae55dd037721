"""Inside one request: which query shape repeats with distinct parameters after a source query
(N+1), and which query repeats with identical parameters (redundant). Pure functions of the
request's operations.

Operations are compared by start (end minus duration) and end, never by arrival order alone, so
concurrent lookups (``Promise.all``) that finish out of order still form one run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from analyzers.requests import Op
from analyzers.shape_table import ShapeTable

# Timestamps have millisecond resolution and durations are rounded: a source may appear to end
# up to this much after the first repeated query started.
CLOCK_SLACK: Final = 0.002


@dataclass(frozen=True, slots=True)
class Thresholds:
    min_repeats: int = 5
    min_total_ms: float = 50.0
    redundant_min: int = 2


class Repeat:
    """One request's N+1 run: ``queries`` of one shape with ``distinct`` parameter sets.
    (Repeat and Duplicate are plain classes: compiled, they are made without a Python-level
    ``__init__``, up to once per request.)"""

    __slots__ = ("distinct", "end", "millis", "queries", "shape", "source", "start")

    def __init__(
        self,
        *,
        shape: int,
        queries: int,
        distinct: int,
        millis: float,
        start: float,
        end: float,
        source: int,
    ) -> None:
        self.shape = shape
        self.queries = queries
        self.distinct = distinct
        self.millis = millis
        self.start = start
        self.end = end
        self.source = source


class Duplicate:
    """One request running the same query with the same parameters ``copies`` times."""

    __slots__ = ("copies", "end", "extra", "extra_millis", "shape", "start")

    def __init__(
        self,
        *,
        shape: int,
        copies: int,  # most runs of one parameter set
        extra: int,  # runs that repeated an identical earlier one
        extra_millis: float,
        start: float,
        end: float,
    ) -> None:
        self.shape = shape
        self.copies = copies
        self.extra = extra
        self.extra_millis = extra_millis
        self.start = start
        self.end = end


def distinct_params(ops: Sequence[Op]) -> int:
    """Distinct parameter sets; an operation whose parameters are unknown counts as distinct."""
    known = {op.params for op in ops if op.params is not None}
    return len(known) + sum(1 for op in ops if op.params is None)


def source_before(ops_by_end: Sequence[Op], shape: int, start: float) -> Op | None:
    """The operation of another shape that ended last before ``start``: what the loop iterates."""
    found = None
    for op in ops_by_end:
        if op.end > start + CLOCK_SLACK:
            break
        if op.shape != shape:
            found = op
    return found


def _duplicate(shape: int, ops: Sequence[Op], minimum: int) -> Duplicate | None:
    copies: dict[str, int] = {}  # (a plain dict: a Counter costs more, once per request)
    for op in ops:
        if op.params is not None:
            copies[op.params] = copies.get(op.params, 0) + 1
    if not copies or max(copies.values()) < minimum:
        return None
    extra_ops: list[Op] = []
    seen: set[str] = set()
    for op in sorted(ops, key=lambda o: (o.start, o.end)):
        if op.params is None or copies[op.params] < 2:
            continue
        if op.params in seen:
            extra_ops.append(op)
        seen.add(op.params)
    return Duplicate(
        shape=shape,
        copies=max(copies.values()),
        extra=len(extra_ops),
        extra_millis=sum(op.millis for op in extra_ops),
        start=min(op.start for op in ops),
        end=max(op.end for op in ops),
    )


def find_patterns(
    ops: Sequence[Op], shapes: ShapeTable, limits: Thresholds
) -> tuple[list[Repeat], list[Duplicate]]:
    """The N+1 runs and the redundant queries of one request."""
    by_shape: dict[int, list[Op]] = defaultdict(list)
    for op in ops:
        by_shape[op.shape].append(op)
    ops_by_end = sorted(ops, key=lambda o: o.end)
    repeats: list[Repeat] = []
    duplicates: list[Duplicate] = []
    for shape_id, group in by_shape.items():
        shape = shapes[shape_id]
        if len(group) < 2 or shape.kind not in ("read", "write"):
            continue
        if shape.kind == "read":
            duplicate = _duplicate(shape_id, group, limits.redundant_min)
            if duplicate is not None:
                duplicates.append(duplicate)
        if shape.batched or len(group) < limits.min_repeats:
            continue
        distinct = distinct_params(group)
        millis = sum(op.millis for op in group)
        if distinct < limits.min_repeats or millis < limits.min_total_ms:
            continue
        start = min(op.start for op in group)
        source = source_before(ops_by_end, shape_id, start)
        if source is None:
            continue
        repeats.append(
            Repeat(
                shape=shape_id,
                queries=len(group),
                distinct=distinct,
                millis=millis,
                start=start,
                end=max(op.end for op in group),
                source=source.shape,
            )
        )
    return repeats, duplicates
