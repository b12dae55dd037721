"""``[dashboard]``: the Streamlit dashboard."""

from __future__ import annotations

from pydantic import model_validator

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
    oidc: bool = setting(
        False,
        "Sign viewers in with Streamlit's OIDC login (st.login); the provider is configured in "
        ".streamlit/secrets.toml [auth].",
    )
    oidc_provider: str | None = setting(
        None, "Provider name when secrets.toml has several ([auth.<name>]); unset: [auth] itself."
    )
    allowed_emails: list[str] = setting(
        list,
        "With OIDC: the e-mail addresses allowed in (fnmatch patterns, e.g. *@example.com). "
        "Empty: anyone the provider signs in.",
    )

    @model_validator(mode="after")
    def _one_login(self) -> DashboardSettings:
        if self.oidc and self.password_hash is not None:
            raise ValueError("choose one sign-in: password_hash or oidc, not both")
        return self

    @property
    def protected(self) -> bool:
        return self.oidc or self.password_hash is not None
