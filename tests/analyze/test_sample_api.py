"""The index advisor on the sample API's recorded profile: leads filtered by status and sorted
by createdAt have no index in `before` (the plan's compound index is suggested) and have it
in `after` (nothing suggested)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from perfsight.cli.main import main
from tests.support.recording import record_profile

pytestmark = pytest.mark.slow


def _leads(client: httpx.Client) -> None:
    for status in ("new", "contacted", "qualified", "new"):
        client.get("/api/leads", params={"status": status, "limit": 20}).raise_for_status()


def _analyze(profile: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(["analyze", "--no-store", "--profile-file", str(profile), "--format", "json"]) == 0
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return [
        f for f in findings if f["kind"] == "missing_index" and f["namespace"].endswith(".leads")
    ]


def test_before_mode_gets_the_leads_index(
    sample_api_before: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = record_profile(sample_api_before, _leads, tmp_path / "before.jsonl")
    [finding] = _analyze(profile, capsys)
    assert finding["index"] == [["tenantId", 1], ["status", 1], ["createdAt", -1]]
    assert 'createIndex({"tenantId": 1, "status": 1, "createdAt": -1})' in finding["suggestion"]
    evidence = finding["evidence"]
    assert evidence["executions"] == 4 and evidence["collection_scans"] == 4
    assert evidence["total_ms"] > 0  # what ranks it in the fix-first list


def test_after_mode_needs_no_index(
    sample_api_after: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = record_profile(sample_api_after, _leads, tmp_path / "after.jsonl")
    assert profile.stat().st_size > 0
    assert _analyze(profile, capsys) == []
