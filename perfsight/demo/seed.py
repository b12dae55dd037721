"""The sample travel CRM's data, generated deterministically (the same documents on every run).

``generate(SIZES["small"])`` returns every collection's documents; ``ids`` are ObjectIds made
from the collection and the row number, so a test can name any document without reading the
database (``object_id("bookings", 0)``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

DATABASE = "travel"
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
SEED_YEAR = 2026
# The first tenant is the big agency: four documents in five belong to it.
TENANTS = ("tenant-alpine", "tenant-coastal")
LEAD_STATUSES = ("new", "contacted", "qualified", "proposal", "won", "lost")
BOOKING_STATUSES = ("pending", "confirmed", "cancelled", "completed")
SERVICE_KINDS = ("hotel", "transfer", "tour", "flight", "guide")
ROOM_TYPES = ("single", "double", "twin", "suite")
CITIES = ("Lisbon", "Porto", "Seville", "Granada", "Florence", "Rome", "Vienna", "Prague")

_TAGS = {
    "tenants": 1,
    "users": 2,
    "leads": 3,
    "customers": 4,
    "suppliers": 5,
    "rate_lists": 6,
    "itineraries": 7,
    "itinerary_days": 8,
    "itinerary_services": 9,
    "bookings": 10,
    "payments": 11,
    "email_log": 12,
    "quotes": 13,
}
COLLECTIONS = tuple(_TAGS)
Dataset = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    users: int
    customers: int
    leads: int
    suppliers: int
    rate_lists: int
    itineraries: int
    bookings: int
    emails: int


SIZES = {
    # Fast enough for load runs on 2 cores with mongomock, seeded in a couple of seconds.
    "small": Size("small", 20, 1000, 2000, 40, 80, 150, 5000, 300),
    # For benchmarks: five times as much.
    "large": Size("large", 60, 5000, 10000, 120, 240, 600, 25000, 1500),
}


def object_id(collection: str, number: int) -> ObjectId:
    """The id of row ``number`` of ``collection``: 4 bytes of time, a tag, the number."""
    stamp = int(EPOCH.timestamp()) + number
    return ObjectId(
        stamp.to_bytes(4, "big") + _TAGS[collection].to_bytes(2, "big") + number.to_bytes(6, "big")
    )


def tenant_of(number: int) -> str:
    return TENANTS[1] if number % 5 == 4 else TENANTS[0]


def _when(rng: random.Random, days: int = 720) -> datetime:
    # BSON dates keep milliseconds: drop the microseconds so a round trip is exact.
    moment = EPOCH + timedelta(seconds=rng.randrange(days * 86400))
    return moment.replace(tzinfo=None)


def generate(size: Size, seed: int = 20260101) -> Dataset:
    """Every collection's documents for ``size`` (naive UTC datetimes, as pymongo returns)."""
    rng = random.Random(seed)
    data: Dataset = {name: [] for name in COLLECTIONS}
    data["tenants"] = [
        {"_id": name, "name": name.split("-")[1].title() + " Travel", "plan": "business"}
        for name in TENANTS
    ]
    data["users"] = [_user(i) for i in range(size.users)]
    data["customers"] = [_customer(rng, i) for i in range(size.customers)]
    data["leads"] = [_lead(rng, i, size) for i in range(size.leads)]
    data["suppliers"] = [_supplier(rng, i) for i in range(size.suppliers)]
    data["rate_lists"] = [_rate_list(rng, i, size) for i in range(size.rate_lists)]
    _itineraries(rng, size, data)
    data["bookings"] = [_booking(rng, i, size) for i in range(size.bookings)]
    data["payments"] = [_payment(rng, i, size) for i in range(size.bookings)]
    data["email_log"] = [_email(rng, i, size) for i in range(size.emails)]
    return data


def _user(i: int) -> dict[str, Any]:
    return {
        "_id": object_id("users", i),
        "tenantId": tenant_of(i),
        "name": f"Agent {i}",
        "email": f"agent{i}@example.test",
        "role": "admin" if i < 2 else "agent",
    }


def _customer(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "_id": object_id("customers", i),
        "tenantId": tenant_of(i),
        "name": f"Customer {i}",
        "email": f"customer{i}@example.test",
        "country": rng.choice(("PT", "ES", "IT", "AT", "CZ", "DE", "FR", "GB")),
        "createdAt": _when(rng),
    }


def _lead(rng: random.Random, i: int, size: Size) -> dict[str, Any]:
    return {
        "_id": object_id("leads", i),
        "tenantId": tenant_of(i),
        "customerId": object_id("customers", rng.randrange(size.customers)),
        "ownerId": object_id("users", rng.randrange(size.users)),
        "status": LEAD_STATUSES[rng.randrange(len(LEAD_STATUSES))],
        "source": rng.choice(("web", "referral", "partner", "phone")),
        "destination": rng.choice(CITIES),
        "pax": rng.randint(1, 6),
        "budget": rng.randrange(800, 12000, 50),
        "email": f"lead{i}@example.test",
        "createdAt": _when(rng),
    }


def _supplier(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "_id": object_id("suppliers", i),
        "name": f"Supplier {i}",
        "kind": SERVICE_KINDS[i % len(SERVICE_KINDS)],
        "city": rng.choice(CITIES),
    }


def _rate_list(rng: random.Random, i: int, size: Size) -> dict[str, Any]:
    base = rng.randrange(60, 260)
    seasons = [
        {"name": "low", "start": "01-07", "end": "03-31", "multiplier": 0.8},
        {"name": "easter", "start": "04-01", "end": "04-20", "multiplier": 1.3},
        {"name": "shoulder", "start": "04-21", "end": "06-14", "multiplier": 1.0},
        {"name": "high", "start": "06-15", "end": "09-15", "multiplier": 1.45},
        {"name": "autumn", "start": "09-16", "end": "12-19", "multiplier": 0.95},
        {"name": "festive", "start": "12-20", "end": "01-06", "multiplier": 1.6},
    ]
    return {
        "_id": object_id("rate_lists", i),
        "tenantId": tenant_of(i),
        "supplierId": object_id("suppliers", i % size.suppliers),
        "name": f"Rates {i}",
        "currency": "EUR",
        "markup": rng.choice((0.08, 0.1, 0.12, 0.15)),
        "weekendSurcharge": rng.choice((0.0, 0.05, 0.1)),
        "baseRates": {
            room: round(base * f, 2) for room, f in zip(ROOM_TYPES, (0.8, 1, 1, 1.9), strict=True)
        },
        "boards": {"RO": 0.0, "BB": 12.0, "HB": 28.0, "FB": 41.0},
        "occupancy": {"1": 1.0, "2": 1.0, "3": 1.22},
        "seasons": seasons,
        "version": 1,
    }


def _itineraries(rng: random.Random, size: Size, data: Dataset) -> None:
    day_n = service_n = 0
    for i in range(size.itineraries):
        itinerary_id = object_id("itineraries", i)
        start = _when(rng, 365).replace(hour=0, minute=0, second=0)
        day_ids = []
        for number in range(1, rng.randint(5, 14) + 1):
            day_id = object_id("itinerary_days", day_n)
            day_n += 1
            service_ids = []
            for _ in range(rng.randint(2, 4)):
                service_ids.append(object_id("itinerary_services", service_n))
                data["itinerary_services"].append(
                    _service(rng, service_n, itinerary_id, day_id, size)
                )
                service_n += 1
            day_ids.append(day_id)
            data["itinerary_days"].append(
                {
                    "_id": day_id,
                    "itineraryId": itinerary_id,
                    "dayNumber": number,
                    "date": start + timedelta(days=number - 1),
                    "city": rng.choice(CITIES),
                    "notes": "Free afternoon" if number % 3 == 0 else "",
                    "serviceIds": service_ids,
                }
            )
        data["itineraries"].append(
            {
                "_id": itinerary_id,
                "tenantId": tenant_of(i),
                "customerId": object_id("customers", rng.randrange(size.customers)),
                "title": f"{rng.choice(CITIES)} and beyond #{i}",
                "startDate": start,
                "pax": rng.randint(1, 4),
                "dayIds": day_ids,
                "status": rng.choice(("draft", "sent", "accepted")),
                "createdAt": _when(rng),
            }
        )


def _service(
    rng: random.Random, n: int, itinerary_id: ObjectId, day_id: ObjectId, size: Size
) -> dict[str, Any]:
    kind = SERVICE_KINDS[rng.randrange(len(SERVICE_KINDS))]
    return {
        "_id": object_id("itinerary_services", n),
        "itineraryId": itinerary_id,
        "dayId": day_id,
        "kind": kind,
        "supplierId": object_id("suppliers", rng.randrange(size.suppliers)),
        "rateListId": object_id("rate_lists", rng.randrange(size.rate_lists)),
        "description": f"{kind.title()} service {n}",
        "price": round(rng.uniform(20, 400), 2),
    }


def _booking(rng: random.Random, i: int, size: Size) -> dict[str, Any]:
    nights = rng.randint(2, 14)
    return {
        "_id": object_id("bookings", i),
        "tenantId": tenant_of(i),
        "reference": f"BK-{100000 + i}",
        "customerId": object_id("customers", rng.randrange(size.customers)),
        "itineraryId": object_id("itineraries", rng.randrange(size.itineraries)),
        "status": BOOKING_STATUSES[rng.randrange(len(BOOKING_STATUSES))],
        "travelDate": _when(rng, 540),
        "nights": nights,
        "total": round(rng.uniform(400, 9000), 2),
        "currency": "EUR",
        "items": [
            {"kind": rng.choice(SERVICE_KINDS), "description": f"Item {k}", "amount": 100.0 + k}
            for k in range(rng.randint(1, 4))
        ],
        "notes": "Window seat requested; late check-in." if i % 7 == 0 else "",
        "createdAt": _when(rng),
    }


def _payment(rng: random.Random, i: int, size: Size) -> dict[str, Any]:
    return {
        "_id": object_id("payments", i),
        "tenantId": tenant_of(i),
        "bookingId": object_id("bookings", rng.randrange(size.bookings)),
        "amount": round(rng.uniform(100, 4000), 2),
        "method": rng.choice(("card", "transfer", "cash")),
        "paidAt": _when(rng),
    }


def _email(rng: random.Random, i: int, size: Size) -> dict[str, Any]:
    return {
        "_id": object_id("email_log", i),
        "tenantId": tenant_of(i),
        "to": f"lead{rng.randrange(size.leads)}@example.test",
        "subject": "Your travel quote",
        "status": "sent",
        "createdAt": _when(rng),
    }
