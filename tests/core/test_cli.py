from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from perfsight import __version__, compiled
from perfsight.cli.main import main


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PERFSIGHT_"):
            monkeypatch.delenv(name)


def test_version_and_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "perfsight", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"perfsight {__version__} ({compiled.summary()})"
    helped = subprocess.run(
        [sys.executable, "-m", "perfsight", "--help"], capture_output=True, text=True, timeout=60
    )
    for command in ("analyze", "collect", "loadcheck", "report", "schedule", "dashboard", "demo"):
        assert command in helped.stdout


@pytest.mark.parametrize(
    "command",
    [
        "analyze",
        "collect",
        "loadcheck",
        "report",
        "schedule",
        "dashboard",
        "demo",
        "config",
        "store",
    ],
)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: perfsight" in capsys.readouterr().out


def test_config_init_then_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "init"]) == 0
    assert (tmp_path / "perfsight.toml").exists()
    assert main(["config", "init"]) == 2  # never overwrites silently
    assert "--force" in capsys.readouterr().err
    assert main(["config", "show"]) == 0
    shown = capsys.readouterr().out
    assert tomllib.loads(shown)["store"]["url"] == "sqlite:///.perfsight/perfsight.db"


def test_config_show_redacts_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "perfsight.toml").write_text(
        '[mongo]\nuri = "mongodb://app:hunter2@db:27017/travel"\n'
        '[target]\nheaders = { Authorization = "Bearer tok-123" }\n'
        '[[load.scenario]]\npath = "/api/x"\nheaders = { X-Api-Key = "key-456" }\n'
    )
    assert main(["config", "show"]) == 0
    shown = capsys.readouterr().out
    for secret in ("hunter2", "tok-123", "key-456"):
        assert secret not in shown
    assert "mongodb://app:***@db:27017/travel" in shown
    assert main(["config", "show", "--format", "json"]) == 0
    assert "hunter2" not in capsys.readouterr().out


def test_bad_config_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "perfsight.toml").write_text("[load]\nusers = 0\n")
    assert main(["config", "show"]) == 2
    message = capsys.readouterr().err
    assert "load.users" in message and "line 2" in message


def test_bad_env_override_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERFSIGHT_STORE__RETENTION", "forever")
    assert main(["config", "show"]) == 2
    assert "PERFSIGHT_STORE__RETENTION" in capsys.readouterr().err


def test_store_info_and_prune(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "info"]) == 0
    assert "load_runs" in capsys.readouterr().out
    assert main(["store", "prune", "--older-than", "30d"]) == 0
    assert main(["store", "prune", "--older-than", "soon"]) == 2


def test_a_command_not_built_says_so_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from perfsight.cli import notbuilt
    from perfsight.errors import NotBuiltError

    with pytest.raises(NotBuiltError, match="'perfsight future' is not built yet"):
        notbuilt.handler("future")(argparse.Namespace())


def test_cli_reference_is_generated_from_the_parser() -> None:
    from perfsight.cli.reference import reference_markdown

    written = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    assert written == reference_markdown(), (
        "docs/cli.md is out of date: regenerate it with "
        "'python -m perfsight.cli.reference > docs/cli.md'"
    )
