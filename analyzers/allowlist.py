"""``[analysis]`` allow-lists: endpoints, namespaces and query fingerprints never reported.

Bullet, django-zeal and Prosopite users ask for this knob more than any other: some repeated
queries are known and accepted, and a finding nobody will fix is noise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from perfsight.config.analysis import AnalysisSettings


def _matches(value: str | None, patterns: tuple[str, ...]) -> bool:
    if value is None:
        return False
    # A fingerprint holds fnmatch metacharacters of its own ("?" for every literal, "[" for
    # arrays), so a pattern also matches the exact string it is.
    return any(value == pattern or fnmatchcase(value, pattern) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class AllowList:
    endpoints: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    fingerprints: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: AnalysisSettings) -> AllowList:
        return cls(
            tuple(settings.allow_endpoints),
            tuple(settings.allow_namespaces),
            tuple(settings.allow_fingerprints),
        )

    def allows(
        self,
        *,
        endpoint: str | None = None,
        namespaces: Iterable[str | None] = (),
        fingerprint: str | None = None,
    ) -> bool:
        """Whether a finding on this endpoint, namespace(s) or fingerprint is accepted (muted)."""
        return (
            _matches(endpoint, self.endpoints)
            or any(_matches(ns, self.namespaces) for ns in namespaces)
            or _matches(fingerprint, self.fingerprints)
        )
