"""Accuracy and cost of perfsight's exact response-time histograms, against Locust's own.

    .venv/bin/python bench/histogram_accuracy.py [--samples 1000000] [--seed 7]

Draws response times from a log-normal distribution spanning ~1 ms to ~60 s (median 150 ms),
computes the exact nearest-rank percentiles by sorting, and reports the largest error of
perfsight's 1 ms histogram and of Locust's bucketed statistics (``locust.stats``: the same
functions Locust's own percentiles go through). Also: the cost of one ``Histogram.add`` (the
listener's per-request work), the histogram's size, and the cost of merging 60 one-second
histograms into one (what a whole-run figure costs).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["LOCUST_SKIP_MONKEY_PATCH"] = "1"  # only locust.stats' pure functions are used

from locust.stats import bucket_response_time, calculate_response_time_percentile

from loadruns.histogram import Histogram

PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    values = [min(60_000.0, rng.lognormvariate(math.log(150), 1.4)) for _ in range(args.samples)]

    hist = Histogram()
    started = time.perf_counter()
    for i, ms in enumerate(values):
        hist.add(ms, start=float(i), end=float(i) + 0.1)
    add_ns = (time.perf_counter() - started) / len(values) * 1e9

    locust_buckets: dict[int, int] = {}
    for ms in values:
        key = bucket_response_time(ms)
        locust_buckets[key] = locust_buckets.get(key, 0) + 1

    ordered = sorted(values)
    print(f"{len(values):,} samples, {len(hist.buckets):,} histogram keys")
    print(f"{'pct':>6} {'exact':>10} {'perfsight':>10} {'err':>6} {'locust':>8} {'err':>7}")
    worst_ours = worst_locust = 0.0
    for pct in PERCENTILES:
        exact = ordered[max(1, math.ceil(pct / 100 * len(values))) - 1]
        ours = hist.percentile(pct) or 0.0
        theirs = calculate_response_time_percentile(locust_buckets, len(values), pct / 100)
        worst_ours = max(worst_ours, abs(ours - exact))
        worst_locust = max(worst_locust, abs(theirs - exact))
        print(
            f"{pct:>6} {exact:>10.2f} {ours:>10.0f} {ours - exact:>6.2f} "
            f"{theirs:>8} {theirs - exact:>7.1f}"
        )
    print(f"largest error: perfsight {worst_ours:.2f} ms, Locust {worst_locust:.1f} ms")

    seconds = [Histogram() for _ in range(60)]
    for i, ms in enumerate(values):
        seconds[i % 60].add(ms, start=float(i), end=float(i) + 0.1)
    started = time.perf_counter()
    merged = Histogram.merged(seconds)
    merge_ms = (time.perf_counter() - started) * 1000
    assert merged.buckets == hist.buckets
    print(f"Histogram.add: {add_ns:.0f} ns per request")
    print(f"merge of 60 one-second histograms: {merge_ms:.1f} ms (identical to the whole)")


if __name__ == "__main__":
    main()
