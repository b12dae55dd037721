"""A pattern's numbers across the requests (or bursts) that showed it: how often, how many
queries (a distribution, for the median), how long, from which source, one example."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from analyzers import distribution

MAX_CLIENTS: Final = 5  # clients named in a low-confidence finding's evidence


@dataclass(slots=True)
class PatternStats:
    occurrences: int = 0  # requests (or bursts) that showed the pattern
    queries: Counter[int] = field(default_factory=Counter)  # queries per occurrence
    millis: float = 0.0
    max_millis: float = 0.0
    extra: int = 0  # redundant queries: runs that repeated an identical earlier one
    extra_millis: float = 0.0
    sources: Counter[int] = field(default_factory=Counter)
    first: float = math.inf
    last: float = -math.inf
    example: dict[str, Any] | None = None
    example_queries: int = -1
    clients: list[str] = field(default_factory=list)

    def add(
        self,
        *,
        queries: int,
        millis: float,
        start: float,
        end: float,
        source: int | None = None,
        example: Callable[[], dict[str, Any]],
        client: str | None = None,
    ) -> None:
        self.occurrences += 1
        self.queries[queries] += 1
        self.millis += millis
        self.max_millis = max(self.max_millis, millis)
        if source is not None:
            self.sources[source] += 1
        self.first = min(self.first, start)
        self.last = max(self.last, end)
        # The worst occurrence is the example; the first of equals, so output is deterministic.
        if queries > self.example_queries:
            self.example_queries = queries
            self.example = example()
        if client and client not in self.clients and len(self.clients) < MAX_CLIENTS:
            self.clients.append(client)

    @property
    def median_queries(self) -> float:
        return distribution.median(self.queries) or 0.0

    @property
    def max_queries(self) -> int:
        return max(self.queries, default=0)

    @property
    def avg_millis(self) -> float:
        return self.millis / self.occurrences if self.occurrences else 0.0

    @property
    def main_source(self) -> int | None:
        if not self.sources:
            return None
        # most frequent, then lowest shape id: deterministic
        return min(self.sources, key=lambda s: (-self.sources[s], s))
