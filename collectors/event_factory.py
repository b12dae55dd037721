"""Building ``QueryEvent``s fast enough for a million-line log.

``QueryEvent`` is a frozen slotted dataclass (the shared contract). Its generated ``__init__``
sets each of its ~35 fields through ``object.__setattr__``, which costs about 3 µs per event —
more than orjson needs to parse the log line the event comes from. ``new_event`` builds the same
object through a non-frozen twin class with the identical slot layout and then gives the
instance its real class, which CPython allows because the layouts are the same: about 1 µs.
The result is a genuine, immutable ``QueryEvent`` (tests check it equals one built the normal
way). The twin is generated from ``QueryEvent``'s own fields, so it follows every change to
the contract.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from perfsight.models import QueryEvent


def _twin() -> type:
    spec: list[Any] = []
    for field in dataclasses.fields(QueryEvent):
        if field.default is not dataclasses.MISSING:
            spec.append((field.name, field.type, dataclasses.field(default=field.default)))
        elif field.default_factory is not dataclasses.MISSING:
            spec.append(
                (field.name, field.type, dataclasses.field(default_factory=field.default_factory))
            )
        else:
            spec.append((field.name, field.type))
    twin = dataclasses.make_dataclass(
        "_QueryEventBuilder", spec, slots=True, eq=False, repr=False, match_args=False
    )
    if (
        getattr(twin, "__slots__", None) != QueryEvent.__slots__
    ):  # pragma: no cover - guards a CPython change
        raise TypeError("QueryEvent's slot layout changed; the fast builder cannot mirror it")
    return twin


_Builder = _twin()


def new_event(**fields: Any) -> QueryEvent:
    """``QueryEvent(**fields)``, about three times faster; same result, same immutability."""
    event: QueryEvent = _Builder(**fields)
    event.__class__ = QueryEvent
    return event
