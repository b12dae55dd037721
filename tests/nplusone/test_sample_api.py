"""N+1 and pagination on the real sample API: its recorded profile and the HTTP probe find the
itinerary N+1, the unpaginated bookings (query and endpoint) and the missing compression in
`before`, and none of them in `after`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from perfsight.cli.main import main
from perfsight.demo.seed import TENANTS, object_id, tenant_of
from tests.support.recording import record_profile

pytestmark = pytest.mark.slow
ITINERARY = "GET /api/itineraries/{id}"
BOOKINGS = "GET /api/bookings"


def _traffic(client: httpx.Client) -> None:
    numbers = [i for i in range(10) if tenant_of(i) == TENANTS[0]][:3]
    for number in numbers:
        client.get(f"/api/itineraries/{object_id('itineraries', number)}").raise_for_status()
    client.get("/api/bookings").raise_for_status()


def _findings(api: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    profile = record_profile(api, _traffic, tmp_path / "profile.jsonl")
    (tmp_path / "perfsight.toml").write_text(
        f'[target]\nbase_url = "{api.url}"\nlist_endpoints = ["/api/bookings"]\n'
        '[analysis]\nn_plus_one_min_total = "0ms"\n'
    )
    code = main(
        [
            "--config",
            str(tmp_path / "perfsight.toml"),
            "analyze",
            "--no-store",
            "--profile-file",
            str(profile),
            "--probe",
            "--format",
            "json",
        ]
    )
    assert code == 0
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return findings


def test_before_mode_shows_the_planted_problems(
    sample_api_before: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings = _findings(sample_api_before, tmp_path, capsys)
    n_plus_one = [f for f in findings if f["kind"] == "n_plus_one"]
    assert {f["endpoint"] for f in n_plus_one} == {ITINERARY}
    namespaces = {f["namespace"].split(".")[1] for f in n_plus_one}
    assert namespaces == {"itinerary_days", "itinerary_services"}
    assert all(f["evidence"]["requests"] == 3 for f in n_plus_one)
    kinds = {(f["kind"], f["endpoint"]) for f in findings}
    assert ("unpaginated_endpoint", BOOKINGS) in kinds
    assert ("uncompressed_response", BOOKINGS) in kinds
    [query] = [f for f in findings if f["kind"] == "unpaginated_query"]
    assert query["namespace"].endswith(".bookings") and BOOKINGS in query["evidence"]["endpoints"]
    assert query["evidence"]["getmores"] == 1  # the getMore counts with the find that opened it


def test_after_mode_shows_none_of_them(
    sample_api_after: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings = _findings(sample_api_after, tmp_path, capsys)
    planted = {"n_plus_one", "unpaginated_endpoint", "unpaginated_query", "uncompressed_response"}
    assert [f for f in findings if f["kind"] in planted] == []
