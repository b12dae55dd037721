"""Sign-in before any page, the warning when reachable from other machines, and secrets that
never reach a page."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit import config as st_config

from dashboard.auth import MAX_FAILURES, Failures, email_allowed
from perfsight.passwords import hash_password, verify_password
from tests.dashboard import seed
from tests.dashboard.conftest import PAGES, Dashboard, joined

FAST = {"n": 2**10}  # a cheap hash keeps the tests quick; the format is the same


@pytest.fixture
def bound_to() -> Iterator[Callable[[str], None]]:
    before = st_config.get_option("server.address")
    yield lambda address: st_config.set_option("server.address", address)
    st_config.set_option("server.address", before)


def test_password_hash_round_trip() -> None:
    stored = hash_password("correct horse", **FAST)
    assert stored.startswith("scrypt$1024$8$1$")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert hash_password("correct horse", **FAST) != stored  # salted


def test_the_password_is_checked_before_any_page_renders(
    dashboard_factory: Callable[[str], Dashboard],
) -> None:
    digest = hash_password("s3cret-pw", **FAST)
    dash = dashboard_factory(f'[dashboard]\npassword_hash = "{digest}"\n')
    seed.seed_runs(dash.store, dash.now)
    at = dash.open()
    assert not at.exception
    assert [t.value for t in at.title] == ["perfsight"]
    assert not at.dataframe  # nothing of the Overview
    at.text_input[0].input("wrong")  # a form: typed and submitted in one run
    at.button[0].click().run()
    assert "Wrong password." in [e.value for e in at.error]
    assert not at.dataframe
    at.text_input[0].input("s3cret-pw")
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert at.dataframe  # the verdict table and the rest
    assert digest not in joined(at)


def test_repeated_wrong_passwords_lock_the_client_out() -> None:
    failures = Failures()
    for _ in range(MAX_FAILURES):
        assert failures.locked_for("10.0.0.7", 1000.0) == 0
        failures.failed("10.0.0.7", 1000.0)
    assert failures.locked_for("10.0.0.7", 1001.0) == pytest.approx(29.0)
    assert failures.locked_for("10.0.0.8", 1001.0) == 0  # another client is not
    assert failures.locked_for("10.0.0.7", 1031.0) == 0


def test_oidc_login_comes_before_any_page(dashboard_factory: Callable[[str], Dashboard]) -> None:
    dash = dashboard_factory("[dashboard]\noidc = true\n")
    at = dash.open()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.dataframe


def test_allowed_emails() -> None:
    assert email_allowed("Lead@Example.com", ["*@example.com"])
    assert not email_allowed("someone@evil.test", ["*@example.com"])
    assert email_allowed("anyone@anywhere", [])


def test_password_and_oidc_together_is_a_config_error(
    dashboard_factory: Callable[[str], Dashboard],
) -> None:
    dash = dashboard_factory('[dashboard]\noidc = true\npassword_hash = "scrypt$1$1$1$a$b"\n')
    at = dash.open()
    assert "choose one sign-in" in at.error[0].value
    assert not at.dataframe


def test_warning_when_not_bound_to_loopback(
    dashboard: Dashboard, bound_to: Callable[[str], None]
) -> None:
    bound_to("127.0.0.1")
    assert not dashboard.open().sidebar.warning
    bound_to("0.0.0.0")
    warnings = [w.value for w in dashboard.open().sidebar.warning]
    assert len(warnings) == 1 and "anyone who reaches this port" in warnings[0]


def test_secrets_are_never_rendered(dashboard_factory: Callable[[str], Dashboard]) -> None:
    secrets = ["rpass-4411", "tok-55aa77", "hdr-secret-99", "pgpw-123", "basepw-77"]
    dash = dashboard_factory(
        '[redis]\nurl = "redis://:rpass-4411@127.0.0.1:1/0"\n'
        '[prometheus]\nurl = "http://127.0.0.1:1"\n'
        'headers = { Authorization = "Bearer tok-55aa77" }\n'
        '[target]\nbase_url = "http://svc:basepw-77@127.0.0.1:1"\n'
        'headers = { "X-Api-Key" = "hdr-secret-99" }\n'
    )
    now = dash.now
    seed.seed_runs(dash.store, now)
    seed.seed_findings(dash.store, now)
    seed.seed_samples(dash.store, now)
    seed.source_down(
        dash.store, "redis:main", "redis", "AUTH failed for redis://:rpass-4411@127.0.0.1:1", now
    )
    seed.source_down(
        dash.store,
        "prometheus",
        "prometheus",
        "401 from http://u:pgpw-123@127.0.0.1:1 with Bearer tok-55aa77",
        now,
    )
    seed.seed_shapes(dash.store, now)
    for page in PAGES:
        at = dash.open(page)
        assert not at.exception, page
        text = joined(at) + " ".join(w.value for w in at.sidebar.warning)
        for secret in secrets:
            assert secret not in text, (page, secret)
