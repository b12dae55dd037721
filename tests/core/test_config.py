from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from perfsight.config import Settings, load_config
from perfsight.config.docs import example_toml, reference_markdown
from perfsight.config.redact import redact_url, redacted_dump
from perfsight.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("PERFSIGHT_"):
            monkeypatch.delenv(name)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "perfsight.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_config()
    assert settings.store.url == "sqlite:///.perfsight/perfsight.db"
    assert settings.mongo.comment_rid_key == "rid"
    assert settings.thresholds is None
    assert settings.threshold_list()[0].name == "http_req_duration avg<200"


def test_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")


def test_file_values_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(
        tmp_path,
        '[mongo]\nuri = "mongodb://a:b@db:27017"\ndatabases = ["travel"]\n'
        '[redis]\nurl = "redis://127.0.0.1:6379/0"\n',
    )
    monkeypatch.setenv("PERFSIGHT_MONGO__URI", "mongodb://env-host:27017")
    monkeypatch.setenv("PERFSIGHT_REDIS__SOCKET_TIMEOUT", "0.5")
    monkeypatch.setenv("PERFSIGHT_STORE__URL", "sqlite:///x.db")
    settings = load_config(path)
    assert settings.mongo.uri == "mongodb://env-host:27017"
    assert settings.mongo.databases == ["travel"]  # the rest of the table still comes from the file
    assert settings.redis.socket_timeout == 0.5
    assert settings.store.url == "sqlite:///x.db"


def test_config_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, '[target]\nbase_url = "http://127.0.0.1:9"\n')
    monkeypatch.setenv("PERFSIGHT_CONFIG", str(path))
    assert load_config().target.base_url == "http://127.0.0.1:9"


def test_unknown_key_names_field_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[mongo]\nuri = "mongodb://h"\ndatabasess = ["x"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "mongo.databasess" in message
    assert "line 3" in message
    assert str(path) in message


def test_unknown_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "[mongoo]\nuri = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'mongoo'"):
        load_config(path)


def test_bad_value_names_field_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, '[redis]\nurl = "redis://h"\nsocket_timeout = "soon"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "redis.socket_timeout" in message
    assert "'soon'" in message
    assert "line 3" in message


def test_bad_duration_and_url(tmp_path: Path) -> None:
    path = _write(tmp_path, '[load]\nrun_time = "ten seconds"\n')
    with pytest.raises(ConfigError, match=r"load\.run_time"):
        load_config(path)
    path = _write(tmp_path, '[target]\nbase_url = "ftp://x"\n')
    with pytest.raises(ConfigError, match=r"target\.base_url"):
        load_config(path)


def test_bad_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFSIGHT_LOAD__USERS", "many")
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, ""))
    assert "PERFSIGHT_LOAD__USERS" in str(info.value)
    assert "load.users" in str(info.value)


def test_env_typo_in_key_and_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFSIGHT_REDIS__URLL", "redis://x")
    with pytest.raises(ConfigError, match=r"redis\.urll"):
        load_config(_write(tmp_path, ""))
    monkeypatch.delenv("PERFSIGHT_REDIS__URLL")
    monkeypatch.setenv("PERFSIGHT_REDDIS__URL", "redis://x")
    with pytest.raises(ConfigError, match="PERFSIGHT_REDDIS__URL"):
        load_config(_write(tmp_path, ""))


def test_invalid_toml_says_where(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="line 2"):
        load_config(_write(tmp_path, "[mongo]\nuri = \n"))


def test_thresholds_table_replaces_profile(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[thresholds]\nhttp_req_duration = ["p(95)<300"]\n'
        '"http_req_duration{endpoint:/api/bookings}" = ["p(99)<900"]\n',
    )
    names = [t.name for t in load_config(path).threshold_list()]
    assert names == [
        "http_req_duration p(95)<300",
        "http_req_duration{endpoint:/api/bookings} p(99)<900",
    ]


def test_bad_threshold_in_config(tmp_path: Path) -> None:
    path = _write(tmp_path, '[thresholds]\nhttp_req_duration = ["p95<300"]\n')
    with pytest.raises(ConfigError, match="p95<300"):
        load_config(path)


def test_load_scenario_and_jobs(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[load.scenario]]\nmethod = "GET"\npath = "/api/leads/{id}"\nvalues = { id = [1, 2] }\n'
        "weight = 3\n"
        '[[load.scenario]]\nmethod = "POST"\npath = "/api/quotes"\njson = { itinerary = 1 }\n'
        '[[schedule.jobs]]\nname = "nightly"\nkind = "report"\ncron = "0 6 * * *"\n',
    )
    settings = load_config(path)
    assert settings.load.scenario[0].values == {"id": [1, 2]}
    assert settings.load.scenario[1].json_body == {"itinerary": 1}
    assert settings.schedule.jobs[0].cron == "0 6 * * *"
    bad = _write(tmp_path, '[[schedule.jobs]]\nname = "x"\nkind = "report"\n')
    with pytest.raises(ConfigError, match="exactly one of cron or every"):
        load_config(bad)


def test_redaction() -> None:
    assert redact_url("mongodb://user:s3cret@h:27017/db?authSource=admin") == (
        "mongodb://user:***@h:27017/db?authSource=admin"
    )
    assert redact_url("https://h/x?token=abc&page=2") == "https://h/x?token=***&page=2"
    assert "XXXXXXXXXXXXXXXXXXXXXXXX" not in redact_url(
        "https://hooks.example.com/services/T000/XXXXXXXXXXXXXXXXXXXXXXXX"
    )
    settings = Settings(
        mongo={"uri": "mongodb://u:pw1@h/db"},
        redis={"url": "redis://:pw2@h:6379/0", "instances": {"s": "redis://:pw3@h2"}},
        target={"headers": {"Authorization": "Bearer pw4"}},
        prometheus={"headers": {"X-Token": "pw5"}},
        store={"url": "postgresql://u:pw6@h/db"},
        dashboard={"password_hash": "scrypt$pw7"},
        schedule={"webhook_url": "https://h/hook?token=pw8"},
    )
    text = repr(redacted_dump(settings))
    for secret in ("pw1", "pw2", "pw3", "pw4", "pw5", "pw6", "pw7", "pw8"):
        assert secret not in text


def test_example_is_valid_and_loads_as_defaults(tmp_path: Path) -> None:
    text = example_toml()
    tomllib.loads(text)
    assert load_config(_write(tmp_path, text)) == Settings()
    for name, info in Settings.model_fields.items():
        assert f"[{name}]" in text, name
        model = info.annotation
        if isinstance(model, type) and hasattr(model, "model_fields"):
            for key in model.model_fields:
                assert f"# {key} =" in text, f"{name}.{key}"


def test_readme_reference_is_generated_from_the_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- config-reference:start -->") + len("<!-- config-reference:start -->")
    end = readme.index("<!-- config-reference:end -->")
    assert readme[start:end].strip() == reference_markdown().strip(), (
        "README's configuration reference is out of date: regenerate it with "
        "'perfsight config reference'"
    )
