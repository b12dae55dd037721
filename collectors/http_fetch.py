"""Bounded HTTP GETs for the probe: every request (redirects included) is checked against
``allowed_hosts`` before it is sent and counted against a budget; each has a timeout on every
phase and on the whole exchange, and a cap on the body it reads."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from perfsight.errors import HostNotAllowed
from perfsight.safety import check_allowed

MAX_REDIRECTS = 3
MAX_BODY_BYTES = 32 * 1024 * 1024
KEPT_HEADERS = ("content-type", "content-encoding", "cache-control", "link", "vary", "expires")


class FetchError(Exception):
    """One request could not give a usable answer; the message says why, for the user."""


class BudgetSpent(FetchError):
    pass


def _excerpt(body: bytes, size: int = 120) -> str:
    text = body[:size].decode("utf-8", errors="replace").strip()
    return " ".join(text.split()) + ("…" if len(body) > size else "")


@dataclass(frozen=True, slots=True)
class Exchange:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes  # decoded (content-encoding undone)
    wire_bytes: int  # as sent over the network
    elapsed_ms: float

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def content_encoding(self) -> str | None:
        return self.headers.get("content-encoding")

    def check_status(self) -> None:
        if self.status >= 400:
            raise FetchError(f"HTTP {self.status}: {_excerpt(self.body) or '(empty body)'}")

    def json(self) -> Any:
        ctype = (self.content_type or "").lower()
        if "html" in ctype or self.body.lstrip()[:1] == b"<":
            raise FetchError(
                f"HTML instead of JSON (Content-Type: {ctype or 'none'}): a login page, an "
                "error page or a single-page-app fallback?"
            )
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise FetchError(
                f"not JSON (Content-Type: {ctype or 'none'}): {_excerpt(self.body)!r}"
            ) from None


class Fetcher:
    def __init__(
        self,
        client: httpx.Client,
        *,
        allowed_hosts: list[str],
        max_requests: int,
        timeout: float,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.allowed_hosts = allowed_hosts
        self.max_requests = max_requests
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.sent = 0

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Exchange:
        """GET ``url`` (with ``params`` merged into its query), following up to 3 redirects."""
        request_url = httpx.URL(url)
        if params:
            request_url = request_url.copy_merge_params(dict(params))
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                check_allowed(str(request_url), self.allowed_hosts)
            except HostNotAllowed as exc:
                raise FetchError(f"not sent: {exc.message}") from None
            if self.sent >= self.max_requests:
                raise BudgetSpent(
                    f"not sent: the probe's request budget ([target] probe_max_requests = "
                    f"{self.max_requests}) is spent"
                )
            self.sent += 1
            exchange, location = self._send(request_url)
            if location is None:
                return exchange
            request_url = request_url.join(location)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _send(self, url: httpx.URL) -> tuple[Exchange, str | None]:
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip", **self.headers}
        started = time.monotonic()
        try:
            request = self.client.build_request(
                "GET", url, headers=headers, timeout=httpx.Timeout(self.timeout)
            )
            response = self.client.send(request, stream=True, follow_redirects=False)
            try:
                if response.is_redirect and "location" in response.headers:
                    location = response.headers["location"]
                    return self._exchange(url, response, b"", started), location
                return self._exchange(url, response, self._read(response, started), started), None
            finally:
                response.close()
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.timeout:g}s") from None
        except httpx.ConnectError as exc:
            raise FetchError(f"cannot connect to {url.host}:{url.port or ''}: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error: {exc}") from None

    def _read(self, response: httpx.Response, started: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise FetchError(f"response larger than {MAX_BODY_BYTES} bytes: not read further")
            if time.monotonic() - started > self.timeout:
                raise FetchError(f"timed out after {self.timeout:g}s (body still arriving)")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _exchange(
        url: httpx.URL, response: httpx.Response, body: bytes, started: float
    ) -> Exchange:
        kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        return Exchange(
            url=str(url),
            status=response.status_code,
            headers=kept,
            body=body,
            wire_bytes=response.num_bytes_downloaded,
            elapsed_ms=(time.monotonic() - started) * 1000,
        )
