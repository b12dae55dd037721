"""Accounting of what a reader did with its input: nothing is dropped without being counted.

Every line (log) or document (profile file) ends up in exactly one bucket: an event, a merged
duplicate (the ``COMMAND`` twin of an update/delete ``WRITE`` line), skipped (not a slow-query
entry), before ``--since``, or rejected with its line number and reason. Events whose command
the server truncated are events *and* listed under ``partial``: their shape is unknown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Rejections kept with their details; beyond this they are only counted (a binary file fed by
# mistake must not fill memory with a million reasons).
MAX_DETAILS = 200


@dataclass(frozen=True, slots=True)
class LineIssue:
    source: str
    line: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "reason": self.reason}


@dataclass(slots=True)
class InputReport:
    """Counters for one analysis (one or several inputs). Mutable: readers add to it."""

    sources: list[str] = field(default_factory=list)
    lines_read: int = 0
    documents: int = 0
    events: int = 0
    duplicates_merged: int = 0
    before_since: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    rejections: list[LineIssue] = field(default_factory=list)
    partial: int = 0
    partials: list[LineIssue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def reject(self, source: str, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_DETAILS:
            self.rejections.append(LineIssue(source, line, reason))

    def mark_partial(self, source: str, line: int, reason: str) -> None:
        self.partial += 1
        if len(self.partials) < MAX_DETAILS:
            self.partials.append(LineIssue(source, line, reason))

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def merge(self, other: InputReport) -> None:
        """Add another report's counts (the same input read in parts, e.g. by processes)."""
        for name in ("lines_read", "documents", "events", "duplicates_merged", "before_since"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.sources.extend(s for s in other.sources if s not in self.sources)
        self.skipped.update(other.skipped)
        self.rejected += other.rejected
        self.rejections.extend(other.rejections[: MAX_DETAILS - len(self.rejections)])
        self.partial += other.partial
        self.partials.extend(other.partials[: MAX_DETAILS - len(self.partials)])
        self.notices.extend(other.notices)

    @property
    def usable(self) -> bool:
        """False when the input had content and none of it could be read: the wrong file."""
        return not (self.rejected and not self.events and not self.before_since)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "lines_read": self.lines_read,
            "documents": self.documents,
            "events": self.events,
            "duplicates_merged": self.duplicates_merged,
            "before_since": self.before_since,
            "skipped": dict(sorted(self.skipped.items())),
            "rejected": self.rejected,
            "rejections": [issue.to_dict() for issue in self.rejections],
            "partial": self.partial,
            "partials": [issue.to_dict() for issue in self.partials],
            "notices": list(self.notices),
        }
