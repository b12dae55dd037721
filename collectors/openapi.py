"""GET list endpoints from an OpenAPI document (3.x or Swagger 2.0, JSON or YAML).

A list endpoint is a GET whose success response is a JSON array, or an object with an array
property (``items``, ``data``, ``results``… or its only array). Paths with parameters, and
operations with required query parameters, cannot be called without values: they are listed
with the reason they were skipped, so the user can name a concrete path in ``[target]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
import yaml

from collectors.json_list import LIST_KEYS
from perfsight.errors import InputError

MAX_REF_DEPTH = 20


@dataclass(frozen=True, slots=True)
class OpenApiEndpoint:
    path: str  # with the servers[0] / basePath prefix
    skip: str | None = None  # why it cannot be probed as it is


def parse_document(text: str | bytes, *, source: str) -> Mapping[str, Any]:
    """An OpenAPI document from JSON or YAML text; InputError naming ``source`` otherwise."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"neither JSON nor YAML: {exc}", source=source) from None
    if not isinstance(doc, Mapping) or not ("openapi" in doc or "swagger" in doc):
        raise InputError(
            "not an OpenAPI document (no 'openapi' or 'swagger' key at the top)", source=source
        )
    if not isinstance(doc.get("paths"), Mapping):
        raise InputError("the OpenAPI document has no 'paths' object", source=source)
    return doc


def _prefix(doc: Mapping[str, Any]) -> str:
    if "swagger" in doc:
        base = str(doc.get("basePath") or "")
    else:
        servers = doc.get("servers") or []
        url = servers[0].get("url", "") if servers and isinstance(servers[0], Mapping) else ""
        base = urlsplit(str(url)).path if "://" in str(url) else str(url)
    return base.rstrip("/")


def _resolve(doc: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """Follow local ``$ref``s (``#/components/schemas/X``, ``#/definitions/X``)."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and depth < MAX_REF_DEPTH:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return None  # a reference to another document: not followed
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        node, depth = target, depth + 1
    return node


def _success_schema(doc: Mapping[str, Any], operation: Mapping[str, Any]) -> Any:
    responses = {str(code): value for code, value in (operation.get("responses") or {}).items()}
    codes = sorted(code for code in responses if code.startswith("2")) or ["default"]
    response = _resolve(doc, responses.get(codes[0]))
    if not isinstance(response, Mapping):
        return None
    if "schema" in response:  # Swagger 2.0
        return _resolve(doc, response["schema"])
    for media, body in (response.get("content") or {}).items():
        if ("json" in media or media == "*/*") and isinstance(body, Mapping):
            return _resolve(doc, body.get("schema"))
    return None


def _properties(
    doc: Mapping[str, Any], schema: Mapping[str, Any], depth: int = 0
) -> dict[str, Any]:
    props = {k: _resolve(doc, v) for k, v in (schema.get("properties") or {}).items()}
    for part in schema.get("allOf") or []:
        resolved = _resolve(doc, part)
        if isinstance(resolved, Mapping) and depth < MAX_REF_DEPTH:
            props.update(_properties(doc, resolved, depth + 1))
    return props


def _is_array(schema: Any) -> bool:
    return isinstance(schema, Mapping) and (schema.get("type") == "array" or "items" in schema)


def returns_list(doc: Mapping[str, Any], schema: Any) -> bool:
    if _is_array(schema):
        return True
    if not isinstance(schema, Mapping):
        return False
    props = _properties(doc, schema)
    arrays = [k for k, v in props.items() if _is_array(v)]
    return any(k in LIST_KEYS for k in arrays) or len(arrays) == 1


def _required_query(
    doc: Mapping[str, Any], item: Mapping[str, Any], op: Mapping[str, Any]
) -> list[str]:
    names = []
    for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        param = _resolve(doc, raw)
        if isinstance(param, Mapping) and param.get("in") == "query" and param.get("required"):
            names.append(str(param.get("name")))
    return names


def list_endpoints(doc: Mapping[str, Any]) -> list[OpenApiEndpoint]:
    """The GET list endpoints of ``doc``, in document order."""
    prefix = _prefix(doc)
    found = []
    for path, item in doc["paths"].items():
        if not isinstance(item, Mapping) or not isinstance(item.get("get"), Mapping):
            continue
        operation = item["get"]
        if not returns_list(doc, _success_schema(doc, operation)):
            continue
        full = f"{prefix}{path}"
        skip = None
        if "{" in path:
            skip = "its path has parameters: add a concrete path to [target] list_endpoints"
        elif required := _required_query(doc, item, operation):
            skip = (
                f"required query parameters {', '.join(required)}: add a concrete URL to "
                "[target] list_endpoints"
            )
        found.append(OpenApiEndpoint(full, skip))
    return found
