"""Probe records → findings, on the real test server and on hand-made records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analyzers.allowlist import AllowList
from analyzers.endpoint_probe import cache_lifetime, probe_findings
from collectors.http_probe import EndpointProbe, HttpProbe
from perfsight.models import Finding
from perfsight.store import Store
from perfsight.store.findings import list_findings, upsert_findings
from tests.conftest import AppServer
from tests.probe.conftest import target

LISTS = [
    "/api/bookings",
    "/api/bookings-unpaged",
    "/api/countries",
    "/api/customers",
    "/api/custom-paged",
    "/api/tags",
    "/api/html",
]
STATIC = [
    "/static/app.js",
    "/static/plain.js",
    "/static/short.css",
    "/static/private.css",
    "/static/logo.png",
]


@pytest.fixture(scope="module")
def probed(probe_api: AppServer) -> list[EndpointProbe]:
    report = HttpProbe(target(probe_api, list_endpoints=LISTS, static_assets=STATIC)).run()
    return list(report.probes)


def test_findings_of_the_test_api(probed: list[EndpointProbe]) -> None:
    found = probe_findings(probed)
    assert sorted((f.kind, f.endpoint, f.severity) for f in found) == [
        ("missing_cache_control", "GET /static/plain.js", "warning"),
        ("missing_cache_control", "GET /static/private.css", "warning"),
        ("missing_cache_control", "GET /static/short.css", "warning"),
        ("uncompressed_response", "GET /api/bookings-unpaged", "warning"),
        ("uncompressed_response", "GET /static/plain.js", "warning"),
        ("unpaginated_endpoint", "GET /api/bookings-unpaged", "critical"),
        ("unpaginated_endpoint", "GET /api/countries", "warning"),
    ]
    unpaged = next(f for f in found if f.endpoint == "GET /api/bookings-unpaged"
                   and f.kind == "unpaginated_endpoint")  # fmt: skip
    assert "250 items" in unpaged.summary and "more than 100" in unpaged.summary
    assert unpaged.evidence["items"] == 250
    assert unpaged.evidence["fields_honoured"] is False
    assert unpaged.first_seen is not None
    plain = next(f for f in found if f.endpoint == "GET /static/plain.js"
                 and f.kind == "missing_cache_control")  # fmt: skip
    assert "no Cache-Control header" in plain.summary
    assert "max-age=31536000" in plain.suggestion
    short = next(f for f in found if f.endpoint == "GET /static/short.css")
    assert "1m" in short.summary
    compress = next(f for f in found if f.kind == "uncompressed_response"
                    and f.endpoint == "GET /api/bookings-unpaged")  # fmt: skip
    assert "compression()" in compress.suggestion


def test_thresholds_and_allow_lists(probed: list[EndpointProbe]) -> None:
    found = probe_findings(
        probed,
        max_page_size=300,
        compress_min_bytes=100_000,
        static_min_max_age="30s",
        allow=AllowList(endpoints=("GET /api/countries",)),
    )
    assert sorted((f.kind, f.endpoint) for f in found) == [
        ("missing_cache_control", "GET /static/plain.js"),
        ("missing_cache_control", "GET /static/private.css"),
        ("unpaginated_endpoint", "GET /api/bookings-unpaged"),  # ignores paging still
    ]


def test_probe_findings_go_to_the_store(probed: list[EndpointProbe], store: Store) -> None:
    found = probe_findings(probed)
    upsert_findings(store, found, origin="probe")
    stored = list_findings(store, origin_prefix="probe")
    assert {s.finding.id for s in stored} == {f.id for f in found}
    assert all(s.finding.namespace is None and s.finding.fingerprint is None for s in stored)


def record(**values: object) -> EndpointProbe:
    base: dict[str, object] = {
        "endpoint": "GET /api/x",
        "url": "http://127.0.0.1/api/x",
        "kind": "list",
        "origin": "test",
        "checked_at": datetime(2026, 3, 1, tzinfo=UTC),
        "status": 200,
    }
    base.update(values)
    return EndpointProbe(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "kinds"),
    [
        ({"items": 0, "paging_tried": {}}, []),
        ({"items": 101, "paging_tried": {"limit": 1}, "paging_param": "limit"},
         ["unpaginated_endpoint"]),
        ({"items": 40, "paging_tried": {"limit": 40}, "paging_metadata": ("nextToken",)}, []),
        ({"items": 40, "paging_tried": {"limit": None, "page_size": None}}, []),
        ({"items": 500, "error": "HTTP 500: boom"}, []),
        ({"response_bytes": 5000, "content_encoding": "br"}, []),
        ({"response_bytes": 5000, "content_type": "image/webp"}, []),
        ({"response_bytes": 5000, "content_type": "application/json"}, ["uncompressed_response"]),
        ({"kind": "static", "cache_control": "public, s-maxage=604800"}, []),
        ({"kind": "static", "cache_control": "no-cache, max-age=604800"},
         ["missing_cache_control"]),
        ({"kind": "static", "cache_control": "public"}, ["missing_cache_control"]),
    ],
)  # fmt: skip
def test_rules_on_single_records(values: dict[str, object], kinds: list[str]) -> None:
    found: list[Finding] = probe_findings([record(**values)])
    assert [f.kind for f in found] == kinds


def test_cache_lifetime_parsing() -> None:
    assert cache_lifetime(None) == (None, [])
    assert cache_lifetime('max-age="600", s-maxage=3600') == (3600.0, [])
    assert cache_lifetime("private, no-store") == (None, ["no-store", "private"])
