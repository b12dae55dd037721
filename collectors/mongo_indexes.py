"""The indexes a live server has: their keys for the missing-index advisor (``list_indexes``)
and their usage counters for unused-index findings (``$indexStats``, through ``MongoAdmin``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import MongoClient

from analyzers.unused_indexes import IndexUsage
from collectors.index_file import add_index
from collectors.mongo_admin import IndexStatsUnavailable, MongoAdmin
from collectors.mongo_connect import mongo_errors
from perfsight.errors import InputError
from perfsight.models import IndexKey

MAX_COLLECTIONS = 500  # per database, for $indexStats: a bound on the calls one analysis makes
_VIEW_ERRORS = ("is a view", "CommandNotSupportedOnView")


def existing_indexes(
    client: MongoClient[dict[str, Any]],
    namespaces: Iterable[str],
    *,
    target: str,
    uri: str | None = None,
) -> tuple[dict[str, list[IndexKey]], list[str]]:
    """``list_indexes`` of each namespace: namespace -> index keys (partial indexes left out,
    with a note), the shape ``AnalysisContext.indexes`` takes."""
    found: dict[str, list[IndexKey]] = {}
    notes: list[str] = []
    for namespace in sorted(set(namespaces)):
        database, _, collection = namespace.partition(".")
        if not collection or collection.startswith("system.") or collection == "$cmd":
            continue
        with mongo_errors(target, f"list the indexes of {namespace}", uri=uri):
            specs = list(client[database][collection].list_indexes())
        found.setdefault(namespace, [])
        for spec in specs:
            where = f"{target} {namespace} index {spec.get('name', '?')}"
            try:
                add_index(found, namespace, dict(spec), where, notes)
            except InputError as exc:
                notes.append(f"{exc}: left out")
    return found, notes


def index_usage(
    admin: MongoAdmin,
    client: MongoClient[dict[str, Any]],
    databases: Sequence[str],
    *,
    uri: str | None = None,
) -> tuple[list[IndexUsage], list[str]]:
    """Every index's usage counter in the databases; notes say what could not be read."""
    usages: list[IndexUsage] = []
    notes: list[str] = []
    for database in databases:
        with mongo_errors(admin.target, f"list the collections of {database}", uri=uri):
            names = sorted(
                n for n in client[database].list_collection_names() if not n.startswith("system.")
            )
        if len(names) > MAX_COLLECTIONS:
            notes.append(
                f"{database}: {len(names)} collections, index usage read for the first "
                f"{MAX_COLLECTIONS} only"
            )
        for name in names[:MAX_COLLECTIONS]:
            try:
                usages.extend(admin.index_usage(database, name))
            except IndexStatsUnavailable as exc:
                if not any(marker in str(exc) for marker in _VIEW_ERRORS):
                    notes.append(f"{database}.{name}: index usage unavailable: {exc}")
    return usages, notes
