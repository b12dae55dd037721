"""Shared handles of the dashboard process: settings and the store, opened once per config.

Cached per config file path (not once per process), so a process serving several configs —
the tests' AppTest runs — never mixes them up.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from perfsight.config import Settings, load_config
from perfsight.store import Store


def _config_key() -> str:
    return os.environ.get("PERFSIGHT_CONFIG") or str(Path("perfsight.toml").resolve())


@st.cache_resource
def _settings(config: str) -> Settings:
    return load_config(config if Path(config).exists() else None)


@st.cache_resource
def _store(url: str) -> Store:
    return Store(url)


def settings() -> Settings:
    return _settings(_config_key())


def store() -> Store:
    return _store(settings().store.url)
