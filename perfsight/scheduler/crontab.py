"""Crontab expressions with crontab's meaning.

APScheduler 3.x's ``CronTrigger.from_crontab`` numbers weekdays from Monday = 0 (its issue #286),
so ``0 6 * * 1`` would fire on Tuesdays. Users write crontab; we translate day-of-week numbers
(0 or 7 = Sunday) to names, which APScheduler reads unambiguously.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NAME_NUMBERS = {name: number for number, name in enumerate(_DAY_NAMES)}


def _day_number(text: str) -> int:
    value = text.strip().lower()[:3]
    if value in _NAME_NUMBERS:
        return _NAME_NUMBERS[value]
    if not value.isdigit() or int(value) > 7:
        raise ValueError(f"day of week {text!r} is not 0-7 or a day name")
    return int(value) % 7


def _expand_day_field(field: str) -> list[int]:
    days: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"step in {part!r} must be at least 1")
        if base == "*":
            start, end = 0, 6
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _day_number(first), _day_number(last)
            if last.strip() == "7":
                end = 7
        else:
            start = end = _day_number(base)
            if step_text:
                end = 6
        if end < start:
            raise ValueError(f"range {base!r} runs backwards")
        days.update(d % 7 for d in range(start, end + 1, step))
    return sorted(days)


def cron_trigger(expression: str, timezone: str = "UTC") -> CronTrigger:
    """A trigger for a five-field crontab expression (minute hour day month day-of-week)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expression!r} is not a crontab expression: it needs 5 fields "
            "(minute hour day-of-month month day-of-week), e.g. '0 6 * * *'"
        )
    minute, hour, day, month, day_of_week = fields
    if day_of_week != "*":
        if not re.fullmatch(r"[0-7a-zA-Z*,/\-]+", day_of_week):
            raise ValueError(f"day of week {day_of_week!r} is not valid")
        day_of_week = ",".join(_DAY_NAMES[d] for d in _expand_day_field(day_of_week))
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=timezone,
        )
    except ValueError as exc:
        raise ValueError(f"{expression!r}: {exc}") from exc
