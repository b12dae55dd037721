"""Query fingerprints: mongosh-style text with every literal replaced by ``?``.

``db.leads.find({"tenant":"?","status":"?"}).sort({"createdAt":-1}).limit(?)`` — keys, operators,
sort directions and the collection are kept, so the text is stable when values change and
differs between collections and commands. Covered: find, aggregate (``$match`` masked like a
filter), count, distinct, update/delete statements, findAndModify, getMore (the originating
command's fingerprint plus ``.getMore()``), insert, and any other command as
``db.runCommand({...})``. A command the server truncated (``{"$truncated": …}``, over 50 KB) keeps
its name and collection and shows ``<truncated>`` for the rest.

``params_hash`` hashes the literal values too: two operations with equal fingerprints and equal
``params_hash`` are the same query with the same parameters (what N+1 detection needs).
The namespace is part of what is hashed, so equal params hashes never cross databases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from analyzers.masking import MASK, mask_pipeline, mask_projection, mask_update, sort_document
from analyzers.shape_parts import (
    COLLECTION_COMMANDS,
    DIAGNOSTIC_STAGES,
    GENERIC_FIELDS,
    GETMORE_SUFFIX,
    TRUNCATED,
    QueryShape,
    as_int,
    collection_ref,
    masked_filter,
    params_hash,
    sort_pairs,
    to_json,
)

__all__ = [
    "GENERIC_FIELDS",
    "GETMORE_SUFFIX",
    "QueryShape",
    "base_fingerprint",
    "collection_ref",
    "fingerprint",
    "params_hash",
    "shape_of",
]

_TRUNCATED_HEAD: Final = re.compile(r'^\s*\{\s*"?(\w+)"?\s*:\s*"((?:[^"\\]|\\.)*)"')


def fingerprint(command: Mapping[str, Any], namespace: str, op: str = "command") -> str:
    """The fingerprint of one command (or update/delete statement) on ``namespace``."""
    return shape_of(command, namespace=namespace, op=op).fingerprint


def base_fingerprint(text: str) -> str:
    """A getMore's fingerprint without its suffix: the query whose cursor it continues."""
    return text.removesuffix(GETMORE_SUFFIX)


def shape_of(
    command: Mapping[str, Any],
    *,
    namespace: str,
    op: str = "command",
    origin: Mapping[str, Any] | None = None,
) -> QueryShape:
    """Fingerprint, params hash and the parts an index advisor needs, for one command.

    ``op`` is the profiler's operation type: for ``update``/``remove`` the command is one
    statement (``{"q": …, "u": …}``). ``origin`` is a getMore's ``originatingCommand``.
    """
    # The handlers read dicts: compiled, a dict's get is a direct call, a Mapping's a method
    # lookup (JSON and BSON decoders give dicts; anything else is copied once).
    doc = command if type(command) is dict else dict(command)
    origin_doc = origin if origin is None or type(origin) is dict else dict(origin)
    return _shape(doc, namespace, op, origin_doc)


def _shape(
    command: dict[str, Any], namespace: str, op: str, origin: dict[str, Any] | None
) -> QueryShape:
    collection = namespace.partition(".")[2]
    if (op == "update" or op == "remove") and "q" in command:
        return _statement(command, op, collection, namespace)
    name = ""
    for key in command:  # the first key (compiled, a loop makes no iterator object)
        name = key
        break
    if name == "$truncated":
        return _truncated(command, collection)
    lower = name.lower()
    target = command.get(name)
    if collection == "$cmd" and isinstance(target, str) and lower in COLLECTION_COMMANDS:
        collection = target
    # the common commands called directly (compiled: a native call), the rest by table
    if lower == "find":
        return _find(command, collection, namespace, origin)
    if lower == "aggregate":
        return _aggregate(command, collection, namespace, origin)
    if lower == "getmore":
        return _get_more(command, collection, namespace, origin)
    handler = _HANDLERS.get(lower)
    if handler is None:
        return _generic(command, name, collection, namespace)
    return handler(command, collection, namespace, origin)


def _find(
    command: dict[str, Any], coll: str, ns: str, _origin: dict[str, Any] | None
) -> QueryShape:
    query = command.get("filter")
    masked = masked_filter(query)
    text = [f"{collection_ref(coll)}.find({to_json(masked if masked is not None else {})}"]
    projection = command.get("projection")
    masked_projection = mask_projection(projection) if isinstance(projection, dict) else None
    if masked_projection:
        text.append(f", {to_json(masked_projection)}")
    text.append(")")
    sort = command.get("sort")
    if isinstance(sort, dict) and sort:
        text.append(f".sort({to_json(sort_document(sort))})")
    skip, limit = as_int(command.get("skip")), as_int(command.get("limit"))
    if skip:
        text.append(".skip(?)")
    if limit:
        text.append(".limit(?)")
    hint = command.get("hint")
    if hint:
        text.append(f".hint({to_json(hint if isinstance(hint, str) else sort_document(hint))})")
    if command.get("collation"):
        text.append(".collation(?)")
    return QueryShape(
        command_name="find",
        fingerprint="".join(text),
        params_hash=params_hash(ns, query, skip, limit),
        collection=coll,
        filter_shape=masked,
        sort=sort_pairs(sort),
        projection=masked_projection,
        limit=abs(limit) if limit else None,
        skip=skip or None,
    )


def _aggregate(
    command: dict[str, Any], coll: str, ns: str, _origin: dict[str, Any] | None
) -> QueryShape:
    pipeline = command.get("pipeline")
    stages = pipeline if isinstance(pipeline, list) else []
    target = "db" if command.get("aggregate") == 1 else collection_ref(coll)
    first = next(iter(stages[0]), "") if stages and isinstance(stages[0], dict) else ""
    # Only a leading $match (and a $sort right after it) can use an index.
    filter_shape, sort = None, None
    rest = stages
    if first == "$match":
        filter_shape = masked_filter(stages[0]["$match"])
        rest = stages[1:]
    if rest and isinstance(rest[0], dict) and "$sort" in rest[0]:
        sort = sort_pairs(rest[0]["$sort"])
    limit = skip = None
    for stage in stages:
        if isinstance(stage, dict):
            if limit is None and "$limit" in stage:
                limit = as_int(stage["$limit"])
            if skip is None and "$skip" in stage:
                skip = as_int(stage["$skip"])
    return QueryShape(
        command_name="aggregate",
        fingerprint=f"{target}.aggregate({to_json(mask_pipeline(stages))})",
        params_hash=params_hash(ns, stages),
        collection=coll,
        filter_shape=filter_shape,
        sort=sort,
        limit=limit,
        skip=skip,
        diagnostic=first in DIAGNOSTIC_STAGES,
    )


def _count(
    command: dict[str, Any], coll: str, ns: str, _origin: dict[str, Any] | None
) -> QueryShape:
    query = command.get("query")
    masked = masked_filter(query)
    skip, limit = as_int(command.get("skip")), as_int(command.get("limit"))
    text = f"{collection_ref(coll)}.count({to_json(masked if masked is not None else {})})"
    text += ".skip(?)" if skip else ""
    text += ".limit(?)" if limit else ""
    return QueryShape(
        command_name="count",
        fingerprint=text,
        params_hash=params_hash(ns, query, skip, limit),
        collection=coll,
        filter_shape=masked,
        limit=limit or None,
        skip=skip or None,
    )


def _distinct(
    command: dict[str, Any], coll: str, ns: str, _origin: dict[str, Any] | None
) -> QueryShape:
    query = command.get("query")
    masked = masked_filter(query)
    key = command.get("key")
    args = to_json(key if isinstance(key, str) else MASK)
    if masked:
        args += f", {to_json(masked)}"
    return QueryShape(
        command_name="distinct",
        fingerprint=f"{collection_ref(coll)}.distinct({args})",
        params_hash=params_hash(ns, key, query),
        collection=coll,
        filter_shape=masked,
    )


def _find_and_modify(
    command: dict[str, Any], coll: str, ns: str, _origin: dict[str, Any] | None
) -> QueryShape:
    query = command.get("query")
    masked = masked_filter(query)
    spec: dict[str, Any] = {"query": masked if masked is not None else {}}
    if isinstance(command.get("sort"), dict) and command["sort"]:
        spec["sort"] = sort_document(command["sort"])
    if "update" in command:
        spec["update"] = mask_update(command["update"])
    for flag in ("remove", "new", "upsert"):
        if command.get(flag) is True:
            spec[flag] = True
    if isinstance(command.get("fields"), dict):
        spec["fields"] = mask_projection(command["fields"])
    return QueryShape(
        command_name="findAndModify",
        fingerprint=f"{collection_ref(coll)}.findAndModify({to_json(spec)})",
        params_hash=params_hash(ns, query, command.get("update")),
        collection=coll,
        filter_shape=masked,
        sort=sort_pairs(command.get("sort")),
    )


def _get_more(
    command: dict[str, Any], coll: str, ns: str, origin: dict[str, Any] | None
) -> QueryShape:
    named = command.get("collection")
    if isinstance(named, str):
        coll = named
    if isinstance(origin, dict) and origin:
        base = _shape(origin, f"{ns.partition('.')[0]}.{coll}", "command", None)
        base.command_name = "getMore"
        base.fingerprint = base.fingerprint + GETMORE_SUFFIX
        base.collection = coll
        return base
    return QueryShape(
        command_name="getMore",
        fingerprint=f"{collection_ref(coll)}{GETMORE_SUFFIX}",
        params_hash=params_hash(ns),
        collection=coll,
    )


def _write_command(name: str) -> Callable[..., QueryShape]:
    """insert, and the update/delete *commands* (their statements are logged separately)."""

    def handler(
        command: dict[str, Any], coll: str, ns: str, _origin: dict[str, Any] | None
    ) -> QueryShape:
        return QueryShape(
            command_name=name,
            fingerprint=f"{collection_ref(coll)}.{name}(?)",
            params_hash=params_hash(ns),
            collection=coll,
        )

    return handler


def _statement(command: dict[str, Any], op: str, coll: str, ns: str) -> QueryShape:
    query = command.get("q")
    masked = masked_filter(query) or {}
    if op == "remove":
        method = "deleteOne" if as_int(command.get("limit")) == 1 else "deleteMany"
        return QueryShape(
            command_name="delete",
            fingerprint=f"{collection_ref(coll)}.{method}({to_json(masked)})",
            params_hash=params_hash(ns, query, command.get("limit")),
            collection=coll,
            filter_shape=masked,
        )
    update = command.get("u")
    masked_update = mask_update(update)
    if masked_update == MASK:
        method = "replaceOne"
    else:
        method = "updateMany" if command.get("multi") is True else "updateOne"
    args = f"{to_json(masked)}, {to_json(masked_update)}"
    if command.get("upsert") is True:
        args += ', {"upsert":true}'
    return QueryShape(
        command_name="update",
        fingerprint=f"{collection_ref(coll)}.{method}({args})",
        params_hash=params_hash(ns, query, update),
        collection=coll,
        filter_shape=masked,
        sort=sort_pairs(command.get("sort")),
    )


def _truncated(command: dict[str, Any], coll: str) -> QueryShape:
    head = command.get("$truncated")
    match = _TRUNCATED_HEAD.match(head) if isinstance(head, str) else None
    name = match.group(1) if match else "command"
    if match and (not coll or coll == "$cmd"):
        coll = match.group(2)
    return QueryShape(
        command_name=name,
        fingerprint=f"{collection_ref(coll or '$cmd')}.{name}({TRUNCATED})",
        params_hash=params_hash(coll, head),
        collection=coll or None,
        truncated=True,
    )


def _generic(command: dict[str, Any], name: str, coll: str, ns: str) -> QueryShape:
    """Any other command: its name (and collection argument) kept, every other value masked."""
    first = command.get(name)
    shown: dict[str, Any] = {name: first if isinstance(first, str) else MASK}
    for key in command:
        if key != name and key not in GENERIC_FIELDS:
            shown[key] = MASK
    parts = {k: v for k, v in command.items() if k not in GENERIC_FIELDS}
    return QueryShape(
        command_name=name,
        fingerprint=f"db.runCommand({to_json(shown)})",
        params_hash=params_hash(ns, parts),
        collection=coll if coll and coll != "$cmd" else None,
    )


_HANDLERS: Final[dict[str, Callable[..., QueryShape]]] = {
    "find": _find,
    "aggregate": _aggregate,
    "count": _count,
    "distinct": _distinct,
    "findandmodify": _find_and_modify,
    "getmore": _get_more,
    "insert": _write_command("insert"),
    "update": _write_command("update"),
    "delete": _write_command("delete"),
}
