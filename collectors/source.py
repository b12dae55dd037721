"""What the collection loop needs from a source, and what it reports about each attempt.

A source is anything with a ``name``, a ``kind``, a (redacted) ``target``, ``sample(now)``
returning typed records, and ``close()``. ``sample`` raises a ``PerfsightError`` when it cannot
sample — ``SourceUnavailable`` (down, timed out), ``SourceResponseError`` (answered wrongly),
``InputError`` (a file it cannot read) — and the loop retries it with backoff while the others
keep going. Records are stored through ``perfsight.store.samples.write_samples``, which
dispatches on their type.

Adding a source (e.g. the profile-file reader): a class with these members whose records have
a registered store writer, and a line in ``collectors/build.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


class Source(Protocol):
    name: str  # unique: "redis:main", "prometheus", …
    kind: str  # "redis", "prometheus", …
    target: str  # what it reads, for people (URLs redacted)

    def sample(self, now: float | None = None) -> Sequence[object]:
        """Records describing the source at ``now``; raises a PerfsightError if it cannot."""
        ...

    def close(self) -> None: ...


Status = Literal["ok", "failed", "waiting"]


@dataclass(frozen=True, slots=True)
class SourceResult:
    """One source in one cycle. ``waiting``: skipped, backing off until ``retry_at``."""

    source: str
    kind: str
    target: str
    at: float
    status: Status
    records: tuple[object, ...] = ()
    error: str | None = None
    failures: int = 0  # consecutive failed attempts, this one included
    retry_at: float | None = None
    recovered_after: int = 0  # failed attempts before this successful one
    store_error: str | None = None  # sampled, but the store could not keep it

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class Backoff:
    """After the n-th failure in a row, wait ``base × 2^(n-1)``, never more than ``cap``."""

    base: float
    cap: float

    def delay(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return float(min(self.cap, self.base * 2 ** min(failures - 1, 30)))
