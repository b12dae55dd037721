"""Secrets never leave perfsight in clear: passwords in URIs, header values, tokens → ``***``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel

MASK = "***"
# Query parameters that carry secrets: token, access_token, apiKey, X-Api-Key, password, sig …
# (but not e.g. authSource, which only names a database).
_SENSITIVE_PARAM = re.compile(
    r"^(?:.*[_\-.])?(?:pass(?:word)?|passwd|pwd|secret|token|(?:api)?key|sig(?:nature)?|"
    r"credentials?|auth)$|(?:token|secret|password|apikey)$",
    re.I,
)


def redact_url(url: str) -> str:
    """The URL with its password and sensitive query values masked; anything unparsable masked."""
    if "://" not in url:
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, has_password, _ = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{hostport}" if has_password else f"{user}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode(
                [(k, MASK if _SENSITIVE_PARAM.search(k) else v) for k, v in pairs], safe="*"
            )
        path = parts.path
        if parts.scheme in ("http", "https"):
            # Webhook URLs often carry their token in the path (…/hooks/T000/B000/XXXX).
            path = re.sub(r"/([A-Za-z0-9_\-]{20,})(?=/|$)", f"/{MASK}", path)
        if (netloc, query, path) == (parts.netloc, parts.query, parts.path):
            return url
        # Joined by hand: urlunsplit would turn sqlite:///x into sqlite:/x.
        tail = (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        return f"{parts.scheme}://{netloc}{path}{tail}"
    except ValueError:
        return MASK


def redact_value(value: Any) -> Any:
    """How a secret setting is shown: URLs keep their shape, anything else is masked whole."""
    if value is None:
        return None
    if isinstance(value, str):
        return redact_url(value) if "://" in value else MASK
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return MASK


def redacted_dump(model: BaseModel) -> dict[str, Any]:
    """The model as plain data with every field marked secret redacted, recursively."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("secret"):
            out[name] = redact_value(_plain(value))
        else:
            out[name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return redacted_dump(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
