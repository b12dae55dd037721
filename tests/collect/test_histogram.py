"""The bucket a quantile falls in, as Prometheus's histogram_quantile finds it."""

from __future__ import annotations

import math

import pytest

from collectors.histogram import bucket_bounds

INF = math.inf
# 10 observations: 2 ≤ 0.1, 5 in (0.1, 0.25], 2 in (0.25, 0.5], 1 beyond 0.5
BUCKETS = [(0.1, 2.0), (0.25, 7.0), (0.5, 9.0), (INF, 10.0)]


@pytest.mark.parametrize(
    ("q", "bounds"),
    [
        (0.1, (0.0, 0.1)),
        (0.2, (0.0, 0.1)),  # rank 2 == cumulative 2: still the first bucket
        (0.5, (0.1, 0.25)),
        (0.9, (0.25, 0.5)),
        (0.95, (0.5, INF)),  # beyond the highest bound: only a floor is known
    ],
)
def test_bounds(q: float, bounds: tuple[float, float]) -> None:
    assert bucket_bounds(BUCKETS, q) == bounds


def test_order_duplicates_and_non_monotonic_rates() -> None:
    shuffled = [(INF, 10.0), (0.5, 9.0), (0.1, 1.0), (0.1, 1.0), (0.25, 6.9999999)]
    assert bucket_bounds(shuffled, 0.5) == (0.1, 0.25)
    # A cumulative rate a hair lower than the one before it (float error) is lifted.
    assert bucket_bounds([(0.1, 5.0), (0.2, 4.9999), (INF, 10.0)], 0.5) == (0.0, 0.1)


@pytest.mark.parametrize(
    "buckets",
    [
        [],
        [(INF, 5.0)],  # fewer than two buckets
        [(0.1, 1.0), (0.2, 2.0)],  # no +Inf bucket
        [(0.1, 0.0), (INF, 0.0)],  # nothing observed (an idle window)
        [(0.1, math.nan), (INF, math.nan)],
    ],
)
def test_no_data(buckets: list[tuple[float, float]]) -> None:
    assert bucket_bounds(buckets, 0.95) is None


@pytest.mark.parametrize("q", [0.0, 1.0, -0.5, 1.5])
def test_quantile_outside_0_1(q: float) -> None:
    assert bucket_bounds(BUCKETS, q) is None
