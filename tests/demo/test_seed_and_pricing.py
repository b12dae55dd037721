"""The seed is deterministic and consistent; seasonal pricing computes what a person would."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pytest

from perfsight.demo.pricing import PricingError, price_year, season_of, season_table
from perfsight.demo.seed import COLLECTIONS, SIZES, TENANTS, generate, object_id


def test_seed_is_deterministic_and_sized() -> None:
    one, two = generate(SIZES["small"]), generate(SIZES["small"])
    assert one == two
    size = SIZES["small"]
    assert len(one["bookings"]) == size.bookings == 5000
    assert len(one["leads"]) == size.leads == 2000
    assert set(one) == set(COLLECTIONS)
    assert generate(SIZES["small"], seed=1)["leads"] != one["leads"]


def test_ids_are_positional_and_references_resolve() -> None:
    data = generate(SIZES["small"])
    for name, docs in data.items():
        ids = [doc["_id"] for doc in docs]
        assert len(set(ids)) == len(ids), name
    assert data["bookings"][17]["_id"] == object_id("bookings", 17)
    days = {d["_id"]: d for d in data["itinerary_days"]}
    services = {s["_id"] for s in data["itinerary_services"]}
    for itinerary in data["itineraries"]:
        assert 5 <= len(itinerary["dayIds"]) <= 14
        for day_id in itinerary["dayIds"]:
            assert days[day_id]["itineraryId"] == itinerary["_id"]
            assert set(days[day_id]["serviceIds"]) <= services
    assert {b["tenantId"] for b in data["bookings"]} == set(TENANTS)


def test_seasons_wrap_over_the_new_year() -> None:
    table = season_table(
        [
            {"name": "festive", "start": "12-20", "end": "01-06", "multiplier": 1.6},
            {"name": "summer", "start": "06-01", "end": "08-31", "multiplier": 1.5},
        ]
    )
    assert season_of(date(2026, 1, 3), table) == (Decimal("1.6"), "festive")
    assert season_of(date(2026, 12, 25), table) == (Decimal("1.6"), "festive")
    assert season_of(date(2026, 7, 14), table) == (Decimal("1.5"), "summer")
    assert season_of(date(2026, 3, 1), table) == (Decimal(1), "base")


@pytest.mark.parametrize("bad", ["13-01", "02-30", "summer", ""])
def test_bad_season_dates_are_named(bad: str) -> None:
    with pytest.raises(PricingError, match=r"seasons\[0\]\.start"):
        season_table([{"name": "x", "start": bad, "end": "01-01", "multiplier": 1}])


def test_prices_by_hand() -> None:
    rate_list = {
        "_id": "r1",
        "baseRates": {"double": 100},
        "boards": {"RO": 0, "BB": 10},
        "occupancy": {"2": 1},
        "seasons": [{"name": "high", "start": "06-01", "end": "08-31", "multiplier": 1.5}],
        "markup": 0.1,
        "weekendSurcharge": 0.2,
    }
    result = price_year(rate_list, 2026)
    july = result["prices"]["double"]["RO"]["2"][6]
    weekday, weekend = Decimal("165.00"), Decimal("198.00")  # 100 × 1.5 × 1.1 (× 1.2)
    nights = [date(2026, 7, d).weekday() in (4, 5) for d in range(1, 32)]
    mean = (weekend * sum(nights) + weekday * (31 - sum(nights))) / 31
    assert july == {
        "month": 7,
        "min": "165.00",
        "max": "198.00",
        "mean": str(mean.quantize(Decimal("0.01"))),
        # Any 7 nights hold one Friday and one Saturday; 3 nights may hold none.
        "fromStay": {"3": "495.00", "7": "1221.00", "14": "2442.00"},
    }
    # Board: 10 per person per night, 2 persons, then the markup.
    assert result["prices"]["double"]["BB"]["2"][6]["min"] == "187.00"
    assert result["prices"]["double"]["RO"]["2"][0]["min"] == "110.00"  # January: no season
    assert len(result["calendar"]) == (366 if calendar.isleap(2026) else 365)


def test_readme_documents_every_endpoint() -> None:
    from pathlib import Path

    from perfsight.demo.catalog import ENDPOINTS

    readme = (Path(__file__).resolve().parents[2] / "perfsight/demo/README.md").read_text()
    for info in ENDPOINTS:
        assert f"`{info.key}`" in readme, info.key
    assert str(object_id("itineraries", 0)) in readme
    assert str(object_id("bookings", 0)) in readme
