"""Secrets never leave perfsight in clear: passwords in URIs, header values, tokens → ``***``."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


# -- masking secrets in free text (error messages, log tails) before it is shown ---------------
# The last line of defence: URLs with their passwords and tokens masked, and every configured
# secret value masked wherever it appears.

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")
_MIN_SECRET = 4  # shorter values would mask ordinary words


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _url_password(text: str) -> str | None:
    if "://" not in text:
        return None
    try:
        return urlsplit(text).password
    except ValueError:
        return None


def secret_values(model: BaseModel) -> set[str]:
    """Every value of a setting marked secret, and every password inside a configured URL."""
    found: set[str] = set()
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found |= secret_values(value)
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        for text in _strings(value if not isinstance(value, list) else list(value)):
            if extra.get("secret"):
                found.add(text)
            password = _url_password(text)
            if password:
                found.add(password)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    found |= secret_values(item)
    return {s for s in found if len(s) >= _MIN_SECRET}


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    masked = _URL.sub(lambda m: redact_url(m.group(0)), text)
    for secret in sorted(secrets, key=len, reverse=True):
        masked = masked.replace(secret, MASK)
    return masked
