"""``python -m perfsight.demo.server``: settings from the command line, else perfsight's config;
a mistake is a message and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from perfsight.demo.config import DEFAULT_PROFILE_FILE
from perfsight.demo.server import config_from, main, parser


def test_defaults_come_from_perfsight_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PERFSIGHT_MONGO__PROFILE_FILES", '["profiles/app.jsonl", "other.jsonl"]')
    monkeypatch.setenv("PERFSIGHT_REDIS__URL", "redis://127.0.0.1:6399/2")
    config = config_from(parser().parse_args(["--mode", "after"]))
    assert config.profile_file == tmp_path / "profiles/app.jsonl"
    assert config.redis_url == "redis://127.0.0.1:6399/2"
    explicit = config_from(
        parser().parse_args(["--profile-file", "x.jsonl", "--redis-url", "redis://h:1/0"])
    )
    assert explicit.profile_file == tmp_path / "x.jsonl"
    assert explicit.redis_url == "redis://h:1/0"


def test_without_config_the_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = config_from(parser().parse_args([]))
    assert config.profile_file == (tmp_path / DEFAULT_PROFILE_FILE)
    assert config.mode == "before" and config.size == "small"


def test_after_without_redis_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--mode", "after", "--profile-file", "p.jsonl"]) == 2
    assert "after mode caches in Redis" in capsys.readouterr().err


def test_bad_config_is_exit_2_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "perfsight.demo.server", "--port", "1"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PERFSIGHT_CONFIG": str(tmp_path / "missing.toml")},
    )  # fmt: skip
    assert result.returncode == 2
    assert "missing.toml" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_redis_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from perfsight.services import free_port

    monkeypatch.chdir(tmp_path)
    url = f"redis://127.0.0.1:{free_port()}/0"
    assert main(["--mode", "after", "--redis-url", url]) == 2
    assert "cannot reach Redis" in capsys.readouterr().err
