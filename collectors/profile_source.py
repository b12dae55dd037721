"""The collection loop's MongoDB profile-file source: each sample reads what was appended to
one ``[mongo] profile_files`` entry since the stored cursor, analyses it, and hands back one
``ProfileBatch`` — shape statistics to add, findings, and the new cursor — written in one
transaction, so a batch whose write fails is read again next time rather than lost.

A request whose queries straddle two samples is analysed in two parts (each sample flushes
its open requests): the N+1 detector may then see a shorter run in each part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from analyzers.base import AnalysisContext
from analyzers.shapes import ShapeStat
from collectors.file_input import FileCursor
from collectors.input_report import InputReport
from collectors.mongo_normalize import ReadOptions
from collectors.profile_file import ProfileFileReader
from perfsight.analysis import analyze, shape_stats_for
from perfsight.config import Settings
from perfsight.models import Finding
from perfsight.store import Store
from perfsight.store.file_cursors import load_cursor, write_cursor
from perfsight.store.findings import write_findings
from perfsight.store.samples import register_writer
from perfsight.store.shapes import write_shape_stats

CONSUMER = "collect"


@dataclass(frozen=True, slots=True)
class ProfileBatch:
    path: str
    cursor: FileCursor | None
    shapes: tuple[ShapeStat, ...]
    findings: tuple[Finding, ...]
    events: int
    rejected: int
    restarted: str | None

    @property
    def source_label(self) -> str:
        return f"profile {self.path}"


class ProfileFileSource:
    kind = "profile_file"

    def __init__(self, path: str | Path, settings: Settings, store: Store) -> None:
        self.path = str(Path(path).resolve())
        self.name = f"profile:{Path(path).name}"
        self.target = self.path
        self.settings = settings
        self.store = store

    def sample(self, now: float | None = None) -> list[ProfileBatch]:
        # The cursor comes from the store every time: it moves only when a batch is written.
        cursor = load_cursor(self.store, CONSUMER, self.path)
        report = InputReport()
        reader = ProfileFileReader(
            self.path,
            options=ReadOptions.from_settings(self.settings.mongo, keep_raw=False),
            report=report,
            cursor=cursor,
            incremental=True,
        )
        result = analyze(
            reader.events(),
            context=AnalysisContext(settings=self.settings.analysis),
            shapes=shape_stats_for(self.settings),
            report=report,
        )
        return [
            ProfileBatch(
                path=self.path,
                cursor=reader.cursor,
                shapes=tuple(result.shapes.buckets()),
                findings=tuple(result.findings),
                events=report.events,
                rejected=report.rejected,
                restarted=reader.restarted,
            )
        ]

    def close(self) -> None:
        return None


def _write_batch(conn: Connection, batch: ProfileBatch) -> int:
    rows = write_shape_stats(conn, batch.shapes, source=batch.source_label, mode="add")
    rows += write_findings(conn, batch.findings, origin=CONSUMER)
    if batch.cursor is not None:
        write_cursor(conn, CONSUMER, batch.cursor)
    return rows


register_writer(ProfileBatch, _write_batch)
