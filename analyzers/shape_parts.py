"""The pieces query fingerprints are built from: the ``QueryShape`` record, the names that
never belong to a shape, collection references, JSON rendering and the params hash."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any, Final

import orjson

from analyzers.masking import mask_query, sort_direction

GETMORE_SUFFIX: Final = ".getMore()"
TRUNCATED: Final = "<truncated>"

# Fields every command carries that say nothing about its shape (sessions, routing, concerns).
GENERIC_FIELDS: Final = frozenset(
    {
        "lsid",
        "$db",
        "$clusterTime",
        "$readPreference",
        "$configTime",
        "$topologyTime",
        "$audit",
        "$client",
        "$configServerState",
        "txnNumber",
        "autocommit",
        "startTransaction",
        "readConcern",
        "writeConcern",
        "maxTimeMS",
        "comment",
        "apiVersion",
        "apiStrict",
        "apiDeprecationErrors",
        "shardVersion",
        "databaseVersion",
        "clientOperationKey",
        "mayBypassWriteConcern",
        "$queryOptions",
    }
)

# First aggregation stages that make a pipeline a diagnostic read, not an application query.
# A change stream is an application's, but its getMores wait for changes (awaitData): their
# durations measure waiting, not work, so it is kept out of the query analysis too.
DIAGNOSTIC_STAGES: Final = frozenset(
    {
        "$changeStream",
        "$collStats",
        "$indexStats",
        "$currentOp",
        "$listSessions",
        "$listLocalSessions",
        "$planCacheStats",
        "$queryStats",
        "$shardedDataDistribution",
        "$listSearchIndexes",
        "$listSampledQueries",
    }
)

# Commands whose first value names the collection they act on (a log line of such a command
# on "<db>.$cmd" is about "<db>.<that collection>").
COLLECTION_COMMANDS: Final = frozenset(
    {
        "find",
        "aggregate",
        "count",
        "distinct",
        "findandmodify",
        "insert",
        "update",
        "delete",
        "listindexes",
        "collstats",
        "create",
        "drop",
        "createindexes",
        "dropindexes",
        "validate",
        "collmod",
        "compact",
        "mapreduce",
        "reindex",
    }
)

_IDENTIFIER: Final = re.compile(r"^[A-Za-z_$][\w$]*$")


class QueryShape:
    """What a command says about the query it runs. Made once per event: a plain class, which
    compiled (``perfsight.compiled``) needs no Python-level constructor, unlike a NamedTuple."""

    __slots__ = (
        "collection",
        "command_name",
        "diagnostic",
        "filter_shape",
        "fingerprint",
        "limit",
        "params_hash",
        "projection",
        "skip",
        "sort",
        "truncated",
    )

    def __init__(
        self,
        command_name: str,
        fingerprint: str,
        params_hash: str,
        collection: str | None = None,  # from the command, when the namespace is "<db>.$cmd"
        filter_shape: dict[str, Any] | None = None,
        sort: tuple[tuple[str, int], ...] | None = None,
        projection: dict[str, Any] | None = None,
        limit: int | None = None,
        skip: int | None = None,
        truncated: bool = False,
        diagnostic: bool = False,
    ) -> None:
        self.command_name = command_name
        self.fingerprint = fingerprint
        self.params_hash = params_hash
        self.collection = collection
        self.filter_shape = filter_shape
        self.sort = sort
        self.projection = projection
        self.limit = limit
        self.skip = skip
        self.truncated = truncated
        self.diagnostic = diagnostic

    def _values(self) -> tuple[Any, ...]:
        return (
            self.command_name,
            self.fingerprint,
            self.params_hash,
            self.collection,
            self.filter_shape,
            self.sort,
            self.projection,
            self.limit,
            self.skip,
            self.truncated,
            self.diagnostic,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QueryShape) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.command_name, self.fingerprint, self.params_hash))

    def __repr__(self) -> str:
        return f"QueryShape{self._values()!r}"


@lru_cache(maxsize=4096)
def collection_ref(collection: str) -> str:
    """``db.leads``, or ``db.getCollection("system.keys")`` when the name is no identifier."""
    if _IDENTIFIER.match(collection):
        return f"db.{collection}"
    return f"db.getCollection({to_json(collection)})"


_dumps: Final = orjson.dumps  # (Final: a C static, not a module attribute looked up per call)


def dumps_literals(value: Any) -> bytes:
    try:
        return _dumps(value, default=_LITERAL_DEFAULT)
    except TypeError:  # an integer beyond 64 bits (Python's json reads them; orjson not)
        return json.dumps(value, default=_LITERAL_DEFAULT, separators=(",", ":")).encode()


def to_json(value: Any) -> str:
    return dumps_literals(value).decode()


def _literal_default(value: Any) -> str:
    # Values orjson cannot encode (bson ObjectId, Regex, Binary, Decimal128 from a live server)
    # still need a stable encoding for params_hash: type and text.
    return f"{type(value).__name__}:{value}"


# (Final: compiled, these are C statics, not looked up at every call)
_LITERAL_DEFAULT: Final = _literal_default
_blake2b: Final = hashlib.blake2b


def params_hash(namespace: str, *parts: Any) -> str:
    data = dumps_literals((namespace, parts))
    return _blake2b(data, digest_size=8).hexdigest()


def as_int(value: Any) -> int | None:
    """A count or limit from a command (Extended JSON numbers too); None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, dict):
        for key in ("$numberInt", "$numberLong", "$numberDouble"):
            if key in value:
                try:
                    return int(float(value[key]))
                except (TypeError, ValueError):
                    return None
    return None


def sort_pairs(sort: Any) -> tuple[tuple[str, int], ...] | None:
    """A sort specification as ``((field, 1 | -1), …)``; None when there is none."""
    if not isinstance(sort, dict) or not sort:
        return None
    pairs = []
    for field, value in sort.items():
        direction = sort_direction(value)
        if direction is not None:  # {"$meta": "textScore"} cannot be an index key
            pairs.append((field, direction))
    return tuple(pairs) or None


def masked_filter(value: Any) -> dict[str, Any] | None:
    return mask_query(value) if isinstance(value, dict) else None
