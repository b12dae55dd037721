"""One example operation per query shape, for a person to look at — with its literal values
redacted unless ``[mongo] raw_examples`` opts in (and even then ``[mongo] redact_fields`` are
always redacted: a query example must not leak e-mail addresses or tokens into a report).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from analyzers.fingerprint import GENERIC_FIELDS
from analyzers.masking import MASK
from perfsight.models import QueryEvent, iso

_KEPT_AS_IS = frozenset({"sort", "hint", "$sort"})


def source_command(event: QueryEvent) -> Mapping[str, Any] | None:
    """The command as the source recorded it (profile ``command`` or log ``attr.command``)."""
    raw = event.raw
    if raw is None:
        return None
    command = raw.get("command")
    if command is None and isinstance(raw.get("attr"), Mapping):
        command = raw["attr"].get("command")
    return command if isinstance(command, Mapping) else None


def example_of(
    event: QueryEvent, *, raw_values: bool = False, redact_fields: Collection[str] = ()
) -> dict[str, Any]:
    """What one execution looked like: its numbers and its command (redacted)."""
    command = source_command(event)
    shown: Any = None
    if command is not None:
        trimmed = {k: v for k, v in command.items() if k not in GENERIC_FIELDS}
        shown = (
            _redact_fields(trimmed, frozenset(redact_fields)) if raw_values else _redact(trimmed)
        )
    return {
        "ts": iso(event.ts),
        "millis": event.millis,
        "plan_summary": event.plan_summary,
        "docs_examined": event.docs_examined,
        "keys_examined": event.keys_examined,
        "nreturned": event.nreturned,
        "request_id": event.request_id,
        "endpoint": event.endpoint,
        "app_name": event.app_name,
        "source": event.source,
        "command": shown,
    }


def _redact(value: Any, *, top: bool = True) -> Any:
    """Every scalar becomes ``"?"`` except the collection a command names, sort and hint
    specifications and field paths (``"$a"``)."""
    if isinstance(value, Mapping):
        out = {}
        for index, (key, item) in enumerate(value.items()):
            if (top and index == 0 and isinstance(item, str)) or key in _KEPT_AS_IS:
                out[key] = item
            else:
                out[key] = _redact(item, top=False)
        return out
    if isinstance(value, list):
        return [_redact(item, top=False) for item in value]
    if isinstance(value, str) and value.startswith("$"):
        return value
    return MASK


def _redact_fields(value: Any, fields: frozenset[str]) -> Any:
    if not fields:
        return value
    if isinstance(value, Mapping):
        return {
            key: MASK if key in fields else _redact_fields(item, fields)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_fields(item, fields) for item in value]
    return value
