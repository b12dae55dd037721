"""Where the list is in a JSON response: the top level, or under a key such as ``items``,
``data`` or ``results`` (one level down too: ``{"data": {"items": [...]}}``), and which keys
around it say the response is a page (``next``, ``cursor``, ``total``…)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LIST_KEYS = (
    "items", "data", "results", "records", "rows", "entries", "content", "docs", "hits",
    "list", "values", "objects", "elements",
)  # fmt: skip
PAGING_KEYS = frozenset({
    "next", "next_cursor", "nextcursor", "cursor", "next_page", "nextpage", "next_token",
    "nexttoken", "next_page_token", "nextpagetoken", "page", "pages", "page_size", "pagesize",
    "per_page", "perpage", "total", "total_count", "totalcount", "has_more", "hasmore",
    "has_next", "hasnext", "offset", "links", "_links", "pagination", "paging", "meta",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class JsonList:
    items: list[Any]
    key: str  # "" for a top-level array, else the path of keys ("items", "data.items")
    paging_keys: tuple[str, ...]  # keys beside the list that describe a page


def _paging_keys(container: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k in container if k.lower() in PAGING_KEYS))


def _in_object(body: Mapping[str, Any]) -> tuple[str, list[Any]] | None:
    for key in LIST_KEYS:
        if isinstance(body.get(key), list):
            return key, body[key]
    lists = [(k, v) for k, v in body.items() if isinstance(v, list)]
    if len(lists) == 1:  # the only array of the response is the list
        return lists[0]
    return None


def find_list(body: Any) -> JsonList | None:
    """The list a list endpoint returns, or None when the response holds none."""
    if isinstance(body, list):
        return JsonList(body, "", ())
    if not isinstance(body, Mapping):
        return None
    found = _in_object(body)
    if found is not None:
        return JsonList(found[1], found[0], _paging_keys(body))
    for key in LIST_KEYS:
        inner = body.get(key)
        if isinstance(inner, Mapping):
            nested = _in_object(inner)
            if nested is not None:
                keys = tuple(sorted({*_paging_keys(body), *_paging_keys(inner)}))
                return JsonList(nested[1], f"{key}.{nested[0]}", keys)
    return None
