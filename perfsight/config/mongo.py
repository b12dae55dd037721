"""``[mongo]``: where query events come from."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration, Regex


class MongoSettings(Table):
    uri: str | None = setting(
        None,
        "MongoDB connection string for the live profiler (e.g. mongodb://user:pw@host:27017). "
        "Unset: no live profiler. The password is never printed.",
        secret=True,
    )
    databases: list[str] = setting(list, "Databases whose system.profile the live profiler reads.")
    profile_files: list[str] = setting(
        list,
        "Files of system.profile documents (JSON array or JSON lines, Extended JSON) read "
        "incrementally by collect, load runs and reports. The sample API writes to the first.",
    )
    log_files: list[str] = setting(
        list, "mongod logv2 files (.log or .gz) whose slow-query lines reports read."
    )
    server_selection_timeout_ms: int = setting(
        5000, "pymongo serverSelectionTimeoutMS: how long to look for a server.", gt=0
    )
    socket_timeout_ms: int = setting(10000, "pymongo socketTimeoutMS for every call.", gt=0)
    max_time_ms: int = setting(5000, "maxTimeMS set on every read of system.profile.", gt=0)
    profile_level: Literal[0, 1, 2] | None = setting(
        None,
        "Profiling level to set for a bounded window (then restored). Unset: never changed. "
        "Level 2 records every operation: use it only for a bounded window.",
    )
    slowms: int | None = setting(
        None, "slowms to set together with profile_level (then restored).", ge=0
    )
    profile_window: Duration = setting(
        "10m",
        "perfsight collect: how long profile_level stays set before the previous level is "
        "restored (collection goes on). analyze --live --for and load runs restore it at their "
        "own end.",
    )
    poll_interval: Duration = setting("5s", "How often the live profiler reads system.profile.")
    comment_rid_key: str = setting("rid", "Key of the request id in a document query comment.")
    comment_route_key: str = setting(
        "route", "Key of the endpoint key (METHOD /route) in a document query comment."
    )
    comment_regex: Regex = setting(
        None,
        "Regex for plain-string comments: the named group 'rid' (else the whole match) is the "
        "request id, an optional group 'route' the endpoint key.",
    )
    raw_examples: bool = setting(
        False, "Keep query examples with their literal values (default: literals redacted)."
    )
    redact_fields: list[str] = Field(
        default_factory=list,
        description="Extra field names whose values are always redacted in examples.",
    )
