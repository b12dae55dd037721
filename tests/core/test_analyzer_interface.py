from __future__ import annotations

from datetime import UTC, datetime

from analyzers.base import run_analyzers
from perfsight.models import Finding, QueryEvent


class CountingAnalyzer:
    name = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def feed(self, event: QueryEvent) -> None:
        self.seen.append(event.namespace)

    def findings(self) -> list[Finding]:
        return [
            Finding(
                kind="slow_endpoint",
                severity="info",
                summary=f"{len(self.seen)} events",
                suggestion="none",
                namespace=ns,
            )
            for ns in sorted(set(self.seen))
        ]


def test_every_analyzer_sees_every_event_in_order() -> None:
    events = [
        QueryEvent(datetime(2026, 1, 1, tzinfo=UTC), "query", ns, "find", "db.x.find({})", 1.0)
        for ns in ("a.x", "b.y", "a.x")
    ]
    first, second = CountingAnalyzer(), CountingAnalyzer()
    found = run_analyzers([first, second], iter(events))
    assert first.seen == second.seen == ["a.x", "b.y", "a.x"]
    assert [f.namespace for f in found] == ["a.x", "b.y", "a.x", "b.y"]
    assert found[0].summary == "3 events"
