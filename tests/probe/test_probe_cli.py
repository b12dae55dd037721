"""`perfsight analyze --probe`: tables or JSON on stdout, findings in the store, exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from perfsight.cli.main import main
from perfsight.store import Store
from perfsight.store.findings import list_findings
from tests.conftest import AppServer


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PERFSIGHT_"):
            monkeypatch.delenv(name)


def write_config(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    config = tmp_path / "perfsight.toml"
    config.write_text(
        f"""
[target]
base_url = "{base_url}"
list_endpoints = ["/api/bookings", "/api/bookings-unpaged", "/api/html"]
static_assets = ["/static/plain.js"]
timeout = "2s"
{extra}
[store]
url = "sqlite:///{tmp_path / "store.db"}"
"""
    )
    return config


def test_probe_prints_json_and_stores_findings(
    probe_api: AppServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, probe_api.url)
    assert main(["analyze", "--probe", "--probe-json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    endpoints = {p["endpoint"]: p for p in payload["probe"]["endpoints"]}
    assert endpoints["GET /api/html"]["error"].startswith("HTML instead of JSON")
    assert endpoints["GET /api/bookings-unpaged"]["items"] == 250
    kinds = sorted((f["kind"], f["endpoint"]) for f in payload["findings"])
    assert kinds == [
        ("missing_cache_control", "GET /static/plain.js"),
        ("uncompressed_response", "GET /api/bookings-unpaged"),
        ("uncompressed_response", "GET /static/plain.js"),
        ("unpaginated_endpoint", "GET /api/bookings-unpaged"),
    ]
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        stored = list_findings(store, origin_prefix="probe")
    assert sorted(s.finding.id for s in stored) == sorted(f["id"] for f in payload["findings"])


def test_probe_prints_a_table(
    probe_api: AppServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    write_config(tmp_path, probe_api.url)
    assert main(["analyze", "--probe", "--probe-no-store", "--probe-endpoint", "/api/tags"]) == 0
    text = capsys.readouterr().out
    assert "GET /api/bookings-unpaged" in text and "GET /api/tags" in text
    assert "unpaginated_endpoint" in text and "HTML instead of JSON" in text
    assert not (tmp_path / "store.db").exists()


def test_a_host_outside_allowed_hosts_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, "http://api.example.com")
    assert main(["analyze", "--probe"]) == 2
    assert "refusing to send traffic to 'api.example.com'" in capsys.readouterr().err


def test_a_bad_base_url_override_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, "http://127.0.0.1:9")
    assert main(["analyze", "--probe", "--probe-base-url", "ftp://x"]) == 2
    assert "--probe-base-url" in capsys.readouterr().err


def test_an_unreadable_openapi_document_exits_2_after_probing_the_rest(
    probe_api: AppServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, probe_api.url)
    code = main(["analyze", "--probe", "--probe-no-store", "--probe-openapi", "nope.yaml"])
    captured = capsys.readouterr()
    assert code == 2
    assert "nope.yaml" in captured.err and "cannot read" in captured.err
    assert "GET /api/bookings-unpaged" in captured.out


def test_analyze_without_probe_or_files_says_what_to_give(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["analyze"]) == 2
    assert "nothing to analyze" in capsys.readouterr().err
