"""``perfsight dashboard``: the password hash helper and the warning on a non-loopback host."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from perfsight.cli.dashboard import streamlit_command
from perfsight.passwords import verify_password


def _hash(password_line: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfsight", "dashboard", "--hash-password"],
        input=password_line,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
    )


def test_hash_password_prints_a_config_line_that_verifies(tmp_path: Path) -> None:
    result = _hash("open sesame\n", tmp_path)
    assert result.returncode == 0, result.stderr
    stored = tomllib.loads(result.stdout)["dashboard"]["password_hash"]
    assert verify_password("open sesame", stored)
    assert "open sesame" not in result.stdout


def test_an_empty_password_is_refused(tmp_path: Path) -> None:
    result = _hash("\n", tmp_path)
    assert result.returncode == 2
    assert "empty password" in result.stderr


def test_streamlit_binds_the_address_it_is_given() -> None:
    argv = streamlit_command("127.0.0.1", 8599)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--server.port") + 1] == "8599"
