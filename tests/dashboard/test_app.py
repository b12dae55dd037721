from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perfsight.store import Store, runs

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'dash.db'}"
    config = tmp_path / "perfsight.toml"
    config.write_text(f'[store]\nurl = "{url}"\n')
    monkeypatch.setenv("PERFSIGHT_CONFIG", str(config))
    return url


def test_empty_store_says_what_to_do(configured: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    messages = " ".join(info.value for info in at.info)
    assert "perfsight loadcheck" in messages
    assert "perfsight analyze" in messages


def test_stored_run_is_listed(configured: str) -> None:
    with Store(configured) as store:
        run_id = runs.create_run(store, target="http://127.0.0.1:9", settings={})
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["run"]) == [run_id[:8]]
    assert list(table["status"]) == ["running"]
