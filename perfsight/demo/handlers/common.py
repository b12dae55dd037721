"""What several resources share: paginated listing and tenant-checked lookup by id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from perfsight.demo import http
from perfsight.demo.backend import Doc
from perfsight.demo.endpoint import Call
from perfsight.demo.planner import SortSpec


def projection(call: Call, allowed: Iterable[str]) -> dict[str, int] | None:
    """``?fields=`` in after mode (the before app has no field selection and ignores it)."""
    if not call.state.after:
        return None
    return http.fields(call.request.query_params, allowed)


def paged_list(
    call: Call,
    collection: str,
    filter_: Mapping[str, Any],
    sort: SortSpec,
    allowed_fields: Iterable[str],
) -> dict[str, Any]:
    """One page (``?page=&limit=``), fetching one extra document to know whether more follow."""
    config = call.state.config
    query = call.request.query_params
    at = http.page(query, config.default_page_size, config.max_page_size)
    docs = call.db.find(
        collection,
        filter_,
        sort=sort,
        limit=at.limit + 1,
        skip=at.skip,
        projection=projection(call, allowed_fields),
    )
    items = [http.public(doc) for doc in docs[: at.limit]]
    return http.listing(items, at, len(docs) > at.limit, call.request.url.path, query)


def owned(call: Call, doc: Doc | None, what: str, text: str) -> Doc:
    """The document if it exists and belongs to the caller's tenant; else a 404."""
    if doc is None or doc.get("tenantId", call.tenant) != call.tenant:
        raise http.ApiError(404, f"no {what} with id {text!r}")
    return doc
