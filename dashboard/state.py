"""Shared handles of the dashboard process: settings and the store, opened once per config.

Cached per config file path (not once per process), so a process serving several configs —
the tests' AppTest runs — never mixes them up.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import streamlit as st

from perfsight.config import Settings, load_config
from perfsight.config.redact import secret_values
from perfsight.store import Store


def config_file() -> Path | None:
    """The config file the dashboard reads (and hands to the runs it starts), if any."""
    path = Path(os.environ.get("PERFSIGHT_CONFIG") or "perfsight.toml").resolve()
    return path if path.exists() else None


def _config_key() -> str:
    return os.environ.get("PERFSIGHT_CONFIG") or str(Path("perfsight.toml").resolve())


@st.cache_resource
def _settings(config: str) -> Settings:
    return load_config(config if Path(config).exists() else None)


@st.cache_resource
def _store(url: str) -> Store:
    return Store(url)


@st.cache_resource
def _secrets(config: str) -> frozenset[str]:
    return frozenset(secret_values(_settings(config)))


def settings() -> Settings:
    return _settings(_config_key())


def store() -> Store:
    return _store(settings().store.url)


def secrets() -> frozenset[str]:
    """Every configured secret value, masked in any free text a page shows."""
    return _secrets(_config_key())


class Processes:
    """The load-check processes this dashboard started: polled so they are reaped (no
    zombies) and their exit codes recorded. The store, not this, is what viewers follow."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_token: dict[str, subprocess.Popen[bytes]] = {}

    def add(self, token: str, process: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.by_token[token] = process

    def finished(self) -> dict[str, int]:
        """Tokens of processes that ended since the last call, with their exit codes."""
        with self.lock:
            done = {t: p.returncode for t, p in self.by_token.items() if p.poll() is not None}
            for token in done:
                del self.by_token[token]
        return done


@st.cache_resource
def processes() -> Processes:
    return Processes()
