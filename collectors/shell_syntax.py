"""The legacy ``mongo`` shell's printed documents (``printjson``, ``.pretty()``) as Extended JSON.

The shell prints typed values as constructor calls — ``NumberLong(1)``, ``ISODate("…")``,
``UUID("…")``, ``ObjectId("…")``, ``Timestamp(1, 2)``, ``BinData(0, "…")``, ``/regex/i`` — which
no JSON parser reads. ``to_extended_json`` rewrites them into their Extended JSON forms, leaving
string contents untouched, so a profile dump pasted from the shell reads like a mongoexport file.
It is only tried on documents that orjson rejected.
"""

from __future__ import annotations

import re

import orjson

_SHELL = re.compile(
    rb"""
      (?P<string>"(?:[^"\\\n]|\\.)*")
    | NumberLong\(\s*"?(?P<long>-?\d+)"?\s*\)
    | NumberInt\(\s*"?(?P<int>-?\d+)"?\s*\)
    | NumberDecimal\(\s*"(?P<decimal>[^"]*)"\s*\)
    | (?:ISODate|new\s+Date)\(\s*"(?P<date>[^"]*)"\s*\)
    | ObjectId\(\s*"(?P<oid>[0-9a-fA-F]{24})"\s*\)
    | UUID\(\s*"(?P<uuid>[0-9a-fA-F-]{32,36})"\s*\)
    | BinData\(\s*(?P<subtype>\d+)\s*,\s*"(?P<base64>[^"]*)"\s*\)
    | Timestamp\(\s*(?P<ts_t>\d+)\s*,\s*(?P<ts_i>\d+)\s*\)
    | \b(?P<key>MinKey|MaxKey)\b(?:\s*\(\s*\))?
    | \b(?P<undefined>undefined)\b
    | (?P<special>-?Infinity|NaN)\b
    | (?<=[:\[,\s])/(?P<regex>(?:[^/\\\n]|\\.)+)/(?P<flags>[a-z]*)
    """,
    re.VERBOSE,
)

MARKERS = (
    b"NumberLong(",
    b"NumberInt(",
    b"NumberDecimal(",
    b"ISODate(",
    b"new Date(",
    b"ObjectId(",
    b"UUID(",
    b"BinData(",
    b"Timestamp(",
    b"MinKey",
    b"MaxKey",
    b"undefined",
    b"Infinity",
    b"NaN",
    b": /",
)


def looks_like_shell(text: bytes) -> bool:
    return any(marker in text for marker in MARKERS)


def _dump(value: object) -> bytes:
    return orjson.dumps(value)


def _replace(match: re.Match[bytes]) -> bytes:
    group = match.lastgroup
    value = match.group(group) if group else b""
    if group == "string":
        return value
    if group in ("long", "int"):
        return _dump({"$numberLong" if group == "long" else "$numberInt": value.decode()})
    if group == "decimal":
        return _dump({"$numberDecimal": value.decode()})
    if group == "date":
        return _dump({"$date": value.decode()})
    if group == "oid":
        return _dump({"$oid": value.decode()})
    if group == "uuid":
        return _dump({"$uuid": value.decode()})
    if group in ("subtype", "base64"):
        subtype = int(match.group("subtype"))
        return _dump(
            {"$binary": {"base64": match.group("base64").decode(), "subType": f"{subtype:02x}"}}
        )
    if group in ("ts_t", "ts_i"):
        t, i = int(match.group("ts_t")), int(match.group("ts_i"))
        return _dump({"$timestamp": {"t": t, "i": i}})
    if group == "key":
        return _dump({"$minKey" if value == b"MinKey" else "$maxKey": 1})
    if group == "undefined":
        return _dump({"$undefined": True})
    if group == "special":
        return _dump({"$numberDouble": value.decode()})
    if group in ("regex", "flags"):
        pattern = match.group("regex").decode().replace("\\/", "/")
        flags = match.group("flags").decode()
        return _dump({"$regularExpression": {"pattern": pattern, "options": flags}})
    return match.group(0)  # pragma: no cover - every alternative is named


def to_extended_json(text: bytes) -> bytes:
    """Shell syntax rewritten to Extended JSON; plain JSON comes back unchanged."""
    return _SHELL.sub(_replace, text)
