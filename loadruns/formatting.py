"""How figures read in the terminal summary and the JUnit messages: k6's way (``p(95)=148ms``,
``rate=0.50%``, ``rate=123.40/s``)."""

from __future__ import annotations

from perfsight.thresholds import METRICS, Outcome, Threshold


def stat_label(threshold: Threshold) -> str:
    """``p(95)``, ``avg``, ``rate``… as the threshold was written."""
    if threshold.aggregation == "p" and threshold.percentile is not None:
        return f"p({threshold.percentile:g})"
    return threshold.aggregation


def format_ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 10_000:
        return f"{value / 1000:.2f}s"
    return f"{value:.0f}ms" if float(value).is_integer() else f"{value:.2f}ms"


def format_value(value: float, threshold: Threshold) -> str:
    unit = METRICS[threshold.metric].unit
    if unit == "ms":
        return format_ms(value)
    if unit == "ratio":
        return f"{value * 100:.2f}%"
    if unit == "req/s" and threshold.aggregation == "rate":
        return f"{value:.2f}/s"
    return f"{value:g}"


def observed_text(outcome: Outcome) -> str:
    """``p(95)=612ms`` — the observed value in the threshold's own terms and unit."""
    label = stat_label(outcome.threshold)
    if outcome.observed is None:
        return f"{label}=not measured"
    return f"{label}={format_value(outcome.observed, outcome.threshold)}"
