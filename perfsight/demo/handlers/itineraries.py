"""Itineraries: ``GET /api/itineraries`` (paginated in both modes) and
``GET /api/itineraries/{id}`` with its days and their services.

before: the N+1 of a naive ORM walk — one query for the itinerary, then one per day, then one
per service (1 + days + services). after: populate-style batches — the itinerary, all its days
in one ``$in``, all their services in one ``$in`` (3 queries).
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from perfsight.demo import http
from perfsight.demo.backend import Doc
from perfsight.demo.endpoint import Call
from perfsight.demo.handlers.common import owned, paged_list

FIELDS = ("customerId", "title", "startDate", "pax", "dayIds", "status", "createdAt", "tenantId")


def list_itineraries(call: Call) -> dict[str, Any]:
    return paged_list(call, "itineraries", {"tenantId": call.tenant}, (("createdAt", -1),), FIELDS)


def get_itinerary(call: Call) -> dict[str, Any]:
    text = call.request.path_params["id"]
    itinerary_id = http.object_id(text, "itinerary")
    itinerary = owned(
        call, call.db.find_one("itineraries", {"_id": itinerary_id}), "itinerary", text
    )
    day_ids: list[ObjectId] = list(itinerary.get("dayIds") or [])
    loader = _batched if call.state.after else _one_by_one
    days = loader(call, day_ids)
    out = http.public(itinerary)
    out["days"] = days
    out["total"] = round(sum(s.get("price", 0) for d in days for s in d["services"]), 2)
    return out


def _one_by_one(call: Call, day_ids: list[ObjectId]) -> list[dict[str, Any]]:
    days = []
    for day_id in day_ids:
        day = call.db.find_one("itinerary_days", {"_id": day_id})
        if day is None:
            continue
        services = [
            call.db.find_one("itinerary_services", {"_id": service_id})
            for service_id in day.get("serviceIds") or []
        ]
        days.append(_day(day, [s for s in services if s is not None]))
    return days


def _batched(call: Call, day_ids: list[ObjectId]) -> list[dict[str, Any]]:
    if not day_ids:
        return []
    by_id = {d["_id"]: d for d in call.db.find("itinerary_days", {"_id": {"$in": day_ids}})}
    days = [by_id[i] for i in day_ids if i in by_id]
    service_ids = [s for day in days for s in day.get("serviceIds") or []]
    services: dict[Any, Doc] = {}
    if service_ids:
        found = call.db.find("itinerary_services", {"_id": {"$in": service_ids}})
        services = {s["_id"]: s for s in found}
    return [
        _day(day, [services[s] for s in day.get("serviceIds") or [] if s in services])
        for day in days
    ]


def _day(day: Doc, services: list[Doc]) -> dict[str, Any]:
    out = http.public(day)
    out["services"] = [http.public(s) for s in services]
    return out
