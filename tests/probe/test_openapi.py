"""GET list endpoints from OpenAPI documents (served, JSON file, YAML, Swagger 2.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.http_probe import HttpProbe
from collectors.openapi import list_endpoints, parse_document
from perfsight.errors import InputError
from tests.conftest import AppServer
from tests.probe.conftest import target
from tests.support.probe_app import OPENAPI


def test_list_endpoints_of_an_openapi_3_document() -> None:
    found = {e.path: e.skip for e in list_endpoints(OPENAPI)}
    assert list(found) == [
        "/api/bookings",
        "/api/bookings-unpaged",
        "/api/countries",
        "/api/itineraries/{id}/days",
        "/api/search",
    ]  # /api/object returns an object without a list; POSTs are not probed
    assert found["/api/bookings"] is None
    assert "path has parameters" in (found["/api/itineraries/{id}/days"] or "")
    assert "required query parameters q" in (found["/api/search"] or "")


SWAGGER_YAML = """
swagger: "2.0"
info: {title: t, version: "1"}
basePath: /v1
paths:
  /trips:
    get:
      responses:
        "200":
          description: ok
          schema: {$ref: "#/definitions/TripList"}
  /trips/count:
    get:
      responses:
        "200": {description: ok, schema: {type: integer}}
definitions:
  TripList: {type: object, properties: {results: {type: array, items: {type: object}}}}
"""


def test_swagger_2_in_yaml_with_a_base_path() -> None:
    doc = parse_document(SWAGGER_YAML, source="swagger.yaml")
    assert [(e.path, e.skip) for e in list_endpoints(doc)] == [("/v1/trips", None)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json: [", "neither JSON nor YAML"),
        ('{"title": "x"}', "not an OpenAPI document"),
        ('{"openapi": "3.0.0"}', "no 'paths' object"),
    ],
)
def test_bad_documents_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_document(text, source="api.json")
    assert "api.json" in str(info.value)


def test_the_probe_reads_the_served_document(probe_api: AppServer) -> None:
    report = HttpProbe(target(probe_api, openapi=probe_api.url + "/openapi.json")).run()
    assert report.openapi_error is None
    by_endpoint = {p.endpoint: p for p in report.probes}
    assert set(by_endpoint) == {
        "GET /api/bookings",
        "GET /api/bookings-unpaged",
        "GET /api/countries",
        "GET /api/itineraries/{id}/days",
        "GET /api/search",
    }
    assert by_endpoint["GET /api/bookings-unpaged"].items == 250
    assert by_endpoint["GET /api/itineraries/{id}/days"].skipped is not None
    assert all(p.origin == "openapi" for p in report.probes)


def test_a_document_file_and_config_endpoints_together(
    probe_api: AppServer, tmp_path: Path
) -> None:
    import json

    file = tmp_path / "openapi.json"
    file.write_text(json.dumps(OPENAPI))
    report = HttpProbe(
        target(probe_api, openapi=str(file), list_endpoints=["/api/bookings", "/api/customers"])
    ).run()
    endpoints = [p.endpoint for p in report.probes]
    assert endpoints[:2] == ["GET /api/bookings", "GET /api/customers"]  # config first
    assert endpoints.count("GET /api/bookings") == 1  # named twice, probed once


def test_an_unreadable_document_is_reported_and_the_rest_still_probed(
    probe_api: AppServer, tmp_path: Path
) -> None:
    report = HttpProbe(
        target(probe_api, openapi=str(tmp_path / "missing.yaml"), list_endpoints=["/api/tags"])
    ).run()
    assert report.openapi_error is not None and "cannot read" in report.openapi_error
    assert [p.endpoint for p in report.probes] == ["GET /api/tags"]
    assert report.probes[0].error is None
