"""Static assets: ``GET /static/{name}`` (the front end's script and styles).

before: no ``Cache-Control``, so browsers revalidate on every page view. after:
``Cache-Control: public, max-age=31536000, immutable`` (one year), as the plan asks for
fingerprinted assets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from perfsight.demo import http

STATIC = Path(__file__).resolve().parents[1] / "static"
TYPES = {".js": "text/javascript", ".css": "text/css"}
LONG_LIVED = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def load_assets(folder: Path = STATIC) -> dict[str, Asset]:
    """Every asset, read once at start (the set is fixed: no path from a request touches disk)."""
    assets = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in TYPES:
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            assets[path.name] = Asset(body, TYPES[path.suffix], etag)
    return assets


def asset_endpoint(
    assets: dict[str, Asset], long_lived: bool
) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        asset = assets.get(name)
        if asset is None:
            return http.ApiError(404, f"no static asset {name!r}").response()
        headers = {"ETag": asset.etag}
        if long_lived:
            headers["Cache-Control"] = LONG_LIVED
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    return serve
