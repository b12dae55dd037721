"""What the HTTP probe calls: ``[target] list_endpoints`` and ``static_assets`` (a path, an
endpoint key ``GET /path``, or an absolute URL), and the GET list endpoints of an OpenAPI
document. Each target knows its endpoint key and, when it cannot be called, why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from perfsight.errors import ConfigError
from perfsight.models import endpoint_key, split_endpoint_key

TargetKind = Literal["list", "static"]


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    endpoint: str  # "GET /api/bookings": the key findings carry
    url: str  # absolute
    kind: TargetKind
    origin: str  # where it was named: "[target] list_endpoints", "openapi", "--probe-endpoint"
    skip: str | None = None


def _absolute(base_url: str | None, path: str, origin: str) -> str:
    if "://" in path:
        return path
    if not base_url:
        raise ConfigError(
            f"{path!r} (from {origin}) is a path, and [target] base_url is not set: set it to "
            "the API's address (e.g. http://127.0.0.1:8000) or give absolute URLs",
            source="target.base_url",
        )
    return urljoin(base_url.rstrip("/") + "/", path.lstrip("/"))


def target_from_entry(
    entry: str, *, kind: TargetKind, base_url: str | None, origin: str
) -> ProbeTarget:
    """``/api/bookings``, ``GET /api/bookings?status=open`` or ``http://host/api/bookings``."""
    method, rest = split_endpoint_key(entry)
    url = _absolute(base_url, rest, origin)
    path = urlsplit(url).path or "/"
    key = endpoint_key(method or "GET", path)
    skip = None
    if method not in (None, "GET"):
        skip = f"only GET endpoints are probed (this one is {method})"
    elif "{" in path:
        skip = "its path has parameters: name a concrete path (e.g. /api/itineraries/42/days)"
    return ProbeTarget(key, url, kind, origin, skip)


def targets_from_settings(
    base_url: str | None,
    list_endpoints: Iterable[str],
    static_assets: Iterable[str],
    *,
    list_origin: str = "[target] list_endpoints",
) -> list[ProbeTarget]:
    targets = [
        target_from_entry(e, kind="list", base_url=base_url, origin=list_origin)
        for e in list_endpoints
    ]
    targets += [
        target_from_entry(e, kind="static", base_url=base_url, origin="[target] static_assets")
        for e in static_assets
    ]
    return targets


def dedupe(targets: Iterable[ProbeTarget]) -> list[ProbeTarget]:
    """One target per (kind, URL); the first naming wins (config before the OpenAPI document)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for target in targets:
        if (target.kind, target.url) not in seen:
            seen.add((target.kind, target.url))
            out.append(target)
    return out
