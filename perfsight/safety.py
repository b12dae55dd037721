"""``allowed_hosts``: the check every component runs before it sends traffic to a target.

Loopback (``localhost``, 127.0.0.0/8, ``::1``) is always allowed. Any other host only when it is
listed in ``[target] allowed_hosts`` — as a host name (``*`` wildcards allowed, e.g.
``*.staging.example.com``), an IP address or a network in CIDR form (``10.0.0.0/8``).
A load test aimed at the wrong host is an attack on someone else's server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from perfsight.errors import HostNotAllowed

SETTING = "target.allowed_hosts"


def host_of(url_or_host: str) -> str:
    """The host part of a URL (or the string itself when it is a bare host), lower-cased."""
    text = url_or_host.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        host = urlsplit(text).hostname
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise HostNotAllowed(f"cannot read a host from {url_or_host!r}: {exc}") from exc
    if not host:
        raise HostNotAllowed(f"cannot read a host from {url_or_host!r}")
    return host.lower()


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_allowed(url_or_host: str, allowed_hosts: Iterable[str]) -> bool:
    host = host_of(url_or_host)
    if is_loopback(host):
        return True
    for entry in allowed_hosts:
        pattern = entry.strip().lower()
        if not pattern:
            continue
        if "/" in pattern:
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(pattern, strict=False):
                    return True
            except ValueError:
                continue
        elif fnmatchcase(host, pattern):
            return True
    return False


def check_allowed(url_or_host: str, allowed_hosts: Iterable[str]) -> None:
    """Raise ``HostNotAllowed`` naming the host and the setting unless traffic may go there."""
    allowed = list(allowed_hosts)
    if not is_allowed(url_or_host, allowed):
        host = host_of(url_or_host)
        listed = ", ".join(allowed) if allowed else "nothing besides loopback"
        raise HostNotAllowed(
            f"refusing to send traffic to {host!r}: only loopback and the hosts listed in "
            f"[target] allowed_hosts may be targeted (it lists: {listed}). Add {host!r} there "
            "if this server is yours to load.",
            source=SETTING,
        )
