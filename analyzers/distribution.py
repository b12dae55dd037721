"""Exact statistics of small integer samples kept as counts (value -> how often), so a million
requests take as much memory as the number of distinct values."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence


def total(counts: Mapping[int, int]) -> int:
    return sum(counts.values())


def mean(counts: Mapping[int, int]) -> float | None:
    n = total(counts)
    return None if n == 0 else sum(v * c for v, c in counts.items()) / n


def percentile(counts: Mapping[int, int], pct: float) -> float | None:
    """k6's percentile: linear interpolation between the closest ranks (``pct`` in 0–100)."""
    n = total(counts)
    if n == 0:
        return None
    rank = pct / 100 * (n - 1)
    lower, upper = math.floor(rank), math.ceil(rank)
    low_value = high_value = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low_value is None and seen > lower:
            low_value = value
        if seen > upper:
            high_value = value
            break
    assert low_value is not None and high_value is not None
    return low_value + (high_value - low_value) * (rank - lower)


def median(counts: Mapping[int, int]) -> float | None:
    return percentile(counts, 50)


def merge(parts: Sequence[Mapping[int, int]]) -> Counter[int]:
    merged: Counter[int] = Counter()
    for part in parts:
        merged.update(part)
    return merged
