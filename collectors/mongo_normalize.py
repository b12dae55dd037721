"""Normalisation of MongoDB operation records to ``QueryEvent``, for server versions 4.4 to 8.0.

Two record forms describe the same operations: a ``system.profile`` document and the ``attr`` of
a logv2 "Slow query" line (id 51803). They differ in names (``millis``/``durationMillis``,
``responseLength``/``reslen``, ``client``/``remote``, ``ts``/``t``) and in how they type the
operation; both go through ``Normalizer``. Version differences handled here: ``queryHash``
(4.2–7.x) vs ``planCacheShapeHash`` (+ ``queryShapeHash``, 8.0); boolean flags present only
when true; ``{"$truncated": …}`` commands; a getMore described by its ``originatingCommand``.

A record that cannot be normalised raises ``BadRecord`` with the reason (field and value) —
the readers count and report it with its line number; nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import orjson
from msgspec import UNSET
from msgspec.structs import astuple

from analyzers.events import EventFields, remember
from analyzers.fingerprint import shape_of
from collectors.event_factory import event_from_values
from collectors.extjson import to_datetime, to_float, to_int
from collectors.line_document import LineDocument
from collectors.log_schema import LogLine, SlowQueryAttr
from perfsight.config.mongo import MongoSettings
from perfsight.models import QueryEvent, RequestContext, request_context

# Imported names the per-event code uses, as Final module constants: compiled, a Final is a C
# static, any other module-level name a dictionary lookup at every use.
_UNSET: Final = UNSET
_UTC: Final = UTC
_from_iso: Final = datetime.fromisoformat
_astuple: Final = astuple
_new_event: Final = event_from_values


class BadRecord(Exception):
    """A record that is not a usable operation record; ``reason`` says what and where."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How readers turn records into events.

    ``since``: events that ended before it are counted, not returned. The comment settings are
    ``[mongo] comment_*`` (see ``perfsight.models.request_context``). ``keep_raw``: keep the
    source document on ``QueryEvent.raw`` (analyzers that keep events in memory may turn it off).
    """

    since: datetime | None = None
    rid_key: str = "rid"
    route_key: str = "route"
    comment_regex: re.Pattern[str] | None = None
    keep_raw: bool = True

    @classmethod
    def from_settings(
        cls, mongo: MongoSettings, *, since: datetime | None = None, keep_raw: bool = True
    ) -> ReadOptions:
        regex = re.compile(mongo.comment_regex) if mongo.comment_regex else None
        return cls(
            since=since,
            rid_key=mongo.comment_rid_key,
            route_key=mongo.comment_route_key,
            comment_regex=regex,
            keep_raw=keep_raw,
        )


# Admin and diagnostic commands (lower-cased): kept as events, never analysed as queries.
ADMIN_COMMANDS: Final = frozenset(
    name.lower()
    for name in [
        "hello",
        "isMaster",
        "ping",
        "buildInfo",
        "hostInfo",
        "serverStatus",
        "dbStats",
        "collStats",
        "listIndexes",
        "listCollections",
        "listDatabases",
        "getParameter",
        "setParameter",
        "getLog",
        "getCmdLineOpts",
        "replSetGetStatus",
        "replSetGetConfig",
        "replSetHeartbeat",
        "replSetUpdatePosition",
        "saslStart",
        "saslContinue",
        "authenticate",
        "logout",
        "endSessions",
        "refreshSessions",
        "startSession",
        "killCursors",
        "killSessions",
        "currentOp",
        "killOp",
        "profile",
        "explain",
        "createIndexes",
        "dropIndexes",
        "create",
        "drop",
        "dropDatabase",
        "renameCollection",
        "collMod",
        "validate",
        "connectionStatus",
        "whatsmyuri",
        "top",
        "getDefaultRWConcern",
        "getFreeMonitoringStatus",
        "listCommands",
        "dbHash",
        "usersInfo",
        "rolesInfo",
        "atlasVersion",
        "logRotate",
        "fsync",
        "compact",
        "reIndex",
        "shardingState",
        "getShardVersion",
        "isdbgrid",
        "features",
        "getnonce",
        "dataSize",
        "getDiagnosticData",
        "setFeatureCompatibilityVersion",
        "abortTransaction",
        "commitTransaction",
    ]
)
ADMIN_DATABASES: Final = frozenset({"admin", "config", "local"})

# A logv2 COMMAND line types every command "command"; the profiler's op names are the norm.
_LOG_OPS: Final = {"find": "query", "getmore": "getmore", "insert": "insert"}
_CURSOR_COMMANDS: Final = frozenset({"find", "aggregate", "getMore"})
_STATEMENT_TYPES: Final = frozenset({"update", "remove", "query", "getmore"})


def _count(stats: Mapping[str, Any], key: str) -> int | None:
    value = stats.get(key)
    if value is None or type(value) is int:
        return value
    try:
        return to_int(value)
    except ValueError as exc:
        raise BadRecord(f"field '{key}': {exc}") from None


def _text(stats: Mapping[str, Any], key: str) -> str | None:
    value = stats.get(key)
    if value is None or type(value) is str:
        return value
    raise BadRecord(f"field '{key}' is not a string: {value!r:.60}")


def _error(stats: Mapping[str, Any]) -> str | None:
    if "errCode" not in stats and "errMsg" not in stats and stats.get("ok", 1) != 0:
        return None
    name = stats.get("errName") or "error"
    code = stats.get("errCode")
    message = stats.get("errMsg") or ""
    head = f"{name} ({code})" if code is not None else str(name)
    return f"{head}: {message}" if message else head


class Normalizer:
    """Profile documents and slow-query log entries → ``QueryEvent``."""

    __slots__ = ("_keep_raw", "_rid_key", "_route_key", "_since", "options")

    def __init__(self, options: ReadOptions | None = None) -> None:
        self.options = options or ReadOptions()
        self._since = self.options.since
        self._keep_raw = self.options.keep_raw
        self._rid_key = self.options.rid_key
        self._route_key = self.options.route_key

    def profile_document(self, doc: Any, source: str | None = None) -> QueryEvent | None:
        """One ``system.profile`` document; None when it ended before ``since``."""
        if not isinstance(doc, dict):
            raise BadRecord(f"a profile document must be an object, not {type(doc).__name__}")
        for key in ("op", "ns", "ts", "millis", "command"):
            if key not in doc:
                raise BadRecord(f"missing field '{key}'")
        ts = self._time(doc["ts"], "ts")
        if self._since is not None and ts < self._since:
            return None
        op = doc["op"]
        if type(op) is not str:
            raise BadRecord(f"field 'op' is not a string: {op!r:.60}")
        return self._event(
            op,
            doc["ns"],
            doc["command"],
            doc.get("originatingCommand"),
            _dict_stats(doc),
            ts,
            self._millis(doc["millis"], "millis"),
            _count(doc, "responseLength"),
            _text(doc, "client"),
            source,
            doc if self._keep_raw else None,
        )

    def log_entry(self, entry: Mapping[str, Any], source: str | None = None) -> QueryEvent | None:
        """One parsed logv2 "Slow query" line; None when it ended before ``since``."""
        attr = entry.get("attr")
        if not isinstance(attr, dict):
            raise BadRecord("slow-query entry without an 'attr' object")
        try:
            t, ns, command, millis = entry["t"], attr["ns"], attr["command"], attr["durationMillis"]
        except KeyError as missing:
            where = "t" if missing.args[0] == "t" else f"attr.{missing.args[0]}"
            raise BadRecord(f"missing field '{where}'") from None
        ctx = entry.get("ctx")
        if ctx is not None and type(ctx) is not str:  # the connection pairs WRITE/COMMAND twins
            raise BadRecord(f"field 'ctx' is not a string: {ctx!r:.60}")
        ts = self._time(t, "t")
        if self._since is not None and ts < self._since:
            return None
        reslen, remote = attr.get("reslen"), attr.get("remote")
        if not (_plain(reslen) and _text_or_none(remote)):
            reslen, remote = _count(attr, "reslen"), _text(attr, "remote")
        return self._event(
            _log_op(attr.get("type"), command, ns),
            ns,
            command,
            attr.get("originatingCommand"),
            _dict_stats(attr),
            ts,
            # a float, as the profiler path gives it (and as the compiled build stores it anyway)
            float(millis) if type(millis) is int else self._millis(millis, "attr.durationMillis"),
            reslen,
            remote,
            source,
            entry if self._keep_raw else None,
        )

    def log_line(self, line: LogLine, data: bytes, source: str | None = None) -> QueryEvent | None:
        """``log_entry`` of a line decoded with ``collectors.log_schema`` (``data``: the line):
        the same event, read without building the fields nobody reads. A line this path does
        not expect (a field missing or oddly typed, an error reply) is parsed whole and goes
        through ``log_entry``: the same result, the same rejection messages."""
        unset = _UNSET
        attr = line.attr
        if attr is None:
            return self._whole(data, source)
        values = _astuple(attr)  # one call instead of an attribute lookup per field
        t, ctx = line.t, line.ctx
        ns, command, millis = values[0], values[1], values[2]
        if not (
            type(t) is dict
            and type(ns) is str
            and ns
            and type(command) is dict
            and (type(millis) is int or type(millis) is float)
            and (ctx is unset or type(ctx) is str)
        ):
            return self._whole(data, source)
        text = t.get("$date")
        if type(text) is not str:
            return self._whole(data, source)
        try:
            ts = _from_iso(text)
        except ValueError:
            return self._whole(data, source)
        if ts.tzinfo is None:
            return self._whole(data, source)
        if ts.tzinfo is not _UTC:
            ts = ts.astimezone(_UTC)
        if self._since is not None and ts < self._since:
            return None
        reslen, remote = values[5], values[6]
        if reslen is unset:
            reslen = None
        if remote is unset:
            remote = None
        stats = _attr_stats(values)
        if stats is None or not (_plain(reslen) and _text_or_none(remote)):
            return self._whole(data, source)
        origin = values[4]
        return self._event(
            _log_op(values[3], command, ns),
            ns,
            command,
            None if origin is unset else origin,
            stats,
            ts,
            float(millis),
            reslen,
            remote,
            source,
            LineDocument(data) if self._keep_raw else None,
        )

    def _whole(self, data: bytes, source: str | None) -> QueryEvent | None:
        try:
            entry = orjson.loads(data)
        except orjson.JSONDecodeError as exc:  # msgspec read it: e.g. an integer beyond 64 bits
            raise BadRecord(f"not JSON: {exc}") from None
        return self.log_entry(entry, source)

    @staticmethod
    def _time(value: Any, key: str) -> datetime:
        if type(value) is dict:  # the usual {"$date": "<ISO>"}, decoded inline
            text = value.get("$date")
            if type(text) is str:
                try:
                    parsed = datetime.fromisoformat(text)
                except ValueError:
                    parsed = None
                if parsed is not None and parsed.tzinfo is not None:
                    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
        try:
            return to_datetime(value)
        except ValueError as exc:
            raise BadRecord(f"field '{key}': {exc}") from None

    @staticmethod
    def _millis(value: Any, key: str) -> float:
        if type(value) is int or type(value) is float:
            return float(value)
        try:
            return to_float(value)
        except ValueError as exc:
            raise BadRecord(f"field '{key}': {exc}") from None

    def _event(  # positional: called once per event
        self,
        op: str,
        ns: Any,
        command: Any,
        origin: Any,
        stats: Stats,
        ts: datetime,
        millis: float,
        response_length: int | None,
        client: str | None,
        source: str | None,
        raw: Mapping[str, Any] | LineDocument | None,  # (a LineDocument is a registered Mapping)
    ) -> QueryEvent:
        if type(ns) is not str or not ns:
            raise BadRecord(f"field 'ns' is not a namespace: {ns!r:.60}")
        if not isinstance(command, dict):
            raise BadRecord(f"field 'command' is not an object: {command!r:.60}")
        if not isinstance(origin, dict):
            origin = None
        shape = shape_of(command, namespace=ns, op=op, origin=origin)
        database, _, collection = ns.partition(".")
        if shape.collection and collection == "$cmd":
            collection = shape.collection
            ns = f"{database}.{collection}"
        comment = command.get("comment")
        if comment is None and origin is not None:
            comment = origin.get("comment")
        if comment is None:
            rid = route = None
        elif type(comment) is dict:  # the usual {rid, route}: request_context, inline
            rid, route = (
                _plain_text(comment.get(self._rid_key)),
                _plain_text(comment.get(self._route_key)),
            )
        else:
            context = self._context(comment)
            rid, route = context.request_id, context.route
        name = shape.command_name
        (
            docs,
            keys,
            nreturned,
            matched,
            deleted,
            plan,
            app,
            shape_hash,
            query_hash,
            sort_stage,
            used_disk,
            exhausted,
            error,
        ) = stats
        exhausted_or_none = exhausted if name in _CURSOR_COMMANDS else None
        is_admin = (
            shape.diagnostic
            or database in ADMIN_DATABASES
            or collection.startswith("system.")
            or name.lower() in ADMIN_COMMANDS
        )
        fingerprint, filter_shape, sort, limit = (
            shape.fingerprint,
            shape.filter_shape,
            shape.sort,
            shape.limit,
        )
        params, truncated = shape.params_hash, shape.truncated
        event: QueryEvent = _new_event(
            ts,
            op,
            ns,
            name,
            fingerprint,
            millis,
            filter_shape,
            sort,
            limit,
            shape.projection,
            docs,
            keys,
            nreturned,
            response_length,
            plan,
            sort_stage,
            used_disk,
            query_hash,
            client,
            app,
            rid,
            route,
            params,
            exhausted_or_none,
            is_admin,
            error,
            source,
            raw,
            shape.skip,
            matched,
            deleted,
            shape_hash,
            truncated,
        )
        # the analyzers' compiled record of this event, from the same values (analyzers.events)
        remember(
            EventFields(
                event,
                ts,
                op,
                ns,
                name,
                fingerprint,
                millis,
                filter_shape,
                sort,
                limit,
                docs,
                keys,
                nreturned,
                response_length,
                plan,
                sort_stage,
                used_disk,
                query_hash,
                client,
                app,
                rid,
                route,
                params,
                exhausted_or_none,
                is_admin,
                error,
                matched,
                deleted,
                truncated,
            )
        )
        return event

    def _context(self, comment: Any) -> RequestContext:
        options = self.options
        return request_context(
            comment,
            rid_key=options.rid_key,
            route_key=options.route_key,
            regex=options.comment_regex,
        )


# What ``_event`` reads of a record besides its command: docsExamined, keysExamined, nreturned,
# nMatched, ndeleted, planSummary, appName, queryShapeHash, then queryHash (or 8.0's
# planCacheShapeHash), hasSortStage (or scanAndOrder), usedDisk, cursorExhausted, the error.
Stats = tuple[Any, ...]


def _log_op(kind: Any, command: Any, ns: Any) -> str:
    """A log line's operation type, in the profiler's terms."""
    if kind != "command" and kind in _STATEMENT_TYPES:  # ("command": every COMMAND line)
        return str(kind)
    if not isinstance(command, dict):
        return "command"
    name = ""
    for key in command:  # the first key (a loop makes no iterator object, compiled)
        name = str(key).lower()
        break
    if (name == "update" or name == "delete") and str(ns).endswith(".$cmd"):
        return "update" if name == "update" else "remove"
    return _LOG_OPS.get(name, "command")


def command_twin(attr: SlowQueryAttr | None) -> tuple[str, str] | None:
    """(namespace, op) of an update or delete *command* line (``ns: "<db>.$cmd"``), as
    ``log_line`` would normalise it, from those fields alone; None for any other line. Such a
    line is the ``COMMAND`` twin of the ``WRITE`` lines of its statements
    (``collectors.mongo_log``)."""
    if attr is None:
        return None
    ns, command, kind = attr.ns, attr.command, attr.type
    if type(ns) is not str or type(command) is not dict or kind in _STATEMENT_TYPES:
        return None  # (a statement's own line: a WRITE line, never a twin)
    op = _log_op(kind, command, ns)
    if op != "update" and op != "remove":
        return None
    target = command[next(iter(command))]
    database, _, collection = ns.partition(".")
    if collection == "$cmd" and type(target) is str and target:  # as shape_of and _event do
        collection = target
    return f"{database}.{collection}", op


def _attr_stats(values: tuple[Any, ...]) -> Stats | None:
    """``_dict_stats`` of a decoded log line (``astuple`` of its ``SlowQueryAttr``) when every
    value is plain (ints, strings) and there is no error reply; None sends the line down the
    ordinary path."""
    unset = _UNSET
    if values[21] is not unset or values[22] is not unset or values[24] is not unset:
        return None  # errCode, errMsg, ok: an error reply
    docs, keys, nreturned, matched, deleted = (
        values[7],
        values[8],
        values[9],
        values[10],
        values[11],
    )
    plan, app, shape_hash = values[12], values[13], values[14]
    if not (
        (docs is unset or docs is None or type(docs) is int)
        and (keys is unset or keys is None or type(keys) is int)
        and (nreturned is unset or nreturned is None or type(nreturned) is int)
        and (matched is unset or matched is None or type(matched) is int)
        and (deleted is unset or deleted is None or type(deleted) is int)
        and (plan is unset or plan is None or type(plan) is str)
        and (app is unset or app is None or type(app) is str)
        and (shape_hash is unset or shape_hash is None or type(shape_hash) is str)
    ):
        return None
    query_hash = values[15]
    if query_hash is unset or not query_hash:
        query_hash = values[16]  # 8.0's planCacheShapeHash
    return (
        None if docs is unset else docs,
        None if keys is unset else keys,
        None if nreturned is unset else nreturned,
        None if matched is unset else matched,
        None if deleted is unset else deleted,
        None if plan is unset else plan,
        None if app is unset else app,
        None if shape_hash is unset else shape_hash,
        query_hash if type(query_hash) is str else None,
        values[17] is True or values[18] is True,  # hasSortStage, scanAndOrder
        values[19] is True,  # usedDisk
        values[20] is True,  # cursorExhausted
        None,
    )


# The positions log_line and _attr_stats read in ``astuple(SlowQueryAttr)``.
_ATTR_ORDER: Final = (
    "ns",
    "command",
    "durationMillis",
    "type",
    "originatingCommand",
    "reslen",
    "remote",
    "docsExamined",
    "keysExamined",
    "nreturned",
    "nMatched",
    "ndeleted",
    "planSummary",
    "appName",
    "queryShapeHash",
    "queryHash",
    "planCacheShapeHash",
    "hasSortStage",
    "scanAndOrder",
    "usedDisk",
    "cursorExhausted",
    "errCode",
    "errMsg",
    "errName",
    "ok",
)
if tuple(SlowQueryAttr.__struct_fields__) != _ATTR_ORDER:
    raise ImportError("SlowQueryAttr's fields changed order: update collectors.mongo_normalize")


def _dict_stats(stats: dict[str, Any]) -> Stats:
    """Counters and texts of a record: ints and strings on the fast path; anything else is
    decoded (Extended JSON numbers) or rejected with the field named."""
    get = stats.get
    docs, keys, nreturned = get("docsExamined"), get("keysExamined"), get("nreturned")
    matched, deleted = get("nMatched"), get("ndeleted")
    plan, app, shape_hash = get("planSummary"), get("appName"), get("queryShapeHash")
    # (the checks of _plain and _text_or_none, inline: this runs once per event)
    if not (
        (docs is None or type(docs) is int)
        and (keys is None or type(keys) is int)
        and (nreturned is None or type(nreturned) is int)
        and (matched is None or type(matched) is int)
        and (deleted is None or type(deleted) is int)
    ):
        docs, keys = _count(stats, "docsExamined"), _count(stats, "keysExamined")
        nreturned = _count(stats, "nreturned")
        matched, deleted = _count(stats, "nMatched"), _count(stats, "ndeleted")
    if not (
        (plan is None or type(plan) is str)
        and (app is None or type(app) is str)
        and (shape_hash is None or type(shape_hash) is str)
    ):
        plan, app = _text(stats, "planSummary"), _text(stats, "appName")
        shape_hash = _text(stats, "queryShapeHash")
    query_hash = get("queryHash") or get("planCacheShapeHash")
    return (
        docs,
        keys,
        nreturned,
        matched,
        deleted,
        plan,
        app,
        shape_hash,
        query_hash if type(query_hash) is str else None,
        get("hasSortStage") is True or get("scanAndOrder") is True,
        get("usedDisk") is True,
        get("cursorExhausted") is True,
        _error(stats) if "errCode" in stats or "errMsg" in stats or "ok" in stats else None,
    )


def _plain(value: Any) -> bool:
    return value is None or type(value) is int


def _text_or_none(value: Any) -> bool:
    return value is None or type(value) is str


def _plain_text(value: Any) -> str | None:
    """A request id or route from a comment document (``request_context``'s rule: empty and
    missing are None, anything else its text)."""
    if type(value) is str:
        return value or None
    return str(value) if value not in (None, "") else None
