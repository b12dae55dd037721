"""Password hashes for the dashboard's ``[dashboard] password_hash``: scrypt (hashlib, no extra
dependency), stored as ``scrypt$N$r$p$<salt>$<hash>`` (base64), compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from perfsight.errors import ConfigError

PREFIX = "scrypt"
# 2**15 costs about 50 ms and 32 MiB per check: cheap for a person signing in, slow for a
# guesser (OWASP's scrypt minimum is N=2**17 with r=8, p=1; 2**15 fits a 2-core machine).
N, R, P = 2**15, 8, 1
_MAXMEM = 128 * N * R * 2


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    if not password:
        raise ConfigError("an empty password protects nothing", source="password")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"{PREFIX}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``. A malformed hash is a configuration error,
    never a silent "no"."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise ConfigError(
            "not a perfsight password hash (expected scrypt$N$r$p$salt$hash): create one with "
            "'perfsight dashboard --hash-password'",
            source="dashboard.password_hash",
        )
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
        digest = hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * n * r * 2, dklen=len(expected)
        )
    except (ValueError, MemoryError) as exc:
        raise ConfigError(
            f"unreadable password hash: {exc}", source="dashboard.password_hash"
        ) from exc
    return hmac.compare_digest(digest, expected)
