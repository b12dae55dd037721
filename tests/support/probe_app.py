"""A small API whose lists, compression and caching the probe tests know in advance.

``python -m tests.support.probe_app --port P``. Lists with and without paging, gzip or not,
HTML, plain text, a 500, a slow route, redirects (one to a host outside allowed_hosts),
static files with and without Cache-Control, and an OpenAPI document at ``/openapi.json``.
``GET /stats`` returns how many requests each path (with its query) received.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

OUTSIDE = "http://probe-outside.example/api/bookings"
BOOKINGS = [
    {"id": i, "ref": f"B{i:05d}", "status": "open", "customer": f"Customer number {i}"}
    for i in range(250)
]
COUNTRIES = [{"code": f"C{i:02d}", "name": f"Country {i}"} for i in range(30)]
SCRIPT = ("console.log('perfsight probe test asset');\n" * 120).encode()


def body(request: Request, payload: Any, *, compress: bool, **headers: str) -> Response:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    media = headers.pop("media_type", "application/json")
    if compress and "gzip" in request.headers.get("accept-encoding", ""):
        raw = gzip.compress(raw)
        headers["content-encoding"] = "gzip"
        headers["vary"] = "Accept-Encoding"
    return Response(raw, media_type=media, headers=headers)


def fields(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted = request.query_params.get("fields")
    if not wanted:
        return items
    names = set(wanted.split(","))
    return [{k: v for k, v in item.items() if k in names} for item in items]


async def bookings(request: Request) -> Response:
    """Paged, gzip, honours fields: what a fixed API looks like."""
    limit = min(int(request.query_params.get("limit", 20)), 100)
    after = int(request.query_params.get("cursor", -1))
    page = [b for b in BOOKINGS if b["id"] > after][:limit]
    nxt = page[-1]["id"] if len(page) == limit else None
    return body(request, {"items": fields(request, page), "next": nxt}, compress=True)


async def bookings_unpaged(request: Request) -> Response:
    return body(request, {"items": BOOKINGS}, compress=False)


async def countries(request: Request) -> Response:
    return body(request, COUNTRIES, compress=True)


async def customers(request: Request) -> Response:
    """Only per_page works, under "data"."""
    per_page = int(request.query_params.get("per_page", 25))
    return body(request, {"data": BOOKINGS[:per_page]}, compress=True)


async def custom_paged(request: Request) -> Response:
    """Pages by a parameter of its own ('take'), and says so with nextToken."""
    take = int(request.query_params.get("take", 40))
    return body(request, {"results": BOOKINGS[:take], "nextToken": "abc"}, compress=True)


async def one_tag(request: Request) -> Response:
    return body(request, [{"name": "only"}], compress=True)


async def slow(_request: Request) -> Response:
    await asyncio.sleep(2)  # well past the tests' 0.5 s timeout, short for shutdown
    return JSONResponse([])


OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "probe test API", "version": "1"},
    "servers": [{"url": "/"}],
    "paths": {
        "/api/bookings": {
            "get": {"responses": {"200": {"$ref": "#/components/responses/BookingPage"}}},
            "post": {"responses": {"201": {"description": "created"}}},
        },
        "/api/bookings-unpaged": {
            "get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"type": "object"}}},
            }}}}}},
        },
        "/api/countries": {
            "get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "type": "array", "items": {"$ref": "#/components/schemas/Country"},
            }}}}}},
        },
        "/api/itineraries/{id}/days": {
            "get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "type": "array", "items": {"type": "object"},
            }}}}}},
        },
        "/api/search": {
            "get": {
                "parameters": [{"name": "q", "in": "query", "required": True}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object"},
                }}}}},
            },
        },
        "/api/object": {
            "get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Country",
            }}}}}},
        },
    },
    "components": {
        "schemas": {
            "Country": {"type": "object", "properties": {"code": {"type": "string"}}},
            "BookingPage": {
                "allOf": [
                    {"type": "object", "properties": {"next": {"type": "integer"}}},
                    {"properties": {"items": {"type": "array", "items": {"type": "object"}}}},
                ]
            },
        },
        "responses": {
            "BookingPage": {
                "description": "a page",
                "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/BookingPage",
                }}},
            }
        },
    },
}  # fmt: skip


def static(content: bytes, media_type: str, *, compress: bool, cache: str | None) -> Any:
    headers = {"cache-control": cache} if cache else {}

    async def endpoint(request: Request) -> Response:
        return body(request, content, compress=compress, media_type=media_type, **headers)

    return endpoint


def fixed(response: Response) -> Any:
    async def endpoint(_request: Request) -> Response:
        return response

    return endpoint


async def no_list(request: Request) -> Response:
    return body(request, {"id": 1, "name": "x"}, compress=False)


async def html(request: Request) -> Response:
    page = b"<html><body>Please log in</body></html>"
    return body(request, page, compress=False, media_type="text/html")


LONG = "public, max-age=31536000, immutable"
ROUTES = [
    Route("/api/bookings", bookings),
    Route("/api/bookings-unpaged", bookings_unpaged),
    Route("/api/countries", countries),
    Route("/api/customers", customers),
    Route("/api/custom-paged", custom_paged),
    Route("/api/tags", one_tag),
    Route("/api/object", no_list),
    Route("/api/html", html),
    Route("/api/text", fixed(PlainTextResponse("ok"))),
    Route("/api/boom", fixed(JSONResponse({"error": "boom"}, status_code=500))),
    Route("/api/slow", slow),
    Route("/api/redirect-out", fixed(RedirectResponse(OUTSIDE, status_code=302))),
    Route("/api/redirect-in", fixed(RedirectResponse("/api/bookings", status_code=302))),
    Route("/static/app.js", static(SCRIPT, "application/javascript", compress=True, cache=LONG)),
    Route("/static/plain.js", static(SCRIPT, "application/javascript", compress=False, cache=None)),
    Route("/static/short.css", static(b"a{}", "text/css", compress=False, cache="max-age=60")),
    Route(
        "/static/private.css",
        static(b"a{}", "text/css", compress=False, cache="private, max-age=31536000"),
    ),
    Route("/static/logo.png", static(bytes(range(256)) * 20, "image/png", compress=False,
                                     cache=LONG)),
    Route("/openapi.json", fixed(JSONResponse(OPENAPI))),
]  # fmt: skip


class Counting:
    """Counts every request by path and query, so tests can see exactly what was sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.served: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if scope["path"] == "/stats":
                await JSONResponse(dict(self.served))(scope, receive, send)
                return
            query = scope.get("query_string", b"").decode()
            self.served[scope["path"] + (f"?{query}" if query else "")] += 1
        await self.app(scope, receive, send)


def build_app() -> Counting:
    return Counting(Starlette(routes=ROUTES))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)  # fmt: skip


if __name__ == "__main__":
    main()
