from __future__ import annotations

import re
from datetime import UTC, datetime

import jsonschema
import pytest

from perfsight.models import (
    Finding,
    endpoint_key,
    endpoint_matches,
    finding_id,
    request_context,
    split_endpoint_key,
)
from perfsight.schemas import load


def test_endpoint_key_contract() -> None:
    assert endpoint_key("get", "/api/itineraries/{id}") == "GET /api/itineraries/{id}"
    assert split_endpoint_key("POST /api/quotes") == ("POST", "/api/quotes")
    assert split_endpoint_key("/api/bookings") == (None, "/api/bookings")


@pytest.mark.parametrize(
    ("scope", "key", "expected"),
    [
        ("GET /api/bookings", "GET /api/bookings", True),
        ("GET /api/bookings", "POST /api/bookings", False),
        ("/api/bookings", "GET /api/bookings", True),
        ("/api/bookings", "POST /api/bookings", True),
        ("/api/bookings", "GET /api/bookings/{id}", False),
        ("/api/bookings", "/api/bookings", True),  # a user's locustfile names requests by path
        ("GET /api/bookings", "/api/bookings", True),
        ("/api/bookings", "/api/leads", False),
    ],
)
def test_endpoint_scope_matching(scope: str, key: str, expected: bool) -> None:
    assert endpoint_matches(scope, key) is expected


@pytest.mark.parametrize(
    ("comment", "rid", "route"),
    [
        ({"rid": "r-1", "route": "GET /api/x/{id}"}, "r-1", "GET /api/x/{id}"),
        ('{"rid": "r-2", "route": "POST /api/quotes"}', "r-2", "POST /api/quotes"),
        ({"rid": 17}, "17", None),
        ({"other": "x"}, None, None),
        ("plain-request-id", "plain-request-id", None),
        ("{not json", "{not json", None),
        (None, None, None),
        (42, None, None),
        ("", None, None),
    ],
)
def test_request_context(comment: object, rid: str | None, route: str | None) -> None:
    context = request_context(comment)
    assert (context.request_id, context.route) == (rid, route)


def test_request_context_configurable_keys_and_regex() -> None:
    doc = {"requestId": "abc", "endpoint": "GET /a"}
    context = request_context(doc, rid_key="requestId", route_key="endpoint")
    assert (context.request_id, context.route) == ("abc", "GET /a")
    regex = re.compile(r"req=(?P<rid>[0-9a-f]+) (?P<route>\w+ \S+)")
    matched = request_context("app req=beef GET /api/x", regex=regex)
    assert (matched.request_id, matched.route) == ("beef", "GET /api/x")
    assert request_context("no id in here", regex=regex).request_id is None


def _finding(**overrides: object) -> Finding:
    fields: dict[str, object] = {
        "kind": "missing_index",
        "severity": "warning",
        "summary": "COLLSCAN on travel.leads",
        "suggestion": 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})',
        "namespace": "travel.leads",
        "fingerprint": 'db.leads.find({"status":"?"})',
        "evidence": {"count": 3, "docs_examined": 3000, "example": {"status": "?"}},
        "first_seen": datetime(2026, 1, 1, tzinfo=UTC),
        "last_seen": datetime(2026, 1, 2, tzinfo=UTC),
        "index": (("tenant", 1), ("status", 1), ("createdAt", -1)),
    }
    fields.update(overrides)
    return Finding(**fields)  # type: ignore[arg-type]


def test_finding_id_is_stable_and_identity_only() -> None:
    a = _finding()
    b = _finding(summary="other words", severity="critical", evidence={"count": 99})
    assert a.id == b.id == finding_id("missing_index", "travel.leads", None, a.fingerprint)
    assert a.id != _finding(namespace="travel.customers").id
    assert a.id != _finding(endpoint="GET /api/leads").id
    assert re.fullmatch(r"[0-9a-f]{16}", a.id)


def test_finding_round_trip_and_schema() -> None:
    finding = _finding()
    data = finding.to_dict()
    jsonschema.validate(data, load("finding"))
    assert data["index"] == [["tenant", 1], ["status", 1], ["createdAt", -1]]
    assert data["first_seen"] == "2026-01-01T00:00:00Z"
    assert Finding.from_dict(data) == finding


def test_finding_schema_rejects_bad_kind() -> None:
    data = _finding().to_dict()
    data["kind"] = "slow_thing"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load("finding"))


def test_finding_validates_its_fields() -> None:
    with pytest.raises(ValueError, match="kind"):
        _finding(kind="slow_thing")
    with pytest.raises(ValueError, match="needs its index"):
        _finding(index=None)
    with pytest.raises(ValueError, match="severity"):
        _finding(severity="high")
