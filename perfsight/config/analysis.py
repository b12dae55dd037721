"""``[analysis]``: analyzer thresholds and allow-lists. Defaults and their origin: README."""

from __future__ import annotations

from perfsight.config.base import Table, setting


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
