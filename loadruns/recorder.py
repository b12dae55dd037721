"""A run in the store as it goes: created before the first request, its per-second series and
partial figures written every second or two (what a dashboard follows, and what a killed
runner leaves behind for ``mark_abandoned_runs``), its verdict at the end."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from loadruns.plan import LoadPlan
from perfsight.config.redact import redact_url
from perfsight.errors import ConfigError, StoreError
from perfsight.store import Store, runs
from perfsight.store.runs import SeriesRow
from perfsight.thresholds import Outcome


class RunRecorder:
    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.warnings: list[str] = []
        self.unwritten: dict[tuple[float, str], SeriesRow] = {}  # rows a hiccup kept back

    @classmethod
    def create(cls, store: Store, plan: LoadPlan) -> RunRecorder:
        if plan.run_id is not None and runs.get_run(store, plan.run_id) is not None:
            raise ConfigError(f"a run with id {plan.run_id!r} already exists", source="--run-id")
        run_id = runs.create_run(
            store,
            run_id=plan.run_id,
            target=redact_url(plan.host),
            settings=plan.describe(),
            tags=plan.tags,
            label=plan.label,
        )
        return cls(store, run_id)

    def progress(
        self,
        rows: Sequence[SeriesRow],
        stats: Iterable[Mapping[str, Any]] | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> None:
        """Periodic writes. A store that hiccups (a long lock) costs a warning, not the run:
        the rows are kept and written with the next write."""
        self.unwritten.update({(row.ts, row.endpoint): row for row in rows})
        try:
            if self.unwritten:
                runs.append_series(self.store, self.run_id, list(self.unwritten.values()))
                self.unwritten.clear()
            if stats is not None:
                runs.put_endpoint_stats(self.store, self.run_id, stats)
            if summary is not None:
                runs.touch_run(self.store, self.run_id, summary=summary)
        except SQLAlchemyError as exc:
            message = f"the store missed a progress write: {type(exc).__name__}: {exc}"
            if message not in self.warnings:
                self.warnings.append(message)

    def finish(
        self,
        status: str,
        *,
        series: Sequence[SeriesRow],
        stats: Iterable[Mapping[str, Any]],
        outcomes: Sequence[Outcome],
        summary: Mapping[str, Any],
    ) -> None:
        self.unwritten.update({(row.ts, row.endpoint): row for row in series})
        try:
            runs.append_series(self.store, self.run_id, list(self.unwritten.values()))
            self.unwritten.clear()
            runs.put_endpoint_stats(self.store, self.run_id, stats)
            runs.put_outcomes(self.store, self.run_id, [o.to_dict() for o in outcomes])
            runs.finish_run(self.store, self.run_id, status, summary=summary)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record the run's results: {exc}", source="store") from exc

    def error(self, message: str, summary: Mapping[str, Any] | None = None) -> None:
        try:
            runs.finish_run(self.store, self.run_id, "error", error=message, summary=summary)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record the run's error: {exc}", source="store") from exc
