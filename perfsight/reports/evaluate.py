"""Thresholds against what the sources observed, where no load run is involved.

A section reports ``Observation``s — a metric, its scope, the statistic and the value, with the
source it came from. A threshold is measured only by an observation of its exact metric,
statistic and scope; anything else is "not measured", never a pass. Throughput in a passive
window depends on the traffic that happened to come, so ``http_reqs`` is information here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from perfsight.models import endpoint_matches
from perfsight.thresholds import Outcome, Threshold

INFORMATION_ONLY = frozenset({"http_reqs"})


@dataclass(frozen=True, slots=True)
class Observation:
    metric: str
    stat: str  # as Threshold.stat: avg, med, p95, rate, count, value …
    value: float | None
    source: str
    scope: Mapping[str, str] = field(default_factory=dict)
    detail: str | None = None


def _matches(threshold: Threshold, observation: Observation) -> bool:
    if observation.metric != threshold.metric:
        return False
    wanted = dict(threshold.scope)
    if set(wanted) != set(observation.scope):
        return False
    for key, value in wanted.items():
        seen = observation.scope[key]
        if key == "endpoint":
            if not endpoint_matches(value, seen):
                return False
        elif value != seen:
            return False
    return True


def _same_stat(threshold: Threshold, observation: Observation) -> bool:
    # The median is p(50) by another name.
    aliases = {"med": "p50", "p50": "p50"}
    return aliases.get(threshold.stat, threshold.stat) == aliases.get(
        observation.stat, observation.stat
    )


def evaluate(
    thresholds: Iterable[Threshold],
    observations: Sequence[Observation],
    *,
    unavailable: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """One outcome per threshold. ``unavailable`` maps a metric to why its source could not be
    read, so a not-measured threshold says why. A scope matching several observations (a bare
    path under two methods) takes the worst value for the threshold's direction."""
    reasons = dict(unavailable or {})
    outcomes = []
    for threshold in thresholds:
        if threshold.metric in INFORMATION_ONLY:
            continue
        matching = [
            o
            for o in observations
            if _matches(threshold, o) and _same_stat(threshold, o) and o.value is not None
        ]
        if not matching:
            detail = reasons.get(threshold.metric, "no source measured it in this window")
            outcomes.append(threshold.evaluate(None, detail=detail))
            continue
        worst = _worst(threshold, matching)
        outcomes.append(threshold.evaluate(worst.value, source=worst.source, detail=worst.detail))
    return outcomes


def _worst(threshold: Threshold, matching: Sequence[Observation]) -> Observation:
    failing = [o for o in matching if o.value is not None and not threshold.passes(o.value)]
    candidates = failing or list(matching)

    def value(observation: Observation) -> float:
        return observation.value if observation.value is not None else 0.0

    if threshold.operator.startswith("<"):
        return max(candidates, key=value)
    if threshold.operator.startswith(">"):
        return min(candidates, key=value)
    return candidates[0]
