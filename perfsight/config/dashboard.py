"""``[dashboard]``: the Streamlit dashboard."""

from __future__ import annotations

from perfsight.config.base import Table, setting


class DashboardSettings(Table):
    host: str = setting("127.0.0.1", "Address the dashboard binds to.")
    port: int = setting(8501, "Port the dashboard listens on.", ge=1, le=65535)
    password_hash: str | None = setting(
        None,
        "scrypt hash of the dashboard password ('perfsight dashboard --hash-password'). "
        "Use a password or OIDC whenever the host is not loopback.",
        secret=True,
    )
