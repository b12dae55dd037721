"""``[collect]``: continuous sampling of every configured source (``perfsight collect``)."""

from __future__ import annotations

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration


class CollectSettings(Table):
    every: Duration = setting("15s", "Interval between two samples (perfsight collect --every).")
    max_backoff: Duration = setting(
        "5m",
        "Longest wait before retrying a source that is down (the wait doubles from 'every' "
        "after each failure).",
    )
