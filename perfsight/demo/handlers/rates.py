"""Rate lists: ``GET /api/rate-lists/{id}/prices?year=`` and ``PUT /api/rate-lists/{id}``.

before: the year's seasonal prices are recomputed on every call (``pricing.price_year``).
after: the computed JSON is cached in Redis (``PricingCache``); the update endpoint deletes the
list's cache entry, so the next read recomputes from the new rates.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from perfsight.demo import http
from perfsight.demo.endpoint import Call
from perfsight.demo.handlers.bodies import RateListUpdate, parse
from perfsight.demo.handlers.common import owned
from perfsight.demo.pricing import price_year
from perfsight.demo.seed import SEED_YEAR


def get_prices(call: Call) -> Response:
    text = call.request.path_params["id"]
    rate_list_id = http.object_id(text, "rate list")
    year = http.year(call.request.query_params, SEED_YEAR)
    cache = call.state.cache
    field = f"{call.tenant}:{year}"
    if cache is not None:
        cached = cache.get(str(rate_list_id), field)
        if cached is not None:
            return Response(cached, media_type="application/json")
    found = call.db.find_one("rate_lists", {"_id": rate_list_id})
    body = http.dumps(price_year(owned(call, found, "rate list", text), year))
    if cache is not None:
        cache.put(str(rate_list_id), field, body)
    return Response(body, media_type="application/json")


def update_rate_list(call: Call) -> dict[str, Any]:
    text = call.request.path_params["id"]
    rate_list_id = http.object_id(text, "rate list")
    changes = parse(RateListUpdate, call.body).changes()
    if not changes:
        raise http.ApiError(
            400, "nothing to update: give markup, weekendSurcharge, baseRates or seasons"
        )
    current = owned(call, call.db.find_one("rate_lists", {"_id": rate_list_id}), "rate list", text)
    if "baseRates" in changes:
        changes["baseRates"] = {**current.get("baseRates", {}), **changes["baseRates"]}
    call.db.update_one(
        "rate_lists", {"_id": rate_list_id}, {"$set": changes, "$inc": {"version": 1}}
    )
    if call.state.cache is not None:
        call.state.cache.invalidate(str(rate_list_id))
    return {
        "id": rate_list_id,
        "version": int(current.get("version", 1)) + 1,
        "updated": sorted(changes),
    }
