"""``[store]``: where perfsight keeps runs, findings, samples and reports."""

from __future__ import annotations

from perfsight.config.base import Table, setting
from perfsight.config.validators import Duration


class StoreSettings(Table):
    url: str = setting(
        "sqlite:///.perfsight/perfsight.db",
        "SQLAlchemy URL: a SQLite file (WAL mode) or postgresql://user:pw@host/db.",
        secret=True,
    )
    retention: Duration = setting("30d", "Data older than this is pruned by 'store prune'.")
