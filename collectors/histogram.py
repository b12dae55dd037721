"""Which histogram bucket a quantile falls in: how exact a ``histogram_quantile`` figure is.

Prometheus finds the bucket holding the quantile's rank and interpolates linearly inside it, as
if observations were spread evenly there. The true quantile can be anywhere in that bucket, so
the bucket's bounds are the honest error bar. This mirrors Prometheus's ``bucketQuantile``
(coalesce equal bounds, force cumulative counts monotonic, search the rank) so the bounds
reported are those of the bucket Prometheus interpolated in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def bucket_bounds(buckets: Iterable[tuple[float, float]], q: float) -> tuple[float, float] | None:
    """``(lower, upper)`` of the bucket holding the ``q``-quantile, from ``(le, cumulative
    count or rate)`` pairs including ``+Inf``. ``upper`` is ``inf`` when the quantile lies
    beyond the highest finite bound. ``None`` where Prometheus returns NaN: no ``+Inf``
    bucket, fewer than two buckets, no observations, or ``q`` outside (0, 1)."""
    if not 0 < q < 1:
        return None
    merged: dict[float, float] = {}
    for le, count in buckets:
        if math.isnan(le) or math.isnan(count):
            continue
        merged[le] = merged.get(le, 0.0) + count
    ordered = sorted(merged.items())
    if len(ordered) < 2 or not math.isinf(ordered[-1][0]):
        return None
    # Rates of cumulative counters can come out slightly non-monotonic (float error):
    # Prometheus takes the running maximum, and so do we.
    running = 0.0
    cumulative = []
    for le, count in ordered:
        running = max(running, count)
        cumulative.append((le, running))
    total = cumulative[-1][1]
    if not total > 0:
        return None
    rank = q * total
    for index, (le, count) in enumerate(cumulative):
        if count >= rank:
            if index == 0:
                return (0.0 if le > 0 else le, le)
            return (cumulative[index - 1][0], le)
    return None  # unreachable: the +Inf bucket holds the total
