"""How one sample API process is set up: mode, data size, its Redis, its profile file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from perfsight.demo.indexes import Mode

DEFAULT_PROFILE_FILE = Path(".perfsight/demo/system.profile.jsonl")
DEFAULT_REDIS_PREFIX = "perfsight-demo:"


def default_profile_file(explicit: str | Path | None, profile_files: Sequence[str]) -> Path:
    """Where the simulated profiler writes: the option, else the first ``[mongo]
    profile_files`` entry (so perfsight reads what the API writes), else the default."""
    if explicit is not None:
        return Path(explicit)
    return Path(profile_files[0]) if profile_files else DEFAULT_PROFILE_FILE


@dataclass(frozen=True, slots=True)
class DemoConfig:
    mode: Mode = "before"
    size: str = "small"
    redis_url: str | None = None
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    # mongomock mode writes the simulated profile here; None writes none.
    profile_file: Path | None = DEFAULT_PROFILE_FILE
    profile_max_bytes: int = 64 * 1024 * 1024
    mongodb_uri: str | None = None
    database: str = "travel"
    # How long the synchronous "SMTP" exchange of POST /api/quotes takes in before mode.
    smtp_ms: int = 300
    # mongomock mode: the simulated network round trip of each database operation.
    db_rtt_ms: float = 2.0
    default_page_size: int = 20
    max_page_size: int = 100
    pricing_ttl_seconds: int = 3600
