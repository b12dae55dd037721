"""The sample API's endpoints, what each plants in ``before`` and fixes in ``after``.

One list, served at ``GET /`` and checked against perfsight/demo/README.md by a test.
"""

from __future__ import annotations

from dataclasses import dataclass

from perfsight.demo.seed import object_id
from perfsight.models import endpoint_key


@dataclass(frozen=True, slots=True)
class EndpointInfo:
    method: str
    route: str
    example: str
    before: str
    after: str

    @property
    def key(self) -> str:
        return endpoint_key(self.method, self.route)


ITINERARY = object_id("itineraries", 0)
BOOKING = object_id("bookings", 0)
RATE_LIST = object_id("rate_lists", 0)
LEAD = object_id("leads", 0)

ENDPOINTS: tuple[EndpointInfo, ...] = (
    EndpointInfo(
        "GET", "/api/itineraries/{id}", f"/api/itineraries/{ITINERARY}",
        "N+1: one query for the itinerary, one per day, one per service",
        "3 queries: the itinerary, its days ($in), their services ($in)",
    ),
    EndpointInfo(
        "GET", "/api/itineraries", "/api/itineraries?page=1&limit=20",
        "paginated; COLLSCAN + in-memory sort (no index)",
        "paginated; index {tenantId: 1, createdAt: -1}; ?fields=",
    ),
    EndpointInfo(
        "GET", "/api/bookings", "/api/bookings",
        "every booking of the tenant in one response (no pagination), COLLSCAN + sort",
        "?page=&limit= (max 100), index {tenantId: 1, createdAt: -1}, ?fields=",
    ),
    EndpointInfo(
        "GET", "/api/bookings/{id}", f"/api/bookings/{BOOKING}",
        "payments by bookingId: COLLSCAN + sort",
        "index {bookingId: 1, paidAt: 1}; ?fields=",
    ),
    EndpointInfo(
        "GET", "/api/leads", "/api/leads?status=new&limit=20",
        "filter by status, sort by createdAt: COLLSCAN + in-memory sort",
        "index {tenantId: 1, status: 1, createdAt: -1} serves filter and sort; ?fields=",
    ),
    EndpointInfo(
        "GET", "/api/rate-lists/{id}/prices", f"/api/rate-lists/{RATE_LIST}/prices?year=2026",
        "seasonal prices of the year recomputed on every call (~70 ms of CPU)",
        "cached in Redis (cache_requests_total{cache=\"pricing\"}), invalidated by PUT",
    ),
    EndpointInfo(
        "PUT", "/api/rate-lists/{id}", f"/api/rate-lists/{RATE_LIST}",
        "updates markup, weekendSurcharge, baseRates or seasons",
        "same, and deletes the list's cached prices",
    ),
    EndpointInfo(
        "POST", "/api/quotes", "/api/quotes",
        "emails the quote synchronously (an SMTP wait, --smtp-ms, inside the request)",
        "queues the email on Redis; a worker sends it",
    ),
    EndpointInfo(
        "GET", "/static/{name}", "/static/app.js",
        "no Cache-Control",
        "Cache-Control: public, max-age=31536000, immutable",
    ),
)  # fmt: skip

EXAMPLE_QUOTE = {"leadId": str(LEAD), "itineraryId": str(ITINERARY)}
