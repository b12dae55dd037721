"""Deliver a report's JSON summary to a webhook: bounded time, failure reported, token never
logged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from perfsight.config.redact import redact_url


def post_summary(url: str, payload: Mapping[str, Any], *, timeout: float) -> str | None:
    """POST ``payload``; None when the receiver took it, else why not (URL redacted)."""
    shown = redact_url(url)
    try:
        response = httpx.post(url, json=dict(payload), timeout=timeout)
    except httpx.HTTPError as exc:
        # httpx puts the request URL in some messages: never let the token through.
        return f"webhook {shown}: {type(exc).__name__}: {str(exc).replace(url, shown)}"
    if response.status_code >= 300:
        return f"webhook {shown}: HTTP {response.status_code}"
    return None
