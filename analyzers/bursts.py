"""N+1 without request ids: bursts of one query shape from one client that follow a source query
returning about as many documents as the burst has queries.

No APM tool does this from database data alone, and it cannot be certain: two requests of one
client running the same loop at once look like one burst. Findings from here are
``confidence: low``. A burst is keyed by (client host, appName, endpoint, namespace, shape);
consecutive queries belong to it while the gap from the previous one's end to the next one's
start is at most ``[analysis] burst_max_gap``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Final

from analyzers.idle_groups import IdleGroups
from analyzers.request_patterns import CLOCK_SLACK, Repeat, Thresholds
from analyzers.requests import ClientKey, Op
from analyzers.shape_table import ShapeTable

BurstKey = tuple[ClientKey, str | None, int]  # (client, endpoint, shape)

# A source "returns about as many documents as the burst has queries": within this fraction
# (at least one document either way).
SOURCE_TOLERANCE: Final = 0.25
# Recent possible sources remembered per client.
HISTORY: Final = 32


class Candidate:
    """A recent query that may be a burst's source. (Candidates and bursts are plain classes,
    not dataclasses: compiled, they are made without a Python-level ``__init__``, once per
    operation without a request id.)"""

    __slots__ = ("end", "nreturned", "shape")

    def __init__(self, end: float, shape: int, nreturned: int) -> None:
        self.end = end
        self.shape = shape
        self.nreturned = nreturned


class Burst:
    __slots__ = ("candidates", "count", "end", "millis", "params", "start", "unknown_params")

    def __init__(self, start: float, end: float, candidates: tuple[Candidate, ...]) -> None:
        self.start = start
        self.end = end
        self.candidates = candidates
        self.count = 0
        self.millis = 0.0
        self.params: set[str] = set()
        self.unknown_params = 0

    def add(self, op: Op) -> None:
        self.count += 1
        self.millis += op.millis
        self.end = max(self.end, op.end)
        if op.params is None:
            self.unknown_params += 1
        elif len(self.params) < 100_000:
            self.params.add(op.params)

    @property
    def distinct(self) -> int:
        return len(self.params) + self.unknown_params


@dataclass(frozen=True, slots=True)
class BurstPattern:
    run: Repeat  # the burst, as a request's N+1 run would be described
    client: ClientKey
    endpoint: str | None
    source_returned: int


def close_to(queries: int, returned: int) -> bool:
    return abs(queries - returned) <= max(1.0, SOURCE_TOLERANCE * returned)


class BurstDetector:
    def __init__(
        self, shapes: ShapeTable, limits: Thresholds, *, max_gap: float, idle: float
    ) -> None:
        self.shapes = shapes
        self.limits = limits
        self.max_gap = max_gap
        self._open: IdleGroups[BurstKey, Burst] = IdleGroups(max(idle, max_gap), _no_burst)
        self._history: IdleGroups[ClientKey, deque[Candidate]] = IdleGroups(
            max(idle, max_gap), lambda: deque(maxlen=HISTORY)
        )

    def feed(self, op: Op, client: ClientKey, endpoint: str | None) -> list[BurstPattern]:
        """Take one operation without a request id; returns the bursts this closes."""
        closed: list[BurstPattern] = []
        key = (client, endpoint, op.shape)
        burst = self._open.peek(key)
        if burst is not None and op.start - burst.end > self.max_gap:
            self._open.pop(key)
            self._close(burst, key, closed)
            burst = None
        if burst is None:
            burst = Burst(op.start, op.end, self._candidates(client, op))
            self._open.put(key, burst, op.end)
        else:
            self._open.get(key, op.end)  # marks it active
        burst.add(op)
        shape = self.shapes[op.shape]
        if shape.kind == "read" and op.nreturned is not None and op.nreturned >= 2:
            self._history.get(client, op.end).append(Candidate(op.end, op.shape, op.nreturned))
        return closed

    def due(self, now: float) -> bool:
        """Whether ``expire(now)`` would close a burst. (Forgetting old sources only frees
        memory — a source older than ``max_gap`` is never a candidate — so it waits for the
        next expiry.)"""
        return self._open.due(now)

    def expire(self, now: float) -> list[BurstPattern]:
        closed: list[BurstPattern] = []
        for key, burst in self._open.expired(now):
            self._close(burst, key, closed)
        self._history.expired(now)  # old sources are simply forgotten
        return closed

    def open_patterns(self) -> list[BurstPattern]:
        """What the still-open bursts show, leaving them open."""
        found: list[BurstPattern] = []
        for key, burst in self._open.items():
            self._close(burst, key, found)
        return found

    def _candidates(self, client: ClientKey, op: Op) -> tuple[Candidate, ...]:
        history = self._history.peek(client) or ()
        return tuple(
            c
            for c in history
            if c.shape != op.shape and op.start - self.max_gap <= c.end <= op.start + CLOCK_SLACK
        )

    def _close(self, burst: Burst | None, key: BurstKey, out: list[BurstPattern]) -> None:
        if burst is None:
            return
        shape = self.shapes[key[2]]
        limits = self.limits
        if (
            shape.kind not in ("read", "write")
            or shape.batched
            or burst.count < limits.min_repeats
            or burst.distinct < limits.min_repeats
            or burst.millis < limits.min_total_ms
        ):
            return
        sources = [c for c in burst.candidates if close_to(burst.count, c.nreturned)]
        if not sources:
            return
        source = min(sources, key=lambda c: (abs(burst.count - c.nreturned), -c.end))
        run = Repeat(
            shape=key[2],
            queries=burst.count,
            distinct=burst.distinct,
            millis=burst.millis,
            start=burst.start,
            end=burst.end,
            source=source.shape,
        )
        out.append(BurstPattern(run, key[0], key[1], source.nreturned))


def _no_burst() -> Burst:
    return Burst(0.0, 0.0, ())
