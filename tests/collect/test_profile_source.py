"""`perfsight collect` follows the profile files: each sample reads only what was appended
since the stored cursor, adds it to the shape statistics and stores its findings; a file
rewritten from scratch is read again from the start; a missing one is a source that is down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from perfsight.cli.main import main
from perfsight.store import Store, findings
from perfsight.store.shapes import load_shape_stats
from tests.support.recording import record_profile

pytestmark = pytest.mark.slow


def _leads(client: httpx.Client) -> None:
    for status in ("new", "contacted", "qualified", "won", "lost", "new"):
        client.get("/api/leads", params={"status": status, "limit": 20}).raise_for_status()


@pytest.fixture
def recorded(sample_api_before: Any, tmp_path: Path) -> list[bytes]:
    profile = record_profile(sample_api_before, _leads, tmp_path / "recorded.jsonl")
    lines = profile.read_bytes().splitlines(keepends=True)
    assert len(lines) >= 6
    return lines


def _collect(config: Path) -> int:
    return main(["--config", str(config), "collect", "--once", "--quiet"])


def _leads_count(store: Store) -> int:
    return sum(s.count for s in load_shape_stats(store) if s.namespace.endswith(".leads"))


def test_appended_lines_are_read_once(recorded: list[bytes], tmp_path: Path) -> None:
    live = tmp_path / "live.jsonl"
    config = tmp_path / "perfsight.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "s.db"}"\n[mongo]\nprofile_files = ["{live}"]\n'
    )
    half = len(recorded) // 2
    live.write_bytes(b"".join(recorded[:half]))
    assert _collect(config) == 0
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        first = _leads_count(store)
    with live.open("ab") as handle:
        handle.write(b"".join(recorded[half:]))
    assert _collect(config) == 0
    assert _collect(config) == 0  # nothing new: nothing counted twice
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        total = _leads_count(store)
        kinds = {f.finding.kind for f in findings.list_findings(store)}
    assert 0 < first < total == 6
    assert "missing_index" in kinds
    # Rewritten from scratch (a rotation): noticed, read from the start again.
    live.write_bytes(b"".join(recorded[:2]))
    assert _collect(config) == 0
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        assert _leads_count(store) == total + sum(b'"leads"' in line for line in recorded[:2])


def test_a_missing_profile_file_is_a_source_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "perfsight.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "s.db"}"\n'
        f'[mongo]\nprofile_files = ["{tmp_path / "nope.jsonl"}"]\n'
    )
    assert main(["--config", str(config), "collect", "--once"]) == 2
    printed = capsys.readouterr().out
    assert "profile:nope.jsonl" in printed and "DOWN" in printed
