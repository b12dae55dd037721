"""The analyzer interface: query events in, findings out.

An analyzer is fed events one at a time (so a million-line log streams through in bounded
memory) and then asked for its findings. It does no I/O and is deterministic: the same events
in the same order give the same findings. Everything an analyzer needs besides the events —
settings, the indexes that exist, the clock of the analysis — comes in the ``AnalysisContext``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from perfsight.config.analysis import AnalysisSettings
from perfsight.models import Finding, IndexKey, QueryEvent


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)
    # namespace -> the index keys that exist on it (from --indexes or list_indexes)
    indexes: Mapping[str, Sequence[IndexKey]] = field(default_factory=dict)
    # when the analysis runs; findings' timestamps come from the events, never from this
    now: datetime | None = None


class Analyzer(Protocol):
    name: str

    def feed(self, event: QueryEvent) -> None:
        """Take one event. Events arrive in source order (roughly by ``ts``)."""

    def findings(self) -> list[Finding]:
        """What the events fed so far show."""


def run_analyzers(analyzers: Sequence[Analyzer], events: Iterable[QueryEvent]) -> list[Finding]:
    """Feed every event to every analyzer, then collect their findings in analyzer order."""
    feed_all(analyzers, events)
    return [finding for analyzer in analyzers for finding in analyzer.findings()]


def feed_all(analyzers: Sequence[Analyzer], events: Iterable[QueryEvent]) -> None:
    """Feed every event to every analyzer, in order."""
    feeds = [analyzer.feed for analyzer in analyzers]  # bound once: this loop runs per event
    for event in events:
        for feed in feeds:
            feed(event)


K = TypeVar("K")
V = TypeVar("V")


def merge_keyed(into: dict[K, V], other: Mapping[K, V], add: Callable[[V, V], None]) -> None:
    """Per-key statistics of another part of the input added into these (a parallel analysis):
    a key new here is taken over, a known one merged by ``add(mine, theirs)``."""
    for key, theirs in other.items():
        mine = into.get(key)
        if mine is None:
            into[key] = theirs
        else:
            add(mine, theirs)
