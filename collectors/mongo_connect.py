"""A pymongo client for the live profiler, with every time limit from ``[mongo]``, and the one
place where pymongo's exceptions become perfsight's (with the URI's secrets kept out).

Every call the live profiler makes is bounded: ``serverSelectionTimeoutMS`` (finding a server),
``connectTimeoutMS`` (opening a connection, the same bound), ``socketTimeoutMS`` (any one reply)
and, on each read of ``system.profile``, ``maxTimeMS`` (the server stops the query itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

from pymongo import MongoClient
from pymongo.errors import (
    AutoReconnect,
    ConfigurationError,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
)

from perfsight import __version__
from perfsight.config.mongo import MongoSettings
from perfsight.config.redact import MASK, redact_url
from perfsight.errors import ConfigError, SourceResponseError, SourceUnavailable

# Error codes whose meaning perfsight can explain (src/mongo/base/error_codes.yml).
UNAUTHORIZED = 13
COMMAND_NOT_FOUND = 59
ATLAS_ERROR = 8000


def target_label(uri: str) -> str:
    """How a server is named in messages and in the store: the URI without its secrets."""
    return redact_url(uri)


def connect_mongo(uri: str, settings: MongoSettings) -> MongoClient[dict[str, Any]]:
    """A client for ``uri`` with ``[mongo]``'s time limits. It connects lazily: a server that
    is down shows up at the first call (``ping`` checks it at once)."""
    try:
        return MongoClient(
            uri,
            serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
            connectTimeoutMS=settings.server_selection_timeout_ms,
            socketTimeoutMS=settings.socket_timeout_ms,
            tz_aware=True,
            appname=f"perfsight {__version__}",
            retryReads=False,  # a failed read is reported and retried at the next poll
        )
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(
            f"not a usable MongoDB URI ({scrub(str(exc), uri)}): {target_label(uri)}",
            source="mongo.uri",
        ) from exc


def ping(client: MongoClient[dict[str, Any]], target: str) -> None:
    """Fail fast, with a clear message, when the server cannot be reached."""
    with mongo_errors(target, "connect"):
        client.admin.command("ping")


def scrub(text: str, uri: str | None) -> str:
    """``text`` without the URI's password (pymongo's messages may quote parts of the URI) and
    without the topology dump that follows the useful part of a selection error."""
    text = text.split(", Topology Description:")[0]
    if uri:
        password = urlsplit(uri).password if "://" in uri else None
        for secret in {password, unquote(password or "")} - {None, ""}:
            text = text.replace(str(secret), MASK)
    return text


@contextmanager
def mongo_errors(target: str, action: str, *, uri: str | None = None) -> Iterator[None]:
    """Turn pymongo's exceptions raised while doing ``action`` into perfsight's typed errors,
    naming the server (``target``, already redacted)."""
    try:
        yield
    except AutoReconnect as exc:  # server selection, network errors and timeouts
        raise SourceUnavailable(
            f"cannot reach {target} to {action}: {scrub(str(exc), uri)} — is the server "
            "running and reachable? ([mongo] server_selection_timeout_ms bounds the wait)",
            source="mongo",
        ) from exc
    except ExecutionTimeout as exc:
        raise SourceUnavailable(
            f"{target} did not finish {action} within [mongo] max_time_ms", source="mongo"
        ) from exc
    except OperationFailure as exc:
        raise SourceResponseError(
            f"{target} refused to {action}: {explain(exc, uri)}", source="mongo"
        ) from exc
    except PyMongoError as exc:
        raise SourceResponseError(
            f"{target}: {action} failed: {scrub(str(exc), uri)}", source="mongo"
        ) from exc


def explain(exc: OperationFailure, uri: str | None = None) -> str:
    """The server's refusal in words a user can act on."""
    details = exc.details or {}
    message = scrub(str(details.get("errmsg") or exc), uri)
    code = exc.code
    if code == UNAUTHORIZED:
        return (
            f"{message} (code 13 Unauthorized: the profiler needs the dbAdmin role on each "
            "profiled database, $indexStats the clusterMonitor role)"
        )
    if code == ATLAS_ERROR:
        return f"{message} (Atlas does not allow this command on this cluster tier)"
    name = details.get("codeName")
    return f"{message} (code {code}{f' {name}' if name else ''})"
