"""The perfsight side of the exact figures: the listener's ticks added up into whole-run
histograms per endpoint and a per-second series (req/s, p95, errors, users).

Ticks are deltas per second of completion, so a second can grow after it was first seen (a
Locust worker reporting late). Seconds are kept as histograms for ``OPEN_SECONDS`` after the
latest tick, long enough for any late report, and then only their rows are kept: memory stays
bounded over a long run. A report later still is added to the whole-run figures (never lost),
and counted in ``late_requests``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from loadruns import wire
from loadruns.histogram import Histogram
from loadruns.result import EndpointStats
from perfsight.models import endpoint_matches
from perfsight.store.runs import TOTAL, SeriesRow

OPEN_SECONDS = 30


class RunAggregate:
    def __init__(self) -> None:
        self.endpoints: dict[str, Histogram] = {}
        self.open: dict[int, dict[str, Histogram]] = {}
        self.rows: dict[tuple[int, str], SeriesRow] = {}
        self.users_by_second: dict[int, int] = {}
        self.users: int | None = None
        self.first_second: int | None = None
        self.settled_until = 0  # every second below this is complete
        self.written_until: int | None = None  # rows exist for every second below this
        self.late_requests = 0
        self._dirty: set[int] = set()
        self._total: Histogram | None = None  # the merge of ``endpoints``, until they change

    # -- input ---------------------------------------------------------------------------------

    def apply(self, record: Mapping[str, Any]) -> None:
        """Add one ``tick`` record of the listener."""
        t = float(record["t"])
        if record.get("users") is not None:
            self.users = int(record["users"])
            self.users_by_second[int(t)] = self.users
        for second, per_endpoint in wire.decode_seconds(record.get("data") or {}).items():
            self._add_second(second, per_endpoint)
        self.settled_until = max(self.settled_until, int(t))

    def _add_second(self, second: int, per_endpoint: Mapping[str, Histogram]) -> None:
        if self.first_second is None or second < self.first_second:
            self.first_second = second
        self._total = None
        for name, hist in per_endpoint.items():
            whole = self.endpoints.get(name)
            if whole is None:
                self.endpoints[name] = whole = Histogram()
            whole.merge(hist)
        if second < self.settled_until - OPEN_SECONDS and second not in self.open:
            self.late_requests += sum(h.count for h in per_endpoint.values())
            return
        wire.merge_seconds(self.open, {second: dict(per_endpoint)})
        self._dirty.add(second)

    # -- the series ----------------------------------------------------------------------------

    def settle(self, *, final: bool = False) -> list[SeriesRow]:
        """Rows of the seconds completed (or changed) since the last call; every second up to
        the last one when ``final``. Seconds without requests get zero rows (a stall shows)."""
        if self.first_second is None:
            return []
        limit = (max(self.open, default=self.settled_until) + 1) if final else self.settled_until
        start = self.first_second if self.written_until is None else self.written_until
        wanted = set(range(start, limit))
        wanted |= {s for s in self._dirty if s < limit}
        rows = [row for second in sorted(wanted) for row in self._rows_of(second)]
        self._dirty -= wanted
        if wanted:
            self.written_until = max(self.written_until or 0, max(wanted) + 1)
        for second in [s for s in self.open if s < limit - OPEN_SECONDS]:
            del self.open[second]
        return rows

    def _rows_of(self, second: int) -> list[SeriesRow]:
        per_endpoint = self.open.get(second, {})
        users = self._users_at(second)
        total = Histogram.merged(per_endpoint.values())
        rows = [_row(second, TOTAL, total, users)]
        rows += [_row(second, name, hist, users) for name, hist in sorted(per_endpoint.items())]
        for row in rows:
            self.rows[(second, row.endpoint)] = row
        return rows

    def _users_at(self, second: int) -> int | None:
        # The count reported at the end of this second, else the latest before it.
        for candidate in (second + 1, second):
            if candidate in self.users_by_second:
                return self.users_by_second[candidate]
        earlier = [s for s in self.users_by_second if s <= second]
        return self.users_by_second[max(earlier)] if earlier else self.users

    def series(self) -> list[SeriesRow]:
        return [self.rows[key] for key in sorted(self.rows)]

    def recent_rps(self, seconds: int = 3) -> float | None:
        done = [
            self.rows[(s, TOTAL)].requests
            for s in range(self.settled_until - seconds, self.settled_until)
            if (s, TOTAL) in self.rows
        ]
        return sum(done) / len(done) if done else None

    # -- whole-run figures ---------------------------------------------------------------------

    def total(self) -> Histogram:
        """The whole run's histogram (asked several times a tick: merged once per change)."""
        if self._total is None:
            self._total = Histogram.merged(self.endpoints.values())
        return self._total

    def select(self, scope: str | None) -> Histogram:
        """Everything (``None``), or the endpoints a threshold scope ``{endpoint:X}`` selects."""
        if scope is None:
            return self.total()
        return Histogram.merged(h for k, h in self.endpoints.items() if endpoint_matches(scope, k))

    def endpoint_stats(self) -> list[EndpointStats]:
        return [EndpointStats.from_histogram(k, h) for k, h in sorted(self.endpoints.items())]

    def total_stats(self) -> EndpointStats:
        return EndpointStats.from_histogram(TOTAL, self.total())

    def stats_rows(self) -> Iterable[dict[str, Any]]:
        return [s.to_row() for s in [self.total_stats(), *self.endpoint_stats()]]


def _row(second: int, endpoint: str, hist: Histogram, users: int | None) -> SeriesRow:
    return SeriesRow(
        ts=float(second),
        endpoint=endpoint,
        requests=hist.count,
        failures=hist.failures,
        p95_ms=hist.percentile(95) if hist.count else None,
        users=users,
    )
