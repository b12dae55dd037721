"""The HTTP probe against a real server on loopback."""

from __future__ import annotations

import httpx
import pytest

from collectors.http_probe import EndpointProbe, HttpProbe
from perfsight.config.target import TargetSettings
from perfsight.errors import ConfigError, HostNotAllowed
from tests.conftest import AppServer
from tests.probe.conftest import served, target


def probe_one(server: AppServer, path: str, **values: object) -> EndpointProbe:
    report = HttpProbe(target(server, list_endpoints=[path], **values)).run()
    assert len(report.probes) == 1
    return report.probes[0]


def test_a_paged_compressed_list(probe_api: AppServer) -> None:
    probe = probe_one(probe_api, "/api/bookings")
    assert probe.error is None and probe.skipped is None
    assert (probe.endpoint, probe.status) == ("GET /api/bookings", 200)
    assert (probe.items, probe.list_key) == (20, "items")
    assert probe.paging_tried == {"limit": 1}
    assert probe.paging_param == "limit"
    assert probe.paging_metadata == ("next",)
    assert probe.fields_honoured is True
    assert probe.content_encoding == "gzip"
    assert probe.wire_bytes is not None and probe.response_bytes is not None
    assert probe.wire_bytes < probe.response_bytes
    assert probe.requests == 3  # the list, limit=1, fields=id


def test_a_list_that_ignores_paging(probe_api: AppServer) -> None:
    before = served(probe_api)
    probe = probe_one(probe_api, "/api/bookings-unpaged")
    assert probe.items == 250
    assert probe.paging_tried == {"limit": 250, "page_size": 250, "per_page": 250, "pageSize": 250}
    assert probe.paging_param is None
    assert probe.fields_honoured is False
    assert probe.content_encoding is None
    assert probe.requests == 6
    after = served(probe_api)
    sent = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    assert sent == {
        "/api/bookings-unpaged": 1,
        "/api/bookings-unpaged?limit=1": 1,
        "/api/bookings-unpaged?page_size=1": 1,
        "/api/bookings-unpaged?per_page=1": 1,
        "/api/bookings-unpaged?pageSize=1": 1,
        "/api/bookings-unpaged?fields=id": 1,
    }


def test_per_page_under_data_and_a_top_level_array(probe_api: AppServer) -> None:
    customers = probe_one(probe_api, "/api/customers")
    assert (customers.items, customers.list_key, customers.paging_param) == (25, "data", "per_page")
    countries = probe_one(probe_api, "/api/countries")
    assert (countries.items, countries.list_key, countries.paging_param) == (30, "", None)


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/api/html", "HTML instead of JSON"),
        ("/api/text", "not JSON (Content-Type: text/plain"),
        ("/api/boom", "HTTP 500"),
        ("/api/slow", "timed out after 0.5s"),
        ("/api/object", "no JSON list in the response"),
        ("/api/redirect-out", "not sent: refusing to send traffic to 'probe-outside.example'"),
        ("/api/missing", "HTTP 404"),
    ],
)
def test_bad_endpoints_are_reported_per_endpoint(
    probe_api: AppServer, path: str, error: str
) -> None:
    probe = probe_one(probe_api, path, timeout="500ms")
    assert probe.error is not None and error in probe.error


def test_one_bad_endpoint_does_not_stop_the_others(probe_api: AppServer) -> None:
    report = HttpProbe(
        target(
            probe_api,
            timeout="500ms",
            list_endpoints=["/api/boom", "/api/slow", "http://10.255.255.1/api/x", "/api/tags"],
        )
    ).run()
    by_endpoint = {p.endpoint: p for p in report.probes}
    assert by_endpoint["GET /api/boom"].status == 500
    assert "timed out" in (by_endpoint["GET /api/slow"].error or "")
    assert "not sent" in (by_endpoint["GET /api/x"].error or "")
    assert by_endpoint["GET /api/x"].requests == 0
    tags = by_endpoint["GET /api/tags"]
    assert tags.error is None and tags.items == 1 and tags.paging_tried == {}


def test_redirects_inside_allowed_hosts_are_followed(probe_api: AppServer) -> None:
    probe = probe_one(probe_api, "/api/redirect-in")
    assert probe.error is None and probe.items == 20
    assert probe.endpoint == "GET /api/redirect-in"


def test_static_assets_record_cache_control(probe_api: AppServer) -> None:
    report = HttpProbe(
        target(probe_api, static_assets=["/static/app.js", "/static/plain.js"])
    ).run()
    app, plain = report.probes
    assert app.kind == "static" and app.cache_control == "public, max-age=31536000, immutable"
    assert app.content_encoding == "gzip"
    assert plain.cache_control is None and plain.content_encoding is None
    assert plain.items is None  # a static file is not parsed as a list


def test_the_request_budget_bounds_the_probe(probe_api: AppServer) -> None:
    before = sum(served(probe_api).values())
    report = HttpProbe(
        target(
            probe_api,
            probe_max_requests=4,
            list_endpoints=["/api/bookings-unpaged", "/api/bookings", "/api/countries"],
        )
    ).run()
    assert report.requests == 4
    assert sum(served(probe_api).values()) - before == 4
    unpaged, paged, countries = report.probes
    assert unpaged.error is not None and "budget" in unpaged.error
    assert unpaged.paging_tried == {"limit": 250, "page_size": 250, "per_page": 250}
    assert paged.skipped is not None and "probe_max_requests = 4" in paged.skipped
    assert countries.skipped is not None and countries.requests == 0


def test_a_base_url_outside_allowed_hosts_sends_nothing() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(record))
    settings = TargetSettings(base_url="http://api.example.com", list_endpoints=["/api/x"])
    with pytest.raises(HostNotAllowed, match=r"api\.example\.com"):
        HttpProbe(settings, client=client).run()
    assert sent == []
    allowed = TargetSettings(
        base_url="http://api.example.com", list_endpoints=["/api/x"],
        allowed_hosts=["*.example.com"],
    )  # fmt: skip
    report = HttpProbe(allowed, client=client).run()
    assert len(sent) == 1 and report.probes[0].error is not None  # an empty 200 is not JSON


def test_nothing_to_probe_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="nothing to probe"):
        HttpProbe(TargetSettings(base_url="http://127.0.0.1:9")).run()
    with pytest.raises(ConfigError, match="base_url is not set"):
        HttpProbe(TargetSettings(list_endpoints=["/api/x"])).run()


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("/api/itineraries/{id}/days", "its path has parameters"),
        ("POST /api/bookings", "only GET endpoints"),
    ],
)
def test_entries_that_cannot_be_called_are_skipped_with_a_reason(
    probe_api: AppServer, entry: str, reason: str
) -> None:
    probe = probe_one(probe_api, entry)
    assert probe.skipped is not None and reason in probe.skipped
    assert probe.requests == 0 and probe.checked_at is None
