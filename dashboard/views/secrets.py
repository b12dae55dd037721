"""The last line of defence before text reaches a page: URLs in free text (error messages,
log tails) with their passwords and tokens masked, and every configured secret value masked
wherever it appears."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from perfsight.config.redact import MASK, redact_url

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
