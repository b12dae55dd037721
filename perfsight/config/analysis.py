"""``[analysis]``: analyzer thresholds and allow-lists. Defaults and their origin: README
("N+1, redundant and unpaginated queries")."""

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
    n_plus_one_min_repeats: int = setting(
        5,
        "N+1: at least this many queries of one shape with distinct parameters in one request "
        "(Sentry and Scout APM: 5).",
        ge=2,
    )
    n_plus_one_min_total: Duration = setting(
        "50ms",
        "N+1: the repeated queries of one request take at least this long together (Sentry: "
        "50ms; 0 reports every pattern, as load runs do).",
    )
    redundant_min_repeats: int = setting(
        2,
        "redundant_query: the same query with the same parameters at least this many times in "
        "one request.",
        ge=2,
    )
    burst_max_gap: Duration = setting(
        "100ms",
        "Without request ids: the largest gap between consecutive queries of one burst from one "
        "client.",
    )
    request_idle: Duration = setting(
        "30s",
        "A request's queries are analysed once none of its queries has been seen for this long "
        "(event time); bounds memory on long logs.",
    )
    unpaginated_min_returned: int = setting(
        100,
        "unpaginated_query: a find/aggregate without a limit returning more documents than this "
        "(MongoDB's first batch holds at most 101).",
        ge=1,
    )
    unpaginated_max_bytes: int = setting(
        1_048_576,
        "unpaginated_query: a find/aggregate without a limit whose reply is larger than this "
        "many bytes.",
        ge=1,
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
    outside_db_min_ms: Duration = setting(
        "100ms",
        "time_outside_db (load runs): only endpoints whose average response time is at least this.",
    )
    outside_db_max_share: float = setting(
        0.5,
        "time_outside_db (load runs): the requests spend less than this share of their time "
        "in the database (DB time by request id).",
        gt=0,
        le=1,
    )

    @field_validator("shape_bucket")
    @classmethod
    def _bucket_positive(cls, value: str) -> str:
        if parse_duration(value) < 1:
            raise ValueError("must be at least 1s")
        return value
