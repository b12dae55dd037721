"""Who may see the dashboard, checked before any page renders: a password whose scrypt hash is
in ``[dashboard] password_hash``, or Streamlit's OIDC login (``st.login``) with an optional
list of allowed e-mail addresses. Neither configured: everyone who can reach the port."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import streamlit as st

from perfsight.config.dashboard import DashboardSettings
from perfsight.passwords import verify_password
from perfsight.safety import is_loopback

SIGNED_IN = "perfsight_signed_in"
MAX_FAILURES = 5  # then the client waits LOCKOUT seconds before the next try
LOCKOUT = 30.0


@dataclass
class Failures:
    """Failed passwords per client address, shared by every session of the process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_client: dict[str, tuple[int, float]] = field(default_factory=dict)

    def locked_for(self, client: str, now: float) -> float:
        with self.lock:
            count, last = self.by_client.get(client, (0, 0.0))
        return max(0.0, last + LOCKOUT - now) if count >= MAX_FAILURES else 0.0

    def failed(self, client: str, now: float) -> None:
        with self.lock:
            count, _ = self.by_client.get(client, (0, 0.0))
            self.by_client[client] = (count + 1, now)

    def succeeded(self, client: str) -> None:
        with self.lock:
            self.by_client.pop(client, None)


@st.cache_resource
def _failures() -> Failures:
    return Failures()


def _client() -> str:
    return st.context.ip_address or "unknown"


def _password_gate(stored_hash: str) -> bool:
    if st.session_state.get(SIGNED_IN):
        return True
    st.title("perfsight")
    wait = _failures().locked_for(_client(), time.time())
    with st.form("sign-in"):
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return False
    if wait > 0:
        st.error(f"Too many wrong passwords: try again in {wait:.0f} s.")
        return False
    if verify_password(password, stored_hash):
        _failures().succeeded(_client())
        st.session_state[SIGNED_IN] = True
        st.rerun()
    _failures().failed(_client(), time.time())
    st.error("Wrong password.")
    return False


def _logged_in() -> bool:
    # ``st.user`` has ``is_logged_in`` only where a session has user info; absent means no.
    return bool(st.user.get("is_logged_in", False))


def _oidc_gate(settings: DashboardSettings) -> bool:
    if not _logged_in():
        st.title("perfsight")
        provider = settings.oidc_provider
        st.button("Log in", on_click=st.login, args=[provider] if provider else [])
        return False
    email = str(st.user.get("email") or "")
    if not email_allowed(email, settings.allowed_emails):
        st.error(f"{email or 'This account'} is not allowed here ([dashboard] allowed_emails).")
        st.button("Log out", on_click=st.logout)
        return False
    return True


def email_allowed(email: str, patterns: list[str]) -> bool:
    """No patterns: anyone the provider signs in. Otherwise one must match (case-insensitive)."""
    return not patterns or any(fnmatchcase(email.lower(), p.lower()) for p in patterns)


def signed_in(settings: DashboardSettings) -> bool:
    """True when the viewer may see the pages; otherwise the sign-in is what renders."""
    if settings.oidc:
        return _oidc_gate(settings)
    if settings.password_hash is not None:
        return _password_gate(settings.password_hash)
    return True


def exposure_warning(settings: DashboardSettings) -> str | None:
    """A warning when the server is reachable from other machines (not bound to loopback)."""
    address = st.get_option("server.address") or "0.0.0.0"  # unset: every interface
    if is_loopback(address):
        return None
    if settings.protected:
        return f"Bound to {address}: reachable from other machines (sign-in is on)."
    return (
        f"Bound to {address}: anyone who reaches this port sees the dashboard and can start "
        "load runs. Set [dashboard] password_hash (perfsight dashboard --hash-password) or oidc."
    )


def sign_out_button(settings: DashboardSettings) -> None:
    if settings.oidc and _logged_in():
        st.sidebar.button("Log out", on_click=st.logout)
    elif settings.password_hash is not None and st.sidebar.button("Sign out"):
        st.session_state.pop(SIGNED_IN, None)
        st.rerun()


def viewer() -> str | None:
    """Who is signed in, for the record of a run they start."""
    if _logged_in():
        return str(st.user.get("email") or st.user.get("name") or "") or None
    return None
