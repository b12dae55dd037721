"""``[analysis]``: analyzer thresholds and allow-lists. Defaults and their origin: README."""

from __future__ import annotations

from pydantic import field_validator

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration
from perfsight.durations import parse_duration


class AnalysisSettings(Table):
    allow_endpoints: list[str] = setting(
        list, "Endpoint keys (fnmatch patterns) never reported by the N+1 and pagination analyzers."
    )
    allow_namespaces: list[str] = setting(
        list, "Namespaces (fnmatch patterns, e.g. travel.audit_*) never reported."
    )
    allow_fingerprints: list[str] = setting(
        list, "Query fingerprints (fnmatch patterns) never reported."
    )
    index_scan_ratio: float = setting(
        100.0,
        "Missing-index advisor: documents examined per document returned at which a query "
        "shape scans too much (mtools mlogfilter --scan: 100).",
        gt=0,
    )
    index_min_wasted_docs: int = setting(
        500,
        "Missing-index advisor: documents examined beyond those returned, per execution, "
        "before scanning counts as waste (Atlas Performance Advisor: 500).",
        ge=0,
    )
    index_critical_examined: int = setting(
        10000,
        "Missing-index advisor: documents examined per execution that make a missing index "
        "critical (mtools mlogfilter --scan: 10,000).",
        ge=0,
    )
    shape_bucket: Duration = setting(
        "1h", "Time bucket of the query-shape statistics kept in the store."
    )

    @field_validator("shape_bucket")
    @classmethod
    def _bucket_positive(cls, value: str) -> str:
        if parse_duration(value) < 1:
            raise ValueError("must be at least 1s")
        return value
