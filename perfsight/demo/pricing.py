"""Seasonal pricing of a rate list: the nightly price of every room, board and occupancy on
every day of a year, summarised per month. Real work (a few hundred thousand decimal
operations), which is why the optimisation plan caches it.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
STAYS = (3, 7, 14)  # package lengths priced from every start day


class PricingError(ValueError):
    """A rate list whose pricing data cannot be used (named field and value)."""


def _month_day(text: str, field: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in text.split("-"))
        date(2024, month, day)  # a leap year: 02-29 is a valid season boundary
    except (ValueError, AttributeError) as exc:
        raise PricingError(f"{field}: {text!r} is not a MM-DD date") from exc
    return month, day


def season_table(
    seasons: Sequence[Mapping[str, Any]],
) -> list[tuple[tuple[int, int], tuple[int, int], Decimal, str]]:
    """Seasons as ((start month, day), (end month, day), multiplier, name); a season whose end
    comes before its start wraps over the new year."""
    table = []
    for n, season in enumerate(seasons):
        start = _month_day(season.get("start", ""), f"seasons[{n}].start")
        end = _month_day(season.get("end", ""), f"seasons[{n}].end")
        multiplier = Decimal(str(season.get("multiplier", 1)))
        table.append((start, end, multiplier, str(season.get("name", f"season {n}"))))
    return table


def season_of(
    day: date, table: Sequence[tuple[tuple[int, int], tuple[int, int], Decimal, str]]
) -> tuple[Decimal, str]:
    key = (day.month, day.day)
    for start, end, multiplier, name in table:
        inside = start <= key <= end if start <= end else (key >= start or key <= end)
        if inside:
            return multiplier, name
    return Decimal(1), "base"


def price_year(rate_list: Mapping[str, Any], year: int) -> dict[str, Any]:
    """The rate list's prices for ``year``: per room/board/occupancy, per month, the lowest,
    highest and mean nightly price (markup and weekend surcharge included) and the season of
    each day (``calendar``)."""
    table = season_table(rate_list.get("seasons") or [])
    markup = Decimal(1) + Decimal(str(rate_list.get("markup", 0)))
    weekend = Decimal(1) + Decimal(str(rate_list.get("weekendSurcharge", 0)))
    bases = {k: Decimal(str(v)) for k, v in (rate_list.get("baseRates") or {}).items()}
    boards = {k: Decimal(str(v)) for k, v in (rate_list.get("boards") or {"RO": 0}).items()}
    occupancy = {k: Decimal(str(v)) for k, v in (rate_list.get("occupancy") or {"2": 1}).items()}
    days = [
        date(year, 1, 1) + timedelta(days=n) for n in range(366 if calendar.isleap(year) else 365)
    ]
    daily = [(day, *season_of(day, table)) for day in days]
    prices: dict[str, dict[str, dict[str, list[dict[str, str]]]]] = {}
    for room, base in bases.items():
        prices[room] = {}
        for board, board_supplement in boards.items():
            prices[room][board] = {}
            for pax, factor in occupancy.items():
                persons = Decimal(pax)
                nightly = [
                    _nightly(
                        base * multiplier * factor + board_supplement * persons,
                        day,
                        weekend,
                        markup,
                    )
                    for day, multiplier, _name in daily
                ]
                prices[room][board][pax] = _months(days, nightly)
    return {
        "rateListId": str(rate_list.get("_id")),
        "currency": rate_list.get("currency", "EUR"),
        "year": year,
        "version": rate_list.get("version", 1),
        "prices": prices,
        "calendar": {day.isoformat(): name for day, _m, name in daily},
    }


def _nightly(price: Decimal, day: date, weekend: Decimal, markup: Decimal) -> Decimal:
    if day.weekday() in (4, 5):  # Friday and Saturday nights
        price *= weekend
    return (price * markup).quantize(CENT, rounding=ROUND_HALF_UP)


def _months(days: Sequence[date], nightly: Sequence[Decimal]) -> list[dict[str, Any]]:
    """Per month: lowest, highest and mean nightly price, and the lowest price of a stay of
    each length starting that month (stays may run into the next year: its prices repeat)."""
    summary: dict[int, dict[str, Any]] = {}
    count = len(nightly)
    for n, day in enumerate(days):
        month = summary.setdefault(day.month, {"nights": [], "stays": {k: [] for k in STAYS}})
        month["nights"].append(nightly[n])
        for length in STAYS:
            month["stays"][length].append(
                sum((nightly[(n + k) % count] for k in range(length)), Decimal(0))
            )
    result = []
    for number, month in sorted(summary.items()):
        values = month["nights"]
        mean = (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)
        result.append(
            {
                "month": number,
                "min": str(min(values)),
                "max": str(max(values)),
                "mean": str(mean),
                "fromStay": {str(k): str(min(v)) for k, v in month["stays"].items()},
            }
        )
    return result
