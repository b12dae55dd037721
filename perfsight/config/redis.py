"""``[redis]``: the cache server(s) whose hit ratio perfsight reports."""

from __future__ import annotations

from perfsight.config.base import Table, setting


class RedisSettings(Table):
    url: str | None = setting(
        None,
        "Main Redis server, e.g. redis://127.0.0.1:6379/0. Unset: no Redis collector.",
        secret=True,
    )
    instances: dict[str, str] = setting(
        dict,
        'Extra named Redis servers: name = URL (e.g. sessions = "redis://10.0.0.5:6379").',
        secret=True,
    )
    socket_timeout: float = setting(2.0, "Seconds to wait for a Redis reply.", gt=0)
