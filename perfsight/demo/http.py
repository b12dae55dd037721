"""Request parsing and JSON responses of the sample API. A bad parameter is a 400 naming it, an
unknown id a 404 — never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from bson import ObjectId
from bson.errors import InvalidId
from starlette.datastructures import QueryParams
from starlette.responses import Response

from perfsight.demo.seed import TENANTS

TENANT_HEADER = "x-tenant-id"
REQUEST_ID_HEADER = "x-request-id"
_SAFE_RID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")


class ApiError(Exception):
    """An error response: status code, message, and optional details."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    def response(self) -> Response:
        return json_response({"error": self.message, **self.details}, self.status)


def _default(value: Any) -> Any:
    if isinstance(value, ObjectId):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(payload: Any) -> bytes:
    # Naive datetimes are UTC (pymongo and mongomock return them so): print them with a Z.
    return orjson.dumps(payload, default=_default, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type="application/json")


def public(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A stored document as the API shows it: ``_id`` becomes ``id``."""
    out = {"id": doc["_id"]} if "_id" in doc else {}
    out.update((k, v) for k, v in doc.items() if k != "_id")
    return out


def object_id(text: str, what: str) -> ObjectId:
    """An id from the path; anything that is not one of ours is simply not found."""
    try:
        return ObjectId(text)
    except (InvalidId, TypeError):
        raise ApiError(404, f"no {what} with id {text!r}") from None


def request_id(headers: Mapping[str, str], generated: str) -> str:
    """The caller's ``X-Request-Id`` when it is a safe token, else ``generated``."""
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _SAFE_RID.match(given) else generated


def tenant(headers: Mapping[str, str]) -> str:
    name = headers.get(TENANT_HEADER) or TENANTS[0]
    if name not in TENANTS:
        raise ApiError(404, f"unknown tenant {name!r}", tenants=list(TENANTS))
    return name


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    limit: int

    @property
    def skip(self) -> int:
        return (self.number - 1) * self.limit


def _int_param(query: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}, got {value}")
    return value


def page(query: QueryParams, default_limit: int, max_limit: int) -> Page:
    """``?page=`` (from 1) and ``?limit=`` (1 to ``max_limit``)."""
    limit = _int_param(query, "limit", default_limit, 1, max_limit)
    number = _int_param(query, "page", 1, 1, 1_000_000)
    return Page(number, limit)


def year(query: QueryParams, default: int) -> int:
    return _int_param(query, "year", default, 2000, 2100)


def choice(query: QueryParams, name: str, allowed: Iterable[str]) -> str | None:
    raw = query.get(name)
    options = list(allowed)
    if raw is None or raw == "":
        return None
    if raw not in options:
        raise ApiError(400, f"{name} must be one of {', '.join(options)}, got {raw!r}")
    return raw


def fields(query: QueryParams, allowed: Iterable[str]) -> dict[str, int] | None:
    """``?fields=a,b`` as a projection (``_id`` always included), or None for every field."""
    raw = query.get("fields")
    if raw is None or not raw.strip():
        return None
    options = sorted(allowed)
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in names if name not in options]
    if unknown:
        raise ApiError(
            400, f"unknown field(s) {', '.join(unknown)}; fields are {', '.join(options)}"
        )
    return dict.fromkeys(names, 1)


def listing(
    items: list[dict[str, Any]], at: Page | None, more: bool, path: str, query: QueryParams
) -> dict[str, Any]:
    """The list envelope: ``items`` always; paging keys and ``next`` (the same query, next
    page) when paginated."""
    if at is None:
        return {"items": items, "total": len(items)}
    following = None
    if more:
        params = {k: v for k, v in query.items() if k not in ("page", "limit")}
        params.update(page=str(at.number + 1), limit=str(at.limit))
        following = f"{path}?{urlencode(params)}"
    return {"items": items, "page": at.number, "limit": at.limit, "next": following}


def utc_naive(moment: datetime) -> datetime:
    """BSON dates carry milliseconds and no zone: store what reads back unchanged."""
    return moment.replace(tzinfo=None, microsecond=moment.microsecond // 1000 * 1000)
