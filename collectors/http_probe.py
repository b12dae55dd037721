"""The HTTP probe: calls the target's GET list endpoints and static assets and records what a
person checks by hand — is the list paged, how big is the response, is it compressed, is
``?fields=`` honoured, how long may a static asset be cached.

It checks ``allowed_hosts`` before anything is sent (the base URL up front; every request and
redirect again), sends at most ``[target] probe_max_requests`` requests with
``[target] timeout`` each, and reports a failing endpoint (non-JSON, HTML, 5xx, timeout, a host
outside allowed_hosts) in that endpoint's record without stopping the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from collectors.http_fetch import BudgetSpent, Exchange, Fetcher, FetchError
from collectors.json_list import JsonList, find_list
from collectors.openapi import list_endpoints, parse_document
from collectors.probe_targets import ProbeTarget, dedupe, target_from_entry, targets_from_settings
from perfsight.config.target import TargetSettings
from perfsight.durations import parse_duration
from perfsight.errors import ConfigError, InputError
from perfsight.models import iso, utcnow
from perfsight.safety import check_allowed

# Tried in this order with the value 1 until one shortens the list (the three first).
PAGING_PARAMS = ("limit", "page_size", "per_page", "pageSize")


@dataclass(frozen=True, slots=True)
class EndpointProbe:
    """What one endpoint answered. ``error``: why it could not be judged; ``skipped``: why it
    was not called at all."""

    endpoint: str
    url: str
    kind: str  # "list" | "static"
    origin: str
    checked_at: datetime | None = None
    skipped: str | None = None
    error: str | None = None
    status: int | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    response_bytes: int | None = None
    wire_bytes: int | None = None
    elapsed_ms: float | None = None
    items: int | None = None
    list_key: str | None = None
    paging_tried: Mapping[str, int | None] = field(default_factory=dict)
    paging_param: str | None = None
    paging_metadata: tuple[str, ...] = ()
    fields_honoured: bool | None = None
    cache_control: str | None = None
    requests: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["checked_at"] = iso(self.checked_at)
        data["paging_tried"] = dict(self.paging_tried)
        data["paging_metadata"] = list(self.paging_metadata)
        if self.elapsed_ms is not None:
            data["elapsed_ms"] = round(self.elapsed_ms, 1)
        return data


@dataclass(frozen=True, slots=True)
class ProbeReport:
    probes: tuple[EndpointProbe, ...]
    requests: int
    max_requests: int
    openapi: str | None = None
    openapi_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "max_requests": self.max_requests,
            "openapi": self.openapi,
            "openapi_error": self.openapi_error,
            "endpoints": [p.to_dict() for p in self.probes],
        }


class HttpProbe:
    def __init__(
        self,
        target: TargetSettings,
        *,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] = utcnow,
        extra_endpoints: Iterable[str] = (),
        openapi: str | None = None,
    ) -> None:
        self.target = target
        self.client = client
        self.clock = clock
        self.extra_endpoints = list(extra_endpoints)
        self.openapi = openapi or target.openapi
        self.timeout = parse_duration(target.timeout)

    def run(self) -> ProbeReport:
        if self.target.base_url:  # before anything is sent, the OpenAPI document included
            check_allowed(self.target.base_url, self.target.allowed_hosts)
        client = self.client or httpx.Client()
        try:
            fetcher = Fetcher(
                client,
                allowed_hosts=list(self.target.allowed_hosts),
                max_requests=self.target.probe_max_requests,
                timeout=self.timeout,
                headers=self.target.headers,
            )
            targets, openapi_error = self._targets(fetcher)
            probes = tuple(self._probe(t, fetcher) for t in targets)
        finally:
            if self.client is None:
                client.close()
        return ProbeReport(
            probes, fetcher.sent, self.target.probe_max_requests, self.openapi, openapi_error
        )

    # -- targets --------------------------------------------------------------------------------

    def _targets(self, fetcher: Fetcher) -> tuple[list[ProbeTarget], str | None]:
        base = self.target.base_url
        targets = targets_from_settings(base, self.target.list_endpoints, self.target.static_assets)
        targets += [
            target_from_entry(e, kind="list", base_url=base, origin="--probe-endpoint")
            for e in self.extra_endpoints
        ]
        openapi_error = None
        if self.openapi:
            try:
                targets += self._openapi_targets(fetcher, self.openapi)
            except (FetchError, InputError) as exc:
                openapi_error = f"OpenAPI document {self.openapi}: {exc}"
        if not targets and openapi_error is None:
            raise ConfigError(
                "nothing to probe: name GET list endpoints in [target] list_endpoints (or "
                "--probe-endpoint), static files in [target] static_assets, or an OpenAPI "
                "document in [target] openapi",
                source="target",
            )
        return dedupe(targets), openapi_error

    def _openapi_targets(self, fetcher: Fetcher, source: str) -> list[ProbeTarget]:
        base = self.target.base_url
        if "://" in source:
            exchange = fetcher.get(source)
            exchange.check_status()
            text: str | bytes = exchange.body
        else:
            try:
                text = Path(source).read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", source=source) from None
        doc = parse_document(text, source=source)
        found = []
        for endpoint in list_endpoints(doc):
            target = target_from_entry(endpoint.path, kind="list", base_url=base, origin="openapi")
            if endpoint.skip and not target.skip:
                target = ProbeTarget(target.endpoint, target.url, "list", "openapi", endpoint.skip)
            found.append(target)
        return found

    # -- probing ----------------------------------------------------------------------------------

    def _probe(self, target: ProbeTarget, fetcher: Fetcher) -> EndpointProbe:
        facts: dict[str, Any] = {}
        if target.skip:
            facts["skipped"] = target.skip
        else:
            before = fetcher.sent
            facts["checked_at"] = self.clock()
            try:
                first = fetcher.get(target.url)
                facts.update(_response_facts(first))
                first.check_status()
                if target.kind == "list":
                    _list_facts(first, target.url, fetcher, facts)
            except BudgetSpent as exc:
                facts["skipped" if fetcher.sent == before else "error"] = str(exc)
            except FetchError as exc:
                facts["error"] = str(exc)
            facts["requests"] = fetcher.sent - before
        return EndpointProbe(target.endpoint, target.url, target.kind, target.origin, **facts)


def _response_facts(exchange: Exchange) -> dict[str, Any]:
    return {
        "status": exchange.status,
        "content_type": exchange.content_type,
        "content_encoding": exchange.content_encoding,
        "response_bytes": len(exchange.body),
        "wire_bytes": exchange.wire_bytes,
        "elapsed_ms": exchange.elapsed_ms,
        "cache_control": exchange.headers.get("cache-control"),
    }


def _list_facts(first: Exchange, url: str, fetcher: Fetcher, facts: dict[str, Any]) -> None:
    """Adds to ``facts`` as it goes, so a budget spent half-way keeps what was learnt."""
    found = find_list(first.json())
    if found is None:
        raise FetchError(
            "no JSON list in the response (looked at the top level and under items, data, results…)"
        )
    metadata = list(found.paging_keys)
    if 'rel="next"' in first.headers.get("link", "").replace("'", '"'):
        metadata.append("Link: rel=next")
    tried: dict[str, int | None] = {}
    facts.update(
        items=len(found.items),
        list_key=found.key,
        paging_metadata=tuple(metadata),
        paging_tried=tried,
    )
    honoured = None
    if len(found.items) > 1:
        for param in PAGING_PARAMS:
            count = _list_length(fetcher, url, {param: "1"})
            tried[param] = count
            if count is not None and count <= 1:
                honoured = param
                break
    facts["paging_param"] = honoured
    facts["fields_honoured"] = _fields_honoured(fetcher, url, honoured, found)


def _list_length(fetcher: Fetcher, url: str, params: Mapping[str, str]) -> int | None:
    """The list's length with ``params``; None when that variant gave no list (e.g. a 400)."""
    items = _list_items(fetcher, url, params)
    return None if items is None else len(items)


def _list_items(fetcher: Fetcher, url: str, params: Mapping[str, str]) -> list[Any] | None:
    try:
        exchange = fetcher.get(url, params)
        exchange.check_status()
        found = find_list(exchange.json())
    except BudgetSpent:
        raise
    except FetchError:
        return None
    return None if found is None else found.items


def _fields_honoured(
    fetcher: Fetcher, url: str, paging_param: str | None, found: JsonList
) -> bool | None:
    """Whether ``?fields=<one field>`` trims the items; None when it cannot be told."""
    documents = [item for item in found.items if isinstance(item, Mapping)]
    if not documents or len(documents[0]) < 2:
        return None
    keys = list(documents[0])
    field_name = next((k for k in ("id", "_id") if k in keys), keys[0])
    params = {"fields": field_name}
    if paging_param:
        params[paging_param] = "2"  # keep the check's response small
    items = _list_items(fetcher, url, params)
    if not items:
        return None
    trimmed = [item for item in items if isinstance(item, Mapping)]
    return bool(trimmed) and all(set(item) <= {field_name, "id", "_id"} for item in trimmed)
