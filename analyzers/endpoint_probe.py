"""Findings from the HTTP probe's records: ``unpaginated_endpoint``, ``uncompressed_response``
and ``missing_cache_control``. Pure: the probe (``collectors/http_probe.py``) does the I/O.

- A list is unpaginated when it returns more than ``[target] max_page_size`` items (default 100,
  MongoDB's API rules; OWASP API4:2023 asks every array for a maximum), or when it ignores
  ``limit=1`` / ``page_size=1`` / ``per_page=1`` and says nothing of pages (no ``next``,
  ``cursor``, ``total``… beside the list, no ``Link: rel=next``).
- A response over ``[target] compress_min_bytes`` (1 KB) sent without a content-encoding for
  ``Accept-Encoding: gzip`` is uncompressed (formats that are compressed already excepted).
- A static asset needs ``Cache-Control`` with ``max-age`` or ``s-maxage`` of at least
  ``[target] static_min_max_age`` (7 days: PageSpeed's minimum) and neither ``no-store``,
  ``no-cache`` nor ``private`` (a CDN must be allowed to keep it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from analyzers.allowlist import AllowList
from collectors.http_probe import PAGING_PARAMS, EndpointProbe, ProbeReport
from perfsight.config import Settings
from perfsight.durations import format_duration, parse_duration
from perfsight.models import Finding, Severity

COMPRESSED = frozenset({"gzip", "br", "deflate", "zstd", "compress"})
# Formats compressed by themselves: gzip would only cost CPU.
PRECOMPRESSED = ("image/", "video/", "audio/", "font/woff", "application/zip", "application/gzip")
_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


def probe_findings(
    probes: Iterable[EndpointProbe],
    *,
    max_page_size: int = 100,
    compress_min_bytes: int = 1024,
    static_min_max_age: str = "7d",
    allow: AllowList | None = None,
) -> list[Finding]:
    allow = allow or AllowList()
    min_age = parse_duration(static_min_max_age)
    found: list[Finding] = []
    for probe in probes:
        if probe.error or probe.skipped or allow.allows(endpoint=probe.endpoint):
            continue
        if probe.kind == "list":
            unpaged = unpaginated(probe, max_page_size)
            if unpaged is not None:
                found.append(unpaged)
        if probe.kind == "static":
            cache = missing_cache_control(probe, min_age)
            if cache is not None:
                found.append(cache)
        plain = uncompressed(probe, compress_min_bytes)
        if plain is not None:
            found.append(plain)
    return found


def _evidence(probe: EndpointProbe, **extra: Any) -> dict[str, Any]:
    return {
        "url": probe.url,
        "status": probe.status,
        "response_bytes": probe.response_bytes,
        "wire_bytes": probe.wire_bytes,
        "content_type": probe.content_type,
        "content_encoding": probe.content_encoding,
        **extra,
    }


def unpaginated(probe: EndpointProbe, max_page_size: int) -> Finding | None:
    if probe.items is None:
        return None
    over = probe.items > max_page_size
    answered = any(count is not None for count in probe.paging_tried.values())
    ignores = answered and probe.paging_param is None
    if not over and not (ignores and not probe.paging_metadata):
        return None
    reasons = []
    if over:
        reasons.append(f"returns {probe.items} items in one response (more than {max_page_size})")
    if ignores:
        tried = "/".join(f"{p}=1" for p in probe.paging_tried)
        reasons.append(f"ignores {tried}")
    severity: Severity = "critical" if over and ignores else "warning"
    return Finding(
        kind="unpaginated_endpoint",
        severity=severity,
        summary=f"Unpaginated list {probe.endpoint}: " + " and ".join(reasons),
        suggestion=(
            f"Page the list: accept limit (default 20–50, at most {max_page_size}) and a cursor, "
            "answer {items: [...], next: <cursor>}, and in MongoDB run "
            ".find(filter).sort({_id: 1}).limit(limit) from the cursor's _id (keyset "
            "pagination). OWASP API4:2023 asks every array response for a maximum size."
        ),
        endpoint=probe.endpoint,
        evidence=_evidence(
            probe,
            items=probe.items,
            max_page_size=max_page_size,
            list_key=probe.list_key,
            paging_tried=dict(probe.paging_tried),
            paging_metadata=list(probe.paging_metadata),
            fields_honoured=probe.fields_honoured,
            tried_params=list(PAGING_PARAMS),
        ),
        first_seen=probe.checked_at,
        last_seen=probe.checked_at,
    )


def uncompressed(probe: EndpointProbe, min_bytes: int) -> Finding | None:
    size = probe.response_bytes or 0
    encoding = (probe.content_encoding or "").lower()
    ctype = (probe.content_type or "").lower()
    if size <= min_bytes or any(e.strip() in COMPRESSED for e in encoding.split(",")):
        return None
    if ctype.startswith(PRECOMPRESSED):
        return None
    return Finding(
        kind="uncompressed_response",
        severity="warning",
        summary=(
            f"Uncompressed response from {probe.endpoint}: {size} bytes sent as they are "
            "although the request accepted gzip"
        ),
        suggestion=(
            "Compress responses over 1 KB: Express app.use(compression()), Starlette/FastAPI "
            "GZipMiddleware(minimum_size=1024), or at the proxy (nginx: gzip on; gzip_types "
            "application/json text/css application/javascript;). JSON typically shrinks 5–10×."
        ),
        endpoint=probe.endpoint,
        evidence=_evidence(probe, min_bytes=min_bytes),
        first_seen=probe.checked_at,
        last_seen=probe.checked_at,
    )


def cache_lifetime(cache_control: str | None) -> tuple[float | None, list[str]]:
    """The longest max-age/s-maxage in seconds and the directives that forbid shared caching."""
    if not cache_control:
        return None, []
    ages = [float(m.group(2)) for m in _MAX_AGE.finditer(cache_control)]
    directives = {part.strip().split("=")[0].lower() for part in cache_control.split(",")}
    blocking = sorted(directives & {"no-store", "no-cache", "private"})
    return (max(ages) if ages else None), blocking


def missing_cache_control(probe: EndpointProbe, min_age: float) -> Finding | None:
    age, blocking = cache_lifetime(probe.cache_control)
    if age is not None and age >= min_age and not blocking:
        return None
    if probe.cache_control is None:
        problem = "no Cache-Control header"
    elif blocking:
        problem = f"Cache-Control {probe.cache_control!r} forbids shared caching"
    elif age is None:
        problem = f"Cache-Control {probe.cache_control!r} sets no max-age"
    else:
        problem = f"max-age of {format_duration(age)} (under {format_duration(min_age)})"
    return Finding(
        kind="missing_cache_control",
        severity="warning",
        summary=f"Static asset {probe.endpoint} cannot be kept by a CDN or browser: {problem}",
        suggestion=(
            "Serve fingerprinted static files with Cache-Control: public, max-age=31536000, "
            "immutable (Express: express.static(dir, {maxAge: '1y', immutable: true})) and put "
            "a CDN in front; give files that keep their name a shorter max-age plus an ETag."
        ),
        endpoint=probe.endpoint,
        evidence=_evidence(
            probe, cache_control=probe.cache_control, min_max_age_seconds=min_age, max_age=age
        ),
        first_seen=probe.checked_at,
        last_seen=probe.checked_at,
    )


def findings_for_settings(settings: Settings, report: ProbeReport) -> list[Finding]:
    """The findings of a probe run under ``settings`` (its thresholds and allow-lists)."""
    target = settings.target
    return probe_findings(
        report.probes,
        max_page_size=target.max_page_size,
        compress_min_bytes=target.compress_min_bytes,
        static_min_max_age=target.static_min_max_age,
        allow=AllowList.from_settings(settings.analysis),
    )
