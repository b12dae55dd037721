"""The indexes that exist, from a JSON file (``perfsight analyze --indexes FILE``).

The file maps each namespace to its indexes in the shape of pymongo's ``index_information()``::

    {"travel.leads": {"_id_": {"key": [["_id", 1]], "v": 2},
                      "tenant_1_status_1": {"key": [["tenant", 1], ["status", 1]]}}}

Also accepted: a namespace mapped to a ``list_indexes()`` / ``getIndexes()`` list
(``[{"name": "_id_", "key": {"_id": 1}}, …]``), or one flat list of such documents that carry
their ``ns`` (older servers' ``getIndexes()``). Keys may be ``[[field, direction], …]`` or
``{field: direction}``. Partial indexes serve only queries that imply their filter, so they are
left out (and said so).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from collectors.extjson import to_int
from perfsight.errors import InputError
from perfsight.models import IndexKey


def load_indexes(path: str | Path) -> tuple[dict[str, list[IndexKey]], list[str]]:
    """The index keys per namespace, and notes about indexes left out."""
    source = str(path)
    try:
        data = orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc}", source=source) from exc
    notes: list[str] = []
    result: dict[str, list[IndexKey]] = {}
    if isinstance(data, list):
        for position, spec in enumerate(data):
            where = f"{source}: item {position}"
            namespace = spec.get("ns") if isinstance(spec, Mapping) else None
            if not isinstance(namespace, str):
                raise InputError("a flat list of indexes needs an 'ns' on each", source=where)
            add_index(result, namespace, spec, where, notes)
        return result, notes
    if not isinstance(data, Mapping):
        raise InputError("expected an object of namespace → indexes", source=source)
    for namespace, indexes in data.items():
        if "." not in namespace:
            raise InputError(
                f"{namespace!r} is not a namespace (database.collection)", source=source
            )
        if not isinstance(indexes, Mapping | list):
            raise InputError(
                "expected the indexes as an object or a list", source=f"{source}: {namespace}"
            )
        specs = indexes.items() if isinstance(indexes, Mapping) else enumerate(indexes)
        result.setdefault(namespace, [])
        for name, spec in specs:
            add_index(result, namespace, spec, f"{source}: {namespace} index {name}", notes)
    return result, notes


def add_index(
    result: dict[str, list[IndexKey]], namespace: str, spec: Any, where: str, notes: list[str]
) -> None:
    """Add one index document (``{"key": …, "partialFilterExpression"?: …}``) to ``result``;
    a partial index is left out with a note. Raises ``InputError`` for a bad key."""
    if not isinstance(spec, Mapping) or "key" not in spec:
        raise InputError("an index needs its 'key'", source=where)
    key = _key(spec["key"], where)
    if spec.get("partialFilterExpression") is not None:
        notes.append(f"{where}: partial index left out (it serves only matching queries)")
        return
    result.setdefault(namespace, []).append(key)


def _key(raw: Any, where: str) -> IndexKey:
    pairs = list(raw.items()) if isinstance(raw, Mapping) else raw
    if not isinstance(pairs, list) or not pairs:
        raise InputError(f"'key' must be a non-empty list or object, not {raw!r:.60}", source=where)
    key: list[tuple[str, int | str]] = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or not isinstance(pair[0], str):
            raise InputError(
                f"bad key element {pair!r:.60}: expected [field, direction]", source=where
            )
        field, direction = pair
        if isinstance(direction, str):
            key.append((field, direction))
            continue
        try:
            number = to_int(direction)
        except ValueError:
            number = None
        if number is None or number == 0:
            raise InputError(f"bad direction {direction!r:.40} for {field!r}", source=where)
        key.append((field, 1 if number > 0 else -1))
    return tuple(key)
