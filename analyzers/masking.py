"""Literal masking: a MongoDB query, update, projection or pipeline with every literal value
replaced by ``"?"`` and every key, operator, field path and sort direction kept.

The masked structures are what a query *shape* is: two queries that differ only in their values
mask to equal structures. These functions are on the hot path of every reader (one call per
event), so they are plain recursive functions over dicts and lists with no allocation beyond the
masked copy.

Extended JSON type wrappers (``{"$date": …}``, ``{"$oid": …}``, ``{"$numberLong": …}``…) are
literals, not operators: a wrapper masks to ``"?"`` like the value it stands for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

MASK: Final = "?"

# One-key (or two-key legacy) documents that Extended JSON uses for typed values. ``$regex`` is
# left out on purpose: in a query it is an operator (``{"$regex": …, "$options": …}``), and it
# masks the same way in both readings.
EXTJSON_KEYS: Final = frozenset(
    {
        "$date",
        "$numberLong",
        "$numberInt",
        "$numberDouble",
        "$numberDecimal",
        "$oid",
        "$uuid",
        "$binary",
        "$timestamp",
        "$regularExpression",
        "$minKey",
        "$maxKey",
        "$undefined",
        "$symbol",
        "$code",
        "$dbPointer",
    }
)

_LOGICAL: Final = frozenset({"$and", "$or", "$nor"})
# Pipeline stages whose string arguments are names (collections, fields, output names), not
# literals: masking them would merge different lookups into one shape.
_NAME_STAGES: Final = frozenset(
    {
        "$lookup",
        "$graphLookup",
        "$unionWith",
        "$out",
        "$merge",
        "$count",
        "$unset",
        "$unwind",
        "$collStats",
        "$indexStats",
        "$currentOp",
        "$planCacheStats",
    }
)


def is_literal_document(value: Mapping[str, Any]) -> bool:
    """Whether a document is an Extended JSON typed value rather than an operator document."""
    for key in value:
        return key in EXTJSON_KEYS
    return False


def is_operator_document(value: Any) -> bool:
    """``{"$gt": 5}`` is an operator document; ``{"a": 1}`` and ``{"$date": …}`` are values."""
    if not isinstance(value, dict):
        return False
    for key in value:
        name: str = key  # (typed: compiled, a str's startswith is a direct call)
        return name.startswith("$") and name not in EXTJSON_KEYS
    return False


def mask_query(query: dict[str, Any]) -> dict[str, Any]:
    """A find filter / ``$match`` / ``q`` with its literals masked."""
    out: dict[str, Any] = {}
    for key, value in query.items():
        if key in _LOGICAL:
            out[key] = (
                [mask_query(x) if isinstance(x, dict) else MASK for x in value]
                if isinstance(value, list)
                else MASK
            )
        elif key == "$expr":
            out[key] = mask_expression(value)
        elif is_operator_document(value):
            out[key] = _mask_operators(value)
        else:
            out[key] = MASK
    return out


def _mask_operators(ops: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for op, arg in ops.items():
        if op == "$elemMatch" and isinstance(arg, dict):
            out[op] = _mask_operators(arg) if is_operator_document(arg) else mask_query(arg)
        elif op == "$not" and is_operator_document(arg):
            out[op] = _mask_operators(arg)
        else:
            out[op] = MASK
    return out


def mask_expression(expr: Any) -> Any:
    """An aggregation expression: field paths (``"$a.b"``) and ``$$variables`` are kept."""
    if isinstance(expr, str):
        return expr if expr.startswith("$") else MASK
    if isinstance(expr, dict):
        if is_literal_document(expr) or "$literal" in expr:
            return MASK
        return {key: mask_expression(value) for key, value in expr.items()}
    if isinstance(expr, list):
        return [mask_expression(item) for item in expr]
    return MASK


def _mask_names(value: Any) -> Any:
    """Arguments of stages whose strings are names: strings kept, other literals masked."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if is_literal_document(value):
            return MASK
        return {key: _mask_named_argument(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_names(item) for item in value]
    return MASK


def _mask_named_argument(key: str, value: Any) -> Any:
    if key == "pipeline" and isinstance(value, list):
        return mask_pipeline(value)  # $lookup / $unionWith sub-pipelines
    if key == "let":
        return mask_expression(value)
    return _mask_names(value)


def mask_projection(projection: Mapping[str, Any]) -> dict[str, Any]:
    """Inclusion flags become 1/0 (``{"a": 5}`` includes ``a`` like ``{"a": 1}``)."""
    out: dict[str, Any] = {}
    for key, value in projection.items():
        if isinstance(value, bool | int | float):
            out[key] = 1 if value else 0
        else:
            out[key] = mask_expression(value)
    return out


def mask_update(update: Any) -> Any:
    """An update document keeps its operators and the fields they touch; a replacement
    document (no operators) masks as a whole; a pipeline update masks stage by stage."""
    if isinstance(update, list):
        return mask_pipeline(update)
    if isinstance(update, dict) and is_operator_document(update):
        return {
            op: dict.fromkeys(arg, MASK) if isinstance(arg, dict) else MASK
            for op, arg in update.items()
        }
    return MASK


def sort_document(sort: Any) -> dict[str, Any]:
    """A sort specification with directions normalised to 1/-1 (``{"$meta": …}`` kept)."""
    if not isinstance(sort, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in sort.items():
        direction = sort_direction(value)
        out[key] = direction if direction is not None else mask_expression(value)
    return out


def sort_direction(value: Any) -> int | None:
    """1 or -1 for a numeric direction (including Extended JSON numbers); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return 1 if value >= 0 else -1
    if isinstance(value, dict):
        for key in ("$numberInt", "$numberLong", "$numberDouble"):
            if key in value:
                try:
                    return 1 if float(value[key]) >= 0 else -1
                except (TypeError, ValueError):
                    return None
    return None


def mask_pipeline(pipeline: list[Any]) -> list[Any]:
    """An aggregation pipeline, stage by stage: ``$match`` masks like a filter, ``$sort`` keeps
    its directions, ``$limit``/``$skip`` mask their numbers, name-carrying stages keep their
    names, every other stage masks like an expression."""
    return [_mask_stage(stage) for stage in pipeline]


def _mask_stage(stage: Any) -> Any:
    if not isinstance(stage, dict) or len(stage) != 1:
        return mask_expression(stage)
    ((name, arg),) = stage.items()
    if name == "$match" and isinstance(arg, dict):
        return {name: mask_query(arg)}
    if name == "$sort":
        return {name: sort_document(arg)}
    if name in ("$limit", "$skip"):
        return {name: MASK}
    if name == "$project" and isinstance(arg, dict):
        return {name: mask_projection(arg)}
    if name == "$facet" and isinstance(arg, dict):
        return {
            name: {k: mask_pipeline(v) if isinstance(v, list) else MASK for k, v in arg.items()}
        }
    if name in _NAME_STAGES:
        return {name: _mask_names(arg)}
    return {name: mask_expression(arg)}
