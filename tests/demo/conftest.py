"""Helpers for the sample API tests: the seed as the tests' own oracle, profile grouping."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import httpx
import pytest

from perfsight.demo.process import SampleApi
from perfsight.demo.seed import SIZES, Dataset, generate
from perfsight.models import request_context


@pytest.fixture(scope="session")
def seed_data() -> Dataset:
    return generate(SIZES["small"])


def get(api: SampleApi, path: str, rid: str | None = None, **kw: Any) -> httpx.Response:
    headers = {"X-Request-Id": rid or new_rid(), **kw.pop("headers", {})}
    return httpx.get(api.url + path, headers=headers, timeout=30, **kw)


def new_rid() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def ops_by_request(docs: list[dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    """Profile documents grouped by the request id in their comment (the foundation's reader)."""
    groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        comment = doc["command"].get("comment")
        groups[request_context(comment).request_id].append(doc)
    return groups


def ops_of(api: SampleApi, rid: str, offset: int = 0) -> list[dict[str, Any]]:
    return ops_by_request(api.read_profile(offset)).get(rid, [])
