"""Record what the sample API's simulated profiler writes while a test sends requests."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


def record_profile(api: Any, send: Callable[[httpx.Client], None], dest: Path) -> Path:
    """Run ``send(client)`` against ``api`` and copy the profile lines it caused to ``dest``.

    The sample API appends one line per operation as the operation ends; the quote email is
    sent by a worker thread, so the copy waits until the file has stopped growing.
    """
    start = api.profile_offset()
    with httpx.Client(base_url=api.url, timeout=60) as client:
        send(client)
    size, deadline = -1, time.monotonic() + 10
    while time.monotonic() < deadline and size != api.profile_offset():
        size = api.profile_offset()
        time.sleep(0.3)
    with Path(api.profile_file).open("rb") as source:
        source.seek(start)
        dest.write_bytes(source.read(size - start))
    return dest
