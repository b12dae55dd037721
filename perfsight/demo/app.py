"""The sample travel-CRM API as a Starlette app: ``build_app(create_state(DemoConfig(...)))``.

Every response of the API is JSON, errors included (a 404 for an unknown route or id, a 400 for
a bad parameter); ``/metrics`` is in perfsight's Prometheus convention. ``after`` mode adds gzip.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from perfsight.demo import http
from perfsight.demo.catalog import ENDPOINTS, EXAMPLE_QUOTE
from perfsight.demo.endpoint import Handler, endpoint
from perfsight.demo.handlers import assets, bookings, itineraries, leads, quotes, rates
from perfsight.demo.metrics import PrometheusMiddleware
from perfsight.demo.state import DemoState

log = logging.getLogger(__name__)
GZIP_MINIMUM = 500  # bytes; smaller bodies gain nothing


def build_app(state: DemoState) -> Starlette:
    def route(path: str, handler: Handler, method: str = "GET", body: bool = False) -> Route:
        return Route(path, endpoint(state, handler, body=body), methods=[method])

    routes = [
        Route("/", lambda _request: http.json_response(_index(state)), methods=["GET"]),
        Route("/healthz", lambda _request: http.json_response(_health(state)), methods=["GET"]),
        Route("/metrics", state.metrics.response, methods=["GET"]),
        route("/api/itineraries", itineraries.list_itineraries),
        route("/api/itineraries/{id}", itineraries.get_itinerary),
        route("/api/bookings", bookings.list_bookings),
        route("/api/bookings/{id}", bookings.get_booking),
        route("/api/leads", leads.list_leads),
        route("/api/rate-lists/{id}/prices", rates.get_prices),
        route("/api/rate-lists/{id}", rates.update_rate_list, "PUT", body=True),
        route("/api/quotes", quotes.create_quote, "POST", body=True),
        Route(
            "/static/{name}",
            assets.asset_endpoint(assets.load_assets(), long_lived=state.after),
            methods=["GET"],
        ),
    ]
    middleware = [
        Middleware(PrometheusMiddleware, metrics=state.metrics, skip=("/metrics", "/healthz"))
    ]
    if state.after:
        middleware.append(Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state.start()
        try:
            yield
        finally:
            state.stop()

    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = exc.detail if isinstance(exc, HTTPException) else "error"
    return http.json_response({"error": message, "path": request.url.path}, status)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return http.json_response({"error": "internal error"}, 500)


def _health(state: DemoState) -> dict[str, Any]:
    return {"status": "ok", "mode": state.config.mode, "database": state.backend.kind}


def _index(state: DemoState) -> dict[str, Any]:
    return {
        "name": "perfsight sample travel CRM",
        "mode": state.config.mode,
        "database": state.backend.kind,
        "simulatedProfile": (
            str(state.config.profile_file) if state.backend.kind == "mongomock" else None
        ),
        "endpoints": [
            {
                "endpoint": info.key,
                "example": info.example,
                "planted": info.before,
                "fixed": info.after,
            }
            for info in ENDPOINTS
        ],
        "exampleQuote": EXAMPLE_QUOTE,
    }
