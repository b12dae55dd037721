"""``[target]``: the HTTP API under test, and where traffic may be sent at all."""

from __future__ import annotations

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration, HttpUrl


class TargetSettings(Table):
    base_url: HttpUrl = setting(None, "Base URL of the API under test, e.g. http://127.0.0.1:8000.")
    allowed_hosts: list[str] = setting(
        list,
        "Hosts besides loopback that perfsight may send traffic to (names, '*' wildcards, IPs "
        "or CIDR networks). Probes and load runs refuse any other host.",
    )
    list_endpoints: list[str] = setting(
        list, "GET list endpoints to probe for pagination, compression and field selection."
    )
    static_assets: list[str] = setting(
        list, "Static asset paths to probe for a long-lived Cache-Control header."
    )
    openapi: str | None = setting(
        None, "OpenAPI document (URL or file) to read the GET list endpoints from."
    )
    headers: dict[str, str] = setting(
        dict,
        "HTTP headers sent with every probe and load request (e.g. Authorization).",
        secret=True,
    )
    timeout: Duration = setting("10s", "Timeout of each probe request.")
    max_page_size: int = setting(
        100, "A list response longer than this is unpaginated (MongoDB's API rules: 100).", gt=0
    )
    probe_max_requests: int = setting(
        100, "Most HTTP requests one probe run sends (the OpenAPI document included).", gt=0
    )
    compress_min_bytes: int = setting(
        1024,
        "A probed response larger than this that is not compressed for Accept-Encoding: gzip "
        "is reported.",
        ge=0,
    )
    static_min_max_age: Duration = setting(
        "7d",
        "A static asset needs Cache-Control max-age (or s-maxage) of at least this (PageSpeed: "
        "a week to a year).",
    )
