"""The collection loop: every ``every`` seconds, sample each source that is due and hand what
it got to a sink (the store). A source that fails is reported by name and retried with
backoff; the others keep going. Stopping (``stop`` set, e.g. by SIGINT/SIGTERM) takes one last
sample so the time up to the stop is written, then returns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.exc import SQLAlchemyError

from collectors.source import Backoff, Source, SourceResult
from perfsight.errors import PerfsightError, StoreError

Sink = Callable[[Source, SourceResult], None]


@dataclass
class _State:
    failures: int = 0
    next_attempt: float = 0.0


class CollectLoop:
    def __init__(
        self,
        sources: Sequence[Source],
        *,
        every: float,
        max_backoff: float,
        sink: Sink | None = None,
        on_result: Callable[[SourceResult], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if every <= 0:
            raise ValueError(f"the interval must be positive, not {every}")
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ValueError(f"two sources share a name: {names}")
        self.sources = list(sources)
        self.every = every
        self.backoff = Backoff(every, max(every, max_backoff))
        self.sink = sink
        self.on_result = on_result
        self.clock = clock
        self.state = {s.name: _State() for s in self.sources}
        self.cycles = 0

    def cycle(self, now: float | None = None) -> list[SourceResult]:
        """Sample every source that is due, in order; hand each result to the sink."""
        at = self.clock() if now is None else now
        results = []
        for source in self.sources:
            result = self._attempt(source, at)
            if result.status != "waiting" and self.sink is not None:
                result = self._store(source, result)
            if self.on_result is not None:
                self.on_result(result)
            results.append(result)
        self.cycles += 1
        return results

    def run(self, stop: threading.Event) -> None:
        """Cycle every ``every`` seconds until ``stop`` is set; then one last cycle (unless
        the stop came during a cycle, whose samples are then the last) and return."""
        while True:
            started = self.clock()
            self.cycle(started)
            if stop.is_set():
                return
            if stop.wait(max(0.0, started + self.every - self.clock())):
                self.cycle()
                return

    def close(self) -> None:
        for source in self.sources:
            source.close()

    def _attempt(self, source: Source, at: float) -> SourceResult:
        state = self.state[source.name]
        base = SourceResult(source.name, source.kind, source.target, at, "ok")
        # A retry falls due with the cycle that starts at (about) its time, not one later.
        if at + self.every * 0.1 < state.next_attempt:
            return replace(
                base, status="waiting", failures=state.failures, retry_at=state.next_attempt
            )
        try:
            records = tuple(source.sample(at))
        except (PerfsightError, OSError) as exc:
            state.failures += 1
            state.next_attempt = at + self.backoff.delay(state.failures)
            return replace(
                base,
                status="failed",
                # The result names the source already: keep the message only.
                error=exc.message if isinstance(exc, PerfsightError) else str(exc),
                failures=state.failures,
                retry_at=state.next_attempt,
            )
        recovered, state.failures, state.next_attempt = state.failures, 0, 0.0
        return replace(base, records=records, recovered_after=recovered)

    def _store(self, source: Source, result: SourceResult) -> SourceResult:
        # A store that fails for a moment must not end the collection: say so and go on.
        assert self.sink is not None
        try:
            self.sink(source, result)
        except (SQLAlchemyError, StoreError) as exc:
            return replace(result, store_error=f"{type(exc).__name__}: {exc}".splitlines()[0])
        return result
