"""``[redis]``: the cache server(s) whose hit ratio perfsight reports."""

from __future__ import annotations

import re

from pydantic import field_validator

from perfsight.config.base import Table, setting
from perfsight.config.validators import RedisUrl, redis_url

MAIN_INSTANCE = "main"
_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


class RedisSettings(Table):
    url: RedisUrl = setting(
        None,
        "Main Redis server, e.g. redis://127.0.0.1:6379/0 (rediss:// for TLS, unix:// for a "
        "socket). Reported as instance 'main'. Unset: no Redis collector.",
        secret=True,
    )
    instances: dict[str, str] = setting(
        dict,
        'Extra named Redis servers: name = URL (e.g. sessions = "redis://10.0.0.5:6379").',
        secret=True,
    )
    socket_timeout: float = setting(
        2.0, "Seconds to wait for a Redis connection and for each reply.", gt=0
    )

    @field_validator("instances")
    @classmethod
    def _instances(cls, value: dict[str, str]) -> dict[str, str]:
        for name, url in value.items():
            if name == MAIN_INSTANCE:
                raise ValueError(f"{name!r} is the name of [redis] url; pick another name")
            if not _NAME.match(name):
                raise ValueError(f"instance name {name!r}: use letters, digits, '_', '.', '-'")
            try:
                redis_url(url)
            except ValueError as exc:
                raise ValueError(f"instance {name!r}: {exc}") from None
        return value

    def urls(self) -> dict[str, str]:
        """Every configured instance by name, the main one first."""
        named = {MAIN_INSTANCE: self.url} if self.url else {}
        return {**named, **self.instances}
