"""Every finding of these analyzers fits the shared contract: the JSON Schema and the store."""

from __future__ import annotations

import json

import jsonschema

from analyzers.base import run_analyzers
from analyzers.nplusone import NPlusOneAnalyzer
from analyzers.pagination import UnpaginatedQueryAnalyzer
from perfsight.models import Finding
from perfsight.schemas import load as load_schema
from perfsight.store import Store
from perfsight.store.findings import list_findings, upsert_findings
from tests.nplusone.streams import itinerary_request, q


def all_kinds() -> list[Finding]:
    events = [
        *itinerary_request("r1", 0),
        *itinerary_request("r2", 500, days=6, same_value=True),
        *itinerary_request(None, 5000, client="10.1.1.1", endpoint=None, tag="x", days=6),
        q(9000, "travel.bookings", 'db.bookings.find({})', filter_shape={}, nreturned=250,
          rid="b", endpoint="GET /api/bookings", value="all"),
    ]  # fmt: skip
    # The burst shares its shape with r1's loop, so make it another collection's loop.
    events += [
        q(20000 + i * 12, "travel.hotels", 'db.hotels.find({"_id":"?"})', filter_shape={"_id": "?"},
          client="10.1.1.1", endpoint=None, value=i)
        for i in range(6)
    ]  # fmt: skip
    events.insert(-6, q(19990, "travel.rooms", 'db.rooms.find({"h":"?"})', nreturned=6,
                        client="10.1.1.1", endpoint=None, value="rooms", millis=5))  # fmt: skip
    found = run_analyzers([NPlusOneAnalyzer(), UnpaginatedQueryAnalyzer()], events)
    return found


def test_findings_match_the_json_schema() -> None:
    schema = load_schema("finding")
    found = all_kinds()
    assert sorted({(f.kind, f.confidence) for f in found}) == [
        ("n_plus_one", "high"),
        ("n_plus_one", "low"),
        ("redundant_query", "high"),
        ("unpaginated_query", "high"),
    ]
    for finding in found:
        data = json.loads(json.dumps(finding.to_dict()))
        jsonschema.validate(data, schema)
        assert Finding.from_dict(data).id == finding.id


def test_findings_round_trip_through_the_store(store: Store) -> None:
    found = all_kinds()
    assert upsert_findings(store, found, origin="analyze") == len(found)
    stored = {s.finding.id: s.finding for s in list_findings(store)}
    assert set(stored) == {f.id for f in found}
    for finding in found:
        assert stored[finding.id].evidence == json.loads(json.dumps(dict(finding.evidence)))
        assert stored[finding.id].first_seen == finding.first_seen
