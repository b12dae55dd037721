"""The database during a load run: the profiler events of the run's window, read as they come
(profile files from the offset they had when the load began), fed to the window's analyzers.

It measures ``db_queries_per_request`` (request ids), counts ``n_plus_one`` and
``missing_indexes`` findings, reports redundant and unpaginated queries and which missing-index
shapes are new (not in the store before the run), and — once the load generator's figures are
known — ``time_outside_db``: endpoints whose requests spend little of their time in MongoDB.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from analyzers.base import AnalysisContext, Analyzer
from loadruns.backend.db_time import OutsideDbRule, outside_db_findings
from loadruns.backend.window import WindowAnalysis
from loadruns.observers import ObserverReport
from loadruns.result import EndpointStats, Progress
from perfsight.models import Finding, QueryEvent, from_epoch

READ_EVERY = 2.0  # seconds between two reads while the load runs (bounded memory, no backlog)
EDGE = 1.0  # seconds of slack at the end of the window (the last requests' queries)


class EventFeed(Protocol):
    """New query events of one source since the previous read."""

    name: str

    def begin(self, since: float) -> None:
        """Start near the end: only what ends after ``since`` belongs to the run."""

    def read(self) -> Iterable[QueryEvent]:
        """Events appended since the last read (a document still being written waits)."""

    def problems(self) -> list[str]:
        """What could not be read (lines rejected, the file rotated…), for the report."""

    def close(self) -> None:
        """Let go of what the feed holds (a connection)."""


class ProfilerWatch:
    name = "profiler"

    def __init__(
        self,
        feeds: Sequence[EventFeed],
        context: AnalysisContext,
        *,
        analyzers: Callable[[AnalysisContext], Sequence[Analyzer]] = lambda _c: (),
        known_indexes: Callable[[], set[str]] = set,
        rule: OutsideDbRule | None = None,
        settle: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.feeds = list(feeds)
        self.context = context
        self.extra = analyzers
        self.known_indexes = known_indexes
        self.rule = rule or OutsideDbRule()
        self.settle = settle
        self.clock = clock
        self.sleep = sleep
        self.analysis: WindowAnalysis | None = None
        self.known: set[str] = set()
        self.next_read = 0.0

    def start(self, run_id: str, started_at: float) -> None:
        self.known = self.known_indexes()
        self.analysis = WindowAnalysis(
            self.context, extra=self.extra(self.context), start=started_at
        )
        for feed in self.feeds:
            feed.begin(started_at)
        self.next_read = self.clock() + READ_EVERY

    def tick(self, progress: Progress) -> None:
        if self.analysis is not None and self.clock() >= self.next_read:
            self.next_read = self.clock() + READ_EVERY
            self._read()

    def _read(self) -> None:
        assert self.analysis is not None
        for feed in self.feeds:
            for event in feed.read():
                self.analysis.feed(event)

    def finish(self, started_at: float, ended_at: float) -> ObserverReport:
        analysis = self.analysis
        if analysis is None:
            analysis = self.analysis = WindowAnalysis(self.context, start=started_at)
        analysis.end = ended_at + EDGE
        wait = ended_at + EDGE - self.clock()  # the last operations reach the file
        self.sleep(min(self.settle, max(wait, 0.0)))
        self._read()
        for feed in self.feeds:
            feed.close()
        findings = analysis.findings()
        new_indexes = [f for f in findings if f.kind == "missing_index" and f.id not in self.known]
        warnings = [f"profiler {line}" for feed in self.feeds for line in feed.problems()]
        if analysis.events == 0:
            warnings.append(
                "profiler: no query event in the run's window ("
                + ", ".join(feed.name for feed in self.feeds)
                + "): is the profiler on (level 2 or slowms 0) and the file the one the API "
                "writes?"
            )
        window = (from_epoch(started_at), from_epoch(ended_at))

        looping = {f.endpoint for f in findings if f.kind == "n_plus_one" and f.endpoint}

        def explain(endpoints: Sequence[EndpointStats]) -> list[Finding]:
            return outside_db_findings(
                analysis.db_time.per_endpoint(),
                endpoints,
                self.rule,
                window=window,
                explained=looping,
            )

        section: dict[str, Any] = {
            "sources": [feed.name for feed in self.feeds],
            **analysis.summary(),
            "new_missing_indexes": [f.id for f in new_indexes],
            "findings": {kind: sum(f.kind == kind for f in findings) for kind in _KINDS},
            "outside_db_rule": {
                "min_avg_ms": self.rule.min_avg_ms,
                "max_share": self.rule.max_share,
            },
        }
        return ObserverReport(
            metrics=analysis.metrics(findings, ended_at - started_at),
            findings=tuple(findings),
            warnings=tuple(warnings),
            section=section,
            explain=explain,
        )


_KINDS = ("n_plus_one", "redundant_query", "unpaginated_query", "missing_index")
