"""Bookings: ``GET /api/bookings`` and ``GET /api/bookings/{id}`` (with its payments).

before: the list returns every booking of the tenant in one response (no pagination), sorted in
memory (no index). after: ``?page=&limit=`` with a maximum page size, the plan's
``{tenantId: 1, createdAt: -1}`` index, and ``?fields=``.
"""

from __future__ import annotations

from typing import Any

from perfsight.demo import http
from perfsight.demo.endpoint import Call
from perfsight.demo.handlers.common import owned, paged_list, projection

FIELDS = (
    "reference", "customerId", "itineraryId", "status", "travelDate", "nights", "total",
    "currency", "items", "notes", "createdAt", "tenantId",
)  # fmt: skip
NEWEST_FIRST = (("createdAt", -1),)


def list_bookings(call: Call) -> dict[str, Any]:
    if call.state.after:
        return paged_list(call, "bookings", {"tenantId": call.tenant}, NEWEST_FIRST, FIELDS)
    docs = call.db.find("bookings", {"tenantId": call.tenant}, sort=NEWEST_FIRST)
    return http.listing([http.public(d) for d in docs], None, False, "", call.request.query_params)


def get_booking(call: Call) -> dict[str, Any]:
    text = call.request.path_params["id"]
    booking_id = http.object_id(text, "booking")
    fields = projection(call, FIELDS)
    if fields is not None:
        fields["tenantId"] = 1  # needed for the tenant check
    found = call.db.find_one("bookings", {"_id": booking_id}, fields)
    booking = http.public(owned(call, found, "booking", text))
    payments = call.db.find("payments", {"bookingId": booking_id}, sort=(("paidAt", 1),))
    booking["payments"] = [http.public(p) for p in payments]
    return booking
