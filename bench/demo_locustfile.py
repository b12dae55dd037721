"""A small mix over the sample API's planted endpoints, named by endpoint key (the contract).
Used by bench/demo_latency.py; any Locust run against the sample API can use it too."""

from __future__ import annotations

import random

from locust import HttpUser, between, task

from perfsight.demo.seed import SIZES, object_id

SIZE = SIZES["small"]


class CrmUser(HttpUser):
    wait_time = between(0.05, 0.15)

    @task(3)
    def itinerary(self) -> None:
        number = random.randrange(0, SIZE.itineraries, 5)  # first tenant's (4 in 5)
        self.client.get(f"/api/itineraries/{object_id('itineraries', number)}",
                        name="GET /api/itineraries/{id}")  # fmt: skip

    @task(2)
    def bookings(self) -> None:
        self.client.get("/api/bookings", name="GET /api/bookings")

    @task(3)
    def leads(self) -> None:
        status = random.choice(("new", "contacted", "qualified"))
        self.client.get(f"/api/leads?status={status}&limit=20", name="GET /api/leads")

    @task(3)
    def prices(self) -> None:
        number = random.randrange(0, 20, 5)
        self.client.get(f"/api/rate-lists/{object_id('rate_lists', number)}/prices",
                        name="GET /api/rate-lists/{id}/prices")  # fmt: skip
