"""Redis during a load run: ``INFO`` of every configured instance at the start of the load and
at its end, and the window between them — hit ratio from the deltas of ``keyspace_hits`` /
``keyspace_misses``, commands called, evictions. A restart during the run drops the window
(reported with its reason), never a made-up ratio.

The ratio counts every key lookup on the whole server (sessions, locks, other applications'
keys): it answers ``cache_hit_ratio`` only when the app's own cache counters did not (the
Prometheus watcher answers first; see ``loadruns.backend.session``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from collectors.redis_collector import RedisCollector
from collectors.redis_delta import RedisWindow, redis_window
from collectors.redis_info import RedisSnapshot
from loadruns.observers import ObserverReport
from loadruns.result import Progress
from loadruns.verdict import Observation
from perfsight.errors import PerfsightError, SourceUnavailable
from perfsight.thresholds import Threshold

TOP_COMMANDS = 10


def source_label(instance: str) -> str:
    return f"redis_info ({instance}: server-wide INFO keyspace_hits/misses)"


class RedisWatch:
    name = "redis"

    def __init__(self, collectors: Sequence[RedisCollector]) -> None:
        self.collectors = list(collectors)
        self.before: dict[str, RedisSnapshot] = {}
        self.problems: dict[str, str] = {}

    def start(self, run_id: str, started_at: float) -> None:
        for collector in self.collectors:
            try:
                self.before[collector.instance] = collector.snapshot()
            except PerfsightError as exc:
                self.problems[collector.instance] = f"at the start: {exc}"

    def tick(self, progress: Progress) -> None:
        """Nothing: two INFO calls measure the window exactly."""

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        windows: list[RedisWindow] = []
        for collector in self.collectors:
            first = self.before.get(collector.instance)
            if first is None:
                continue
            try:
                windows.append(redis_window(first, collector.snapshot()))
            except PerfsightError as exc:
                self.problems[collector.instance] = f"at the end: {exc}"
            finally:
                collector.close()
        if not windows and self.problems:
            raise SourceUnavailable("; ".join(self._problem_lines()), source="redis")
        return ObserverReport(
            metrics=RedisRatios(windows),
            warnings=tuple(self._problem_lines()),
            section={
                "instances": [_window_dict(w) for w in windows],
                "problems": dict(self.problems),
            },
        )

    def _problem_lines(self) -> list[str]:
        return [f"redis {instance} {problem}" for instance, problem in self.problems.items()]


def _window_dict(window: RedisWindow) -> dict[str, Any]:
    return {
        "instance": window.instance,
        "seconds": round(window.seconds, 3),
        "hits": window.cache.hits,
        "misses": window.cache.misses,
        "hit_ratio": window.hit_ratio,
        "source": "redis_info",
        "reset": window.reset,
        "commands": window.total_commands,
        "ops_per_sec": round(window.ops_per_sec, 1) if window.ops_per_sec is not None else None,
        "evicted_keys": window.evicted_keys,
        "expired_keys": window.expired_keys,
        "top_commands": [
            {
                "command": c.command,
                "calls": c.calls,
                "usec_per_call": round(c.usec_per_call, 2) if c.usec_per_call else None,
                "failed_calls": c.failed_calls,
                "rejected_calls": c.rejected_calls,
            }
            for c in window.commands[:TOP_COMMANDS]
        ],
    }


class RedisRatios:
    """``cache_hit_ratio{instance:X}``, and the unscoped one from the first (main) instance."""

    def __init__(self, windows: Sequence[RedisWindow]) -> None:
        self.windows = list(windows)

    def observe(self, threshold: Threshold) -> Observation | None:
        if threshold.metric != "cache_hit_ratio" or threshold.scope_value("cache") is not None:
            return None
        instance = threshold.scope_value("instance")
        if instance is None:
            window = self.windows[0] if self.windows else None
        else:
            window = next((w for w in self.windows if w.instance == instance), None)
        if window is None:
            return None
        label = source_label(window.instance)
        if window.reset is not None:
            return Observation(None, label, f"the window was dropped: {window.reset}")
        if window.hit_ratio is None:
            return Observation(None, label, "no key lookup on the server during the run")
        return Observation(window.hit_ratio, label)
