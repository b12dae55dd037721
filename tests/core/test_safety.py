from __future__ import annotations

import pytest

from perfsight.errors import HostNotAllowed
from perfsight.safety import check_allowed, host_of, is_allowed


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000",
        "http://127.0.0.1:1/x",
        "http://127.8.9.10",
        "http://[::1]:80/",
        "api.localhost",
    ],
)
def test_loopback_is_always_allowed(url: str) -> None:
    assert is_allowed(url, [])


@pytest.mark.parametrize(
    ("url", "allowed", "expected"),
    [
        ("https://staging.example.com/api", ["staging.example.com"], True),
        ("https://STAGING.example.com", ["staging.example.com"], True),
        ("https://prod.example.com", ["staging.example.com"], False),
        ("https://a.staging.example.com", ["*.staging.example.com"], True),
        ("http://10.1.2.3:8080", ["10.0.0.0/8"], True),
        ("http://11.1.2.3:8080", ["10.0.0.0/8"], False),
        ("http://0.0.0.0:8000", [], False),
        ("http://example.com", [], False),
    ],
)
def test_listed_hosts(url: str, allowed: list[str], expected: bool) -> None:
    assert is_allowed(url, allowed) is expected


def test_refusal_names_host_and_setting() -> None:
    with pytest.raises(HostNotAllowed) as info:
        check_allowed("https://prod.example.com/api", ["staging.example.com"])
    message = str(info.value)
    assert "prod.example.com" in message
    assert "target.allowed_hosts" in message


def test_host_of() -> None:
    assert host_of("http://user:pw@Host.Example:80/p") == "host.example"
    assert host_of("example.org:8080") == "example.org"
    with pytest.raises(HostNotAllowed):
        host_of("http://")
