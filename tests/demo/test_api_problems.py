"""Each planted problem in ``before`` and its fix in ``after``, measured on the real servers
(subprocesses on loopback) through their simulated profile, headers and bodies."""

from __future__ import annotations

import gzip

import httpx
import orjson
import redis

from perfsight.demo.process import SampleApi
from perfsight.demo.seed import TENANTS, Dataset, object_id
from tests.demo.conftest import get, new_rid, ops_of

ITINERARY_ROUTE = "GET /api/itineraries/{id}"


def itinerary_shape(data: Dataset, number: int) -> tuple[int, int]:
    """(days, services) of itinerary ``number``, from the seed itself."""
    itinerary_id = object_id("itineraries", number)
    days = [d for d in data["itinerary_days"] if d["itineraryId"] == itinerary_id]
    return len(days), sum(len(d["serviceIds"]) for d in days)


def test_itinerary_is_n_plus_one_before_and_batched_after(
    sample_api_before: SampleApi, sample_api_after: SampleApi, seed_data: Dataset
) -> None:
    days, services = itinerary_shape(seed_data, 3)
    path = f"/api/itineraries/{object_id('itineraries', 3)}"
    bodies = []
    for api, expected in ((sample_api_before, 1 + days + services), (sample_api_after, 3)):
        rid, offset = new_rid(), api.profile_offset()
        response = get(api, path, rid)
        assert response.status_code == 200
        assert response.headers["x-request-id"] == rid
        ops = ops_of(api, rid, offset)
        assert len(ops) == expected
        assert {op["command"]["comment"]["route"] for op in ops} == {ITINERARY_ROUTE}
        bodies.append(response.json())
    # Every recorded operation carries the comment contract.
    for doc in sample_api_before.read_profile() + sample_api_after.read_profile():
        assert set(doc["command"]["comment"]) == {"rid", "route"}
    # Same answer either way: the fix changes the queries, not the data.
    assert bodies[0] == bodies[1]
    assert len(bodies[0]["days"]) == days
    assert sum(len(d["services"]) for d in bodies[0]["days"]) == services


def test_itinerary_queries_before_are_repeated_id_lookups(
    sample_api_before: SampleApi, sample_api_after: SampleApi, seed_data: Dataset
) -> None:
    days, services = itinerary_shape(seed_data, 0)
    rid, offset = new_rid(), sample_api_before.profile_offset()
    get(sample_api_before, f"/api/itineraries/{object_id('itineraries', 0)}", rid)
    by_ns: dict[str, list[str]] = {}
    for op in ops_of(sample_api_before, rid, offset):
        by_ns.setdefault(op["ns"], []).append(op["planSummary"])
    assert by_ns == {
        "travel.itineraries": ["IDHACK"],
        "travel.itinerary_days": ["IDHACK"] * days,
        "travel.itinerary_services": ["IDHACK"] * services,
    }
    rid, offset = new_rid(), sample_api_after.profile_offset()
    get(sample_api_after, f"/api/itineraries/{object_id('itineraries', 0)}", rid)
    after = ops_of(sample_api_after, rid, offset)
    assert [op["planSummary"] for op in after] == ["IDHACK"] + ["IXSCAN { _id: 1 }"] * 2
    assert [op["nreturned"] for op in after] == [1, days, services]


def test_bookings_all_rows_before_one_page_after(
    sample_api_before: SampleApi, sample_api_after: SampleApi, seed_data: Dataset
) -> None:
    tenant_rows = sum(1 for b in seed_data["bookings"] if b["tenantId"] == TENANTS[0])
    rid, offset = new_rid(), sample_api_before.profile_offset()
    body = get(sample_api_before, "/api/bookings", rid).json()
    assert len(body["items"]) == body["total"] == tenant_rows
    ops = ops_of(sample_api_before, rid, offset)
    # One cursor, drained by a getMore after the 101-document first batch; no index, sorted
    # in memory.
    assert [op["op"] for op in ops] == ["query", "getmore"]
    assert [op["nreturned"] for op in ops] == [101, tenant_rows - 101]
    assert ops[0]["planSummary"] == "COLLSCAN" and ops[0]["hasSortStage"] is True
    assert ops[0]["docsExamined"] == len(seed_data["bookings"])
    assert ops[1]["originatingCommand"]["find"] == "bookings"
    assert "limit" not in ops[0]["command"]

    rid, offset = new_rid(), sample_api_after.profile_offset()
    page = get(sample_api_after, "/api/bookings", rid).json()
    assert len(page["items"]) == page["limit"] == 20 and page["page"] == 1
    assert page["next"] == "/api/bookings?page=2&limit=20"
    (op,) = ops_of(sample_api_after, rid, offset)
    assert op["planSummary"] == "IXSCAN { tenantId: 1, createdAt: -1 }"
    assert "hasSortStage" not in op and op["command"]["limit"] == 21
    assert op["keysExamined"] == 21
    # The pages tile the same ordering as the unpaginated list.
    second = get(sample_api_after, page["next"]).json()
    newest = [b["id"] for b in body["items"][:40]]
    assert [b["id"] for b in page["items"] + second["items"]] == newest
    biggest = get(sample_api_after, "/api/bookings?limit=100&page=3").json()
    assert [b["id"] for b in biggest["items"]] == [b["id"] for b in body["items"][200:300]]


def test_leads_scan_before_index_after(
    sample_api_before: SampleApi, sample_api_after: SampleApi, seed_data: Dataset
) -> None:
    expected = sorted(
        (lead for lead in seed_data["leads"]
         if lead["tenantId"] == TENANTS[0] and lead["status"] == "qualified"),
        key=lambda lead: lead["createdAt"], reverse=True,
    )[:10]  # fmt: skip
    plans = []
    for api in (sample_api_before, sample_api_after):
        rid, offset = new_rid(), api.profile_offset()
        body = get(api, "/api/leads?status=qualified&limit=10", rid).json()
        assert [lead["id"] for lead in body["items"]] == [str(lead["_id"]) for lead in expected]
        (op,) = ops_of(api, rid, offset)
        assert op["command"]["filter"] == {"tenantId": TENANTS[0], "status": "qualified"}
        assert op["command"]["sort"] == {"createdAt": -1}
        plans.append(op)
    before, after = plans
    assert before["planSummary"] == "COLLSCAN" and before["hasSortStage"] is True
    assert before["docsExamined"] == len(seed_data["leads"]) and before["keysExamined"] == 0
    assert after["planSummary"] == "IXSCAN { tenantId: 1, status: 1, createdAt: -1 }"
    assert "hasSortStage" not in after
    assert after["keysExamined"] == after["docsExamined"] == 11


def _pricing_counts(api: SampleApi) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    counts = {"hit": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(get(api, "/metrics").text):
        for sample in family.samples:
            if sample.name == "cache_requests_total" and sample.labels["cache"] == "pricing":
                counts[sample.labels["result"]] += sample.value
    return counts


def test_pricing_recomputed_before_cached_after(
    sample_api_before: SampleApi, sample_api_after: SampleApi, redis_url: str
) -> None:
    path = f"/api/rate-lists/{object_id('rate_lists', 11)}/prices?year=2027"
    rid = new_rid()
    offset = sample_api_before.profile_offset()
    before = [get(sample_api_before, path, rid) for _ in range(3)]
    assert len(ops_of(sample_api_before, rid, offset)) == 3  # a rate-list read every time
    assert _pricing_counts(sample_api_before) == {"hit": 0.0, "miss": 0.0}

    server = redis.Redis.from_url(redis_url, socket_timeout=5)
    hits_before = int(server.info("stats")["keyspace_hits"])
    counts = _pricing_counts(sample_api_after)
    rid, offset = new_rid(), sample_api_after.profile_offset()
    ratios = []
    after = []
    for _ in range(5):
        after.append(get(sample_api_after, path, rid))
        now = _pricing_counts(sample_api_after)
        hits, misses = now["hit"] - counts["hit"], now["miss"] - counts["miss"]
        ratios.append(hits / (hits + misses))
    assert ratios == [0.0, 0.5, 2 / 3, 0.75, 0.8]  # one miss, then hits only
    assert len(ops_of(sample_api_after, rid, offset)) == 1  # only the miss read MongoDB
    assert int(server.info("stats")["keyspace_hits"]) - hits_before >= 4  # real Redis hits
    assert {r.json()["year"] for r in before + after} == {2027}
    assert all(r.json() == before[0].json() for r in before + after)


def test_gzip_only_after(sample_api_before: SampleApi, sample_api_after: SampleApi) -> None:
    headers = {"Accept-Encoding": "gzip"}
    plain = get(
        sample_api_before, "/api/bookings/" + str(object_id("bookings", 8)), headers=headers
    )
    assert "content-encoding" not in plain.headers
    url = sample_api_after.url + "/api/leads?limit=50"
    with httpx.stream("GET", url, headers=headers, timeout=30) as packed:
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["vary"] == "Accept-Encoding"
        wire = b"".join(packed.iter_raw())
    body = gzip.decompress(wire)
    assert len(wire) < len(body) / 3
    same = get(sample_api_before, "/api/leads?limit=50", headers=headers)
    assert "content-encoding" not in same.headers
    assert same.json() == orjson.loads(body)


def test_static_cache_control_only_after(
    sample_api_before: SampleApi, sample_api_after: SampleApi
) -> None:
    before = get(sample_api_before, "/static/app.js")
    after = get(sample_api_after, "/static/app.js")
    assert before.status_code == after.status_code == 200
    assert before.content == after.content and "fetch(" in after.text
    assert "cache-control" not in before.headers
    assert after.headers["cache-control"] == "public, max-age=31536000, immutable"
    again = get(
        sample_api_after, "/static/app.js", headers={"If-None-Match": after.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_fields_selection_only_after(
    sample_api_before: SampleApi, sample_api_after: SampleApi
) -> None:
    rid, offset = new_rid(), sample_api_after.profile_offset()
    body = get(sample_api_after, "/api/bookings?fields=reference,status&limit=5", rid).json()
    assert [set(b) for b in body["items"]] == [{"id", "reference", "status"}] * 5
    (op,) = ops_of(sample_api_after, rid, offset)
    assert op["command"]["projection"] == {"reference": 1, "status": 1}
    assert body["next"] == "/api/bookings?fields=reference%2Cstatus&page=2&limit=5"
    one = get(sample_api_after, f"/api/bookings/{object_id('bookings', 2)}?fields=total").json()
    assert set(one) == {"id", "total", "tenantId", "payments"}
    # before has no field selection: the parameter is ignored, documents come whole.
    full = get(sample_api_before, "/api/leads?fields=email&limit=3").json()
    assert all(len(lead) > 5 for lead in full["items"])
