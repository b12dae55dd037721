"""The indexes of each mode. ``before`` has only the ``_id`` indexes MongoDB creates itself;
``after`` adds the optimisation plan's compound indexes (equality fields, then the sort)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from perfsight.demo.planner import IndexSpec

Mode = Literal["before", "after"]
MODES: tuple[Mode, ...] = ("before", "after")

PLAN_INDEXES: Mapping[str, tuple[IndexSpec, ...]] = {
    "leads": (IndexSpec((("tenantId", 1), ("status", 1), ("createdAt", -1))),),
    "bookings": (IndexSpec((("tenantId", 1), ("createdAt", -1))),),
    "itineraries": (IndexSpec((("tenantId", 1), ("createdAt", -1))),),
    "itinerary_services": (IndexSpec((("itineraryId", 1),)),),
    "payments": (IndexSpec((("bookingId", 1), ("paidAt", 1))),),
}


def declared_indexes(mode: Mode) -> Mapping[str, tuple[IndexSpec, ...]]:
    """Secondary indexes per collection (the ``_id`` index is implied)."""
    return PLAN_INDEXES if mode == "after" else {}
