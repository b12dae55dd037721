"""Thresholds against what a run measured, and what that means for the run and its exit code.

A threshold is asked of every metric source in turn (the load generator's exact figures here;
the backend samplers of a run — Redis, Prometheus, the profiler — add theirs). The first source
that knows the metric answers; when none does, the threshold is ``not_measured``, never passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from loadruns.aggregate import RunAggregate
from perfsight.thresholds import Outcome, Status, Threshold, overall_status

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
LOAD_METRICS = frozenset({"http_req_duration", "http_reqs", "http_req_failed"})


@dataclass(frozen=True, slots=True)
class Observation:
    """A source's answer for one threshold: the value (None: it knows the metric but has no
    data for it, e.g. no request to that endpoint), where it comes from, and why if missing."""

    value: float | None
    source: str
    detail: str | None = None


class MetricSource(Protocol):
    def observe(self, threshold: Threshold) -> Observation | None:
        """None when this source does not measure ``threshold.metric`` at all."""


class LoadMetrics:
    """``http_req_duration``, ``http_reqs`` and ``http_req_failed`` from the exact histograms."""

    name = "load generator"

    def __init__(self, aggregate: RunAggregate) -> None:
        self.aggregate = aggregate

    def observe(self, threshold: Threshold) -> Observation | None:
        if threshold.metric not in LOAD_METRICS:
            return None
        scope = threshold.scope_value("endpoint")
        hist = self.aggregate.select(scope)
        if not hist.count:
            what = f"no request to {scope}" if scope else "no request"
            known = ", ".join(sorted(self.aggregate.endpoints)) or "none"
            return Observation(None, self.name, f"{what} completed (endpoints seen: {known})")
        value: float | None
        if threshold.metric == "http_req_duration":
            if threshold.aggregation == "p":
                assert threshold.percentile is not None
                value = hist.percentile(threshold.percentile)
            else:
                value = {"avg": hist.avg, "min": hist.min, "max": hist.max}.get(
                    threshold.aggregation, hist.percentile(50)
                )
        elif threshold.metric == "http_reqs":
            value = float(hist.count) if threshold.aggregation == "count" else hist.rps()
        else:
            value = hist.failure_rate
        return Observation(value, self.name)


def evaluate(thresholds: Iterable[Threshold], sources: Sequence[MetricSource]) -> list[Outcome]:
    outcomes = []
    for threshold in thresholds:
        observation = next(
            (o for o in (s.observe(threshold) for s in sources) if o is not None), None
        )
        if observation is None:
            outcomes.append(
                threshold.evaluate(
                    None, detail=f"nothing measured {threshold.metric} during this run"
                )
            )
        else:
            outcomes.append(
                threshold.evaluate(
                    observation.value, source=observation.source, detail=observation.detail
                )
            )
    return outcomes


def abort_check(
    thresholds: Iterable[Threshold], sources: Sequence[MetricSource], elapsed: float
) -> Outcome | None:
    """The first ``abortOnFail`` threshold that fails now (after its ``delayAbortEval``)."""
    due = [t for t in thresholds if t.abort_on_fail and elapsed >= t.delay_abort_eval]
    return next((o for o in evaluate(due, sources) if o.status == "fail"), None)


@dataclass(frozen=True, slots=True)
class Decision:
    status: str  # store status: passed | failed | aborted
    verdict: Status
    exit_code: int


def decide(outcomes: Sequence[Outcome], *, strict: bool, interrupted: bool) -> Decision:
    """Exit 1 when a threshold failed (or, with ``strict``, was not measured); exit 2 when the
    run was interrupted before its end; else 0. A run stopped by an ``abortOnFail`` threshold
    has a failed threshold, so it is ``failed``."""
    verdict = overall_status(outcomes)
    failed = verdict == "fail" or (strict and verdict == "not_measured")
    if interrupted:
        return Decision("aborted", verdict, EXIT_ERROR)
    if failed:
        return Decision("failed", verdict, EXIT_FAIL)
    return Decision("passed", verdict, EXIT_PASS)
