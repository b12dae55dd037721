"""Endpoints that change data, on sample APIs of the test's own: the cache invalidation of a
rate-list update, and the quote email sent inline (before) or queued (after)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import redis

from perfsight.demo.catalog import EXAMPLE_QUOTE
from perfsight.demo.mailer import WORKER_ROUTE
from perfsight.demo.process import SampleApi
from perfsight.demo.seed import object_id
from perfsight.services import wait_until
from tests.demo.conftest import get, new_rid, ops_by_request, ops_of

Factory = Callable[..., SampleApi]


def test_update_invalidates_cached_prices(
    sample_api_factory: Factory, redis_url: str, sample_api_before: SampleApi
) -> None:
    api = sample_api_factory("after")
    rate_list = object_id("rate_lists", 5)
    path = f"/api/rate-lists/{rate_list}/prices"
    first = get(api, path).json()
    assert get(api, path).json() == first  # cached
    key = f"{api.redis_prefix}pricing:{rate_list}"
    server = redis.Redis.from_url(redis_url, socket_timeout=5)
    assert server.exists(key) == 1

    rid = new_rid()
    response = httpx.put(
        api.url + f"/api/rate-lists/{rate_list}",
        json={"markup": 0.5},
        headers={"X-Request-Id": rid},
        timeout=10,
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert server.exists(key) == 0  # the list's whole cache entry is gone

    updated = get(api, path).json()
    assert updated["version"] == 2
    july = updated["prices"]["double"]["BB"]["2"][6]
    old_july = first["prices"]["double"]["BB"]["2"][6]
    assert Decimal(july["min"]) > Decimal(old_july["min"])
    # The before server (its own data) still has the seed's prices.
    assert get(sample_api_before, path).json() == first
    (update,) = [op for op in ops_of(api, rid) if op["op"] == "update"]
    assert update["command"]["q"] == {"_id": rate_list}
    assert update["planSummary"] == "IDHACK" and update["nModified"] == 1


def test_quote_email_inline_before_queued_after(sample_api_factory: Factory) -> None:
    results = {}
    for mode in ("before", "after"):
        api = sample_api_factory(mode, smtp_ms=50)
        rid = new_rid()
        response = httpx.post(
            api.url + "/api/quotes", json=EXAMPLE_QUOTE, headers={"X-Request-Id": rid}, timeout=30
        )
        assert response.status_code == 201
        quote = response.json()
        ops = ops_of(api, rid)
        inserted = {op["ns"] for op in ops if op["op"] == "insert"}
        assert inserted == {"travel.quotes", "travel.email_log"}
        assert 2 <= len(ops) <= 5
        results[mode] = (api, quote)
    before, after = results["before"][1], results["after"][1]
    assert before["email"] == {"to": "lead0@example.test", "status": "sent"}
    assert after["email"] == {"to": "lead0@example.test", "status": "queued"}
    assert before["total"] == after["total"] > 0

    api = results["after"][0]

    def worker_sent() -> bool:
        jobs = [
            op
            for ops in ops_by_request(api.read_profile()).values()
            for op in ops
            if op["command"]["comment"]["route"] == WORKER_ROUTE
        ]
        return any(op["ns"] == "travel.email_log" and op["nModified"] == 1 for op in jobs)

    assert wait_until(worker_sent, timeout=15)


def test_seeded_data_are_the_same_in_every_process(
    sample_api_factory: Factory, sample_api_before: SampleApi
) -> None:
    other = sample_api_factory("before")
    for path in (
        f"/api/itineraries/{object_id('itineraries', 7)}",
        "/api/leads?status=won&limit=30",
        f"/api/bookings/{object_id('bookings', 10)}",
    ):
        assert get(other, path).json() == get(sample_api_before, path).json()
