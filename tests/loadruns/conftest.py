"""Fixtures of the load-run tests: an isolated working directory and config, and a reaper that
stops every process a test started, by pid, even when the test fails."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from perfsight.config import Settings, load_config

ConfigWriter = Callable[..., Settings]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PERFSIGHT_") or name in ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"):
            monkeypatch.delenv(name)


@pytest.fixture
def write_config(tmp_path: Path) -> ConfigWriter:
    """``write_config(text)`` writes perfsight.toml (store in tmp_path) and returns its settings."""

    def write(text: str = "", *, store: bool = True) -> Settings:
        head = f'[store]\nurl = "sqlite:///{tmp_path / "perfsight.db"}"\n' if store else ""
        (tmp_path / "perfsight.toml").write_text(head + text)
        return load_config(tmp_path / "perfsight.toml")

    return write


def scenario_toml(
    base_url: str, *routes: tuple[str, int], users: int = 3, run_time: str = "3s", extra: str = ""
) -> str:
    """A [target] and [load] with one GET scenario entry per ``(path, weight)``."""
    entries = "".join(f'[[load.scenario]]\npath = "{p}"\nweight = {w}\n' for p, w in routes)
    return (
        f'[target]\nbase_url = "{base_url}"\n'
        f'[load]\nusers = {users}\nspawn_rate = 50\nrun_time = "{run_time}"\n{extra}\n{entries}'
    )


class Reaper:
    """Kills, at teardown, the processes (and their groups) a test registered, by pid."""

    def __init__(self) -> None:
        self.pids: list[int] = []

    def add(self, pid: int | None) -> None:
        if pid:
            self.pids.append(pid)

    def add_run_generator(self, summary: Any) -> None:
        """The Locust pid a run recorded in its (partial) summary."""
        if isinstance(summary, dict):
            self.add((summary.get("generator") or {}).get("pid"))

    def reap(self) -> None:
        for pid in self.pids:
            try:
                proc = psutil.Process(pid)
                family = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                continue  # already gone: nothing of ours to stop
            for member in family:
                with contextlib.suppress(psutil.Error):
                    member.kill()
            with contextlib.suppress(psutil.Error):
                psutil.wait_procs(family, timeout=10)


@pytest.fixture
def reaper() -> Iterator[Reaper]:
    reaper = Reaper()
    try:
        yield reaper
    finally:
        reaper.reap()
