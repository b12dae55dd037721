"""``QueryEvent.raw`` of a log line read through ``collectors.log_schema``: the line's whole
JSON document, parsed when first read. Every event keeps its source document, but only a query
shape's example ever reads it — parsing every line whole again would undo what the schema
saves, and the line's bytes take a fraction of the memory of its parsed document.

A plain class, compiled (``perfsight.compiled``): it is made once per event, and a compiled
class is made without an interpreted ``__init__``. It is a ``Mapping`` by registration (a
compiled class cannot inherit the ABC's mixin methods), so it implements them itself.
"""

from __future__ import annotations

import json
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

import orjson


class LineDocument:
    __slots__ = ("_data", "_doc")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._doc: dict[str, Any] | None = None

    def _parsed(self) -> dict[str, Any]:
        doc = self._doc
        if doc is None:
            try:
                doc = orjson.loads(self._data)
            except orjson.JSONDecodeError:  # e.g. an integer beyond 64 bits, which msgspec reads
                doc = json.loads(self._data)
            self._doc = doc
        return doc

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._parsed().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._parsed()

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())

    def keys(self) -> KeysView[str]:
        return self._parsed().keys()

    def items(self) -> ItemsView[str, Any]:
        return self._parsed().items()

    def values(self) -> ValuesView[Any]:
        return self._parsed().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LineDocument):
            return self._parsed() == other._parsed()
        if isinstance(other, Mapping):
            return self._parsed() == dict(other.items())
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # (a document is mutable, as a dict)

    def __repr__(self) -> str:
        return repr(self._parsed())

    def __reduce__(self) -> tuple[Any, ...]:
        return (LineDocument, (self._data,))


Mapping.register(LineDocument)
