"""Query shapes seen by the per-request analyzers, numbered once so that the many operations
kept in memory hold a small integer instead of their namespace and fingerprint."""

from __future__ import annotations

from dataclasses import dataclass

from analyzers.events import (
    EventFields,
    OpKind,
    equality_fields,
    fields_of,
    is_batched_in,
    op_kind,
)
from perfsight.models import QueryEvent


@dataclass(frozen=True, slots=True)
class Shape:
    id: int
    namespace: str
    fingerprint: str
    kind: OpKind
    batched: bool  # a $in lookup: the batched form, never an N+1
    fields: tuple[str, ...]  # the plain fields the filter looks documents up by

    @property
    def collection(self) -> str:
        return self.namespace.partition(".")[2] or self.namespace


ShapeParts = tuple[str, str, OpKind, bool, tuple[str, ...]]


class ShapeTable:
    """(namespace, fingerprint, kind) -> Shape; as large as the application's query vocabulary.

    The kind is part of the key: a getMore may carry its originating find's fingerprint.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str, OpKind], int] = {}
        # (namespace, fingerprint, op, command) -> id: the per-event lookup, without op_kind
        self._fast: dict[tuple[str, str, str, str | None], int] = {}
        self.shapes: list[Shape] = []

    def __getitem__(self, shape_id: int) -> Shape:
        return self.shapes[shape_id]

    def id_for(self, event: QueryEvent) -> int:
        return self.id_of(fields_of(event))

    def id_of(self, f: EventFields) -> int:
        """``id_for`` of an event's compiled record (``analyzers.events.fields_of``)."""
        fast = (f.namespace, f.fingerprint, f.op, f.command_name)
        found = self._fast.get(fast)
        if found is None:
            found = self._fast[fast] = self._new_id(f)
        return found

    def _new_id(self, f: EventFields) -> int:
        return self.adopt(
            f.namespace,
            f.fingerprint,
            op_kind(f.op, f.command_name),
            is_batched_in(f.filter_shape, f.fingerprint),
            tuple(equality_fields(f.filter_shape)),
        )

    def adopt(
        self, namespace: str, fingerprint: str, kind: OpKind, batched: bool, fields: tuple[str, ...]
    ) -> int:
        """The id of a shape described by its parts (``parts()`` of another table)."""
        key = (namespace, fingerprint, kind)
        found = self._ids.get(key)
        if found is not None:
            return found
        shape = Shape(len(self.shapes), namespace, fingerprint, kind, batched, fields)
        self._ids[key] = shape.id
        self.shapes.append(shape)
        return shape.id

    def parts(self) -> list[ShapeParts]:
        """Every shape as plain values, in id order: what another process ``adopt``s (a
        compiled frozen dataclass does not survive pickling)."""
        return [(s.namespace, s.fingerprint, s.kind, s.batched, s.fields) for s in self.shapes]
