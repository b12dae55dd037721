"""The exact histograms: nearest-rank percentiles to 1 ms, merged across seconds and workers."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadruns.histogram import EXACT_LIMIT_MS, Histogram, bucket_of


def nearest_rank(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def filled(values: list[float], t0: float = 1000.0) -> Histogram:
    hist = Histogram()
    for i, ms in enumerate(values):
        hist.add(ms, start=t0 + i, end=t0 + i + ms / 1000, failed=i % 7 == 0)
    return hist


@given(st.lists(st.floats(min_value=0, max_value=120_000), min_size=1, max_size=400))
@settings(max_examples=200, deadline=None)
def test_percentiles_are_nearest_rank_to_half_a_millisecond(values: list[float]) -> None:
    hist = filled(values)
    for pct in (1, 50, 90, 95, 99, 99.9, 100):
        reported = hist.percentile(pct)
        assert reported is not None
        assert abs(reported - nearest_rank(values, pct)) <= 0.5
    assert hist.min == min(values) and hist.max == max(values)
    assert hist.avg == pytest.approx(sum(values) / len(values))
    assert hist.percentile(100) == max(values)  # never above the maximum (Locust's #255)


def test_the_values_locust_rounds_stay_exact() -> None:
    # Locust would report 1000 (100 ms buckets from 1 s) and 130 (10 ms buckets below 1 s).
    hist = filled([1046.0] * 10 + [133.0] * 10)
    assert hist.percentile(50) == 133.0
    assert hist.percentile(90) == 1046.0


@given(
    st.lists(st.floats(min_value=0, max_value=5_000), min_size=1, max_size=300),
    st.integers(min_value=1, max_value=6),
)
@settings(max_examples=100, deadline=None)
def test_merging_parts_equals_one_histogram(values: list[float], parts: int) -> None:
    whole = filled(values)
    rng = random.Random(len(values))
    pieces = [Histogram() for _ in range(parts)]  # seconds, endpoints or Locust workers
    for i, ms in enumerate(values):
        pieces[rng.randrange(parts)].add(
            ms, start=1000.0 + i, end=1000 + i + ms / 1000, failed=i % 7 == 0
        )
    merged = Histogram.merged(Histogram.from_wire(p.to_wire()) for p in pieces if p.count)
    assert merged.buckets == whole.buckets
    assert (merged.count, merged.failures) == (whole.count, whole.failures)
    assert merged.total == pytest.approx(whole.total)
    assert (merged.min, merged.max) == (whole.min, whole.max)
    assert merged.percentiles([50, 90, 95, 99]) == whole.percentiles([50, 90, 95, 99])
    assert merged.rps() == pytest.approx(whole.rps())


def test_rps_is_requests_over_first_start_to_last_end() -> None:
    hist = Histogram()
    hist.add(100.0, start=10.0, end=10.1)
    hist.add(100.0, start=11.9, end=12.0)
    assert hist.rps() == pytest.approx(2 / 2.0)
    assert hist.failure_rate == 0.0


def test_empty_histogram_has_no_figures() -> None:
    hist = Histogram()
    assert hist.percentile(95) is None
    assert hist.avg is None and hist.rps() is None and hist.failure_rate is None
    assert hist.percentiles([50, 95]) == {50: None, 95: None}


def test_resolution_drops_to_one_second_only_beyond_ten_minutes() -> None:
    assert bucket_of(59_999.4) == 59_999
    assert bucket_of(EXACT_LIMIT_MS - 1) == EXACT_LIMIT_MS - 1
    assert bucket_of(EXACT_LIMIT_MS + 1_400) == EXACT_LIMIT_MS + 1_000
    assert bucket_of(-3.0) == 0
    with pytest.raises(ValueError):
        filled([1.0]).percentile(0)
