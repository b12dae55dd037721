"""Groups that close when they go quiet: what keeps per-request analysis in bounded memory.

A request's queries are only complete once no more of them can arrive. Events come roughly in
time order, so a group whose last event is older than ``idle`` (in event time) is finished and
handed back to be analysed and dropped. ``max_open`` caps the number of open groups whatever the
input looks like (e.g. one constant comment that never goes idle next to millions of ids).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class _Entry:
    __slots__ = ("last", "value")

    def __init__(self, value: object, last: float) -> None:
        self.value = value
        self.last = last  # event time of the group's latest event


class IdleGroups(Generic[K, V]):
    def __init__(self, idle: float, factory: Callable[[], V], max_open: int = 200_000) -> None:
        self.idle = idle
        self.max_open = max_open
        self._factory = factory
        # key -> entry; ordered by last touch, oldest first
        self._groups: OrderedDict[K, _Entry] = OrderedDict()
        # the first entry of _groups, or None when not known: ``due`` is asked once per event
        # and the oldest group rarely changes between two events
        self._front: _Entry | None = None

    def __len__(self) -> int:
        return len(self._groups)

    def get(self, key: K, now: float) -> V:
        """The open group of ``key`` (a new one if none), marked as active at ``now``."""
        groups = self._groups
        entry = groups.get(key)
        if entry is None:
            entry = _Entry(self._factory(), now)
            groups[key] = entry
        else:
            if entry is self._front:
                self._front = None  # it moves to the end
            if now > entry.last:
                entry.last = now
            groups.move_to_end(key)
        return entry.value  # type: ignore[return-value]

    def peek(self, key: K) -> V | None:
        """The open group of ``key``, if any, without marking it active."""
        entry = self._groups.get(key)
        return None if entry is None else entry.value  # type: ignore[return-value]

    def put(self, key: K, value: V, now: float) -> None:
        """Open ``value`` as the group of ``key`` (replacing any), active at ``now``."""
        self.pop(key)
        self._groups[key] = _Entry(value, now)

    def pop(self, key: K) -> V | None:
        entry = self._groups.pop(key, None)
        if entry is None:
            return None
        if entry is self._front:
            self._front = None
        return entry.value  # type: ignore[return-value]

    def due(self, now: float) -> bool:
        """Whether ``expired(now)`` would close anything: the oldest group is idle, or there
        are too many. Callers ask this for every event."""
        groups = self._groups
        if not groups:
            return False
        front = self._front
        if front is None:
            front = self._front = next(iter(groups.values()))
        return front.last < now - self.idle or len(groups) > self.max_open

    def expired(self, now: float) -> list[tuple[K, V]]:
        """Remove and return the groups idle since before ``now - idle`` (and any over the cap)."""
        groups = self._groups
        horizon = now - self.idle
        closed: list[tuple[K, V]] = []
        while groups:
            key = next(iter(groups))
            entry = groups[key]
            if entry.last >= horizon and len(groups) <= self.max_open:
                break
            del groups[key]
            closed.append((key, entry.value))  # type: ignore[arg-type]
        self._front = None
        return closed

    def items(self) -> Iterator[tuple[K, V]]:
        """The open groups, oldest first, left open."""
        for key, entry in self._groups.items():
            yield key, entry.value  # type: ignore[misc]
