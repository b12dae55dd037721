"""Turns a plain handler ``def handler(call: Call) -> payload`` into a Starlette endpoint.

Per request it: takes the caller's ``X-Request-Id`` (or makes one) and the endpoint key
(``"GET /api/itineraries/{id}"``); gives the handler a ``RequestDb`` that puts both in every
query's ``comment``; runs the handler in the thread pool (database calls and the SMTP wait
block); turns ``ApiError`` into its JSON response; records ``db_queries_per_request``; echoes
the request id in the ``X-Request-Id`` response header.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from perfsight.demo import http
from perfsight.demo.backend import RequestDb
from perfsight.demo.metrics import route_template
from perfsight.demo.state import DemoState
from perfsight.models import endpoint_key

MAX_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    state: DemoState
    db: RequestDb
    request_id: str
    tenant: str
    body: Any = None


Handler = Callable[[Call], Any]
Endpoint = Callable[[Request], Awaitable[Response]]


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise http.ApiError(413, f"body larger than {MAX_BODY} bytes")
    if not raw.strip():
        raise http.ApiError(400, "a JSON body is required")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise http.ApiError(400, f"body is not valid JSON: {exc}") from None


def endpoint(state: DemoState, handler: Handler, *, body: bool = False) -> Endpoint:
    async def run(request: Request) -> Response:
        rid = http.request_id(request.headers, uuid.uuid4().hex[:16])
        template = route_template(request.scope)
        db = RequestDb(state.backend, rid, endpoint_key(request.method, template))
        try:
            call = Call(
                request,
                state,
                db,
                rid,
                http.tenant(request.headers),
                await _json_body(request) if body else None,
            )
            result = await run_in_threadpool(handler, call)
            response = result if isinstance(result, Response) else http.json_response(result)
        except http.ApiError as exc:
            response = exc.response()
        state.metrics.queries(request.method, template, db.queries)
        response.headers["X-Request-Id"] = rid
        return response

    return run
