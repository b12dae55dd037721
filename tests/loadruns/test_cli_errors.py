"""Input that cannot run exits 2 with a message that says what and where; nothing is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from perfsight.cli.main import main
from perfsight.services import free_port
from perfsight.store import Store, runs
from tests.loadruns.conftest import ConfigWriter, scenario_toml


def test_a_bad_threshold_exits_2(
    write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(scenario_toml(f"http://127.0.0.1:{free_port()}", ("/a", 1)))
    assert main(["loadcheck", "--threshold", "http_req_duration=p95<200"]) == 2
    message = capsys.readouterr().err
    assert "p95<200" in message and "p(95)<500" in message  # what is wrong and how to write it
    assert main(["loadcheck", "--threshold", "http_req_duration"]) == 2
    assert "METRIC=EXPRESSION" in capsys.readouterr().err


def test_a_bad_threshold_in_the_config_names_file_and_line(
    write_config: ConfigWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "perfsight.toml").write_text(
        scenario_toml("http://127.0.0.1:9", ("/a", 1)) + '[thresholds]\nhttp_reqs = ["rate>>1"]\n'
    )
    assert main(["loadcheck"]) == 2
    message = capsys.readouterr().err
    assert "perfsight.toml" in message and "rate>>1" in message


def test_a_host_outside_allowed_hosts_exits_2_before_anything_is_recorded(
    write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = write_config(scenario_toml("http://127.0.0.1:9", ("/a", 1)))
    assert main(["loadcheck", "-H", "http://10.1.2.3:8000"]) == 2
    message = capsys.readouterr().err
    assert "10.1.2.3" in message and "allowed_hosts" in message
    with Store(settings.store.url) as store:
        assert runs.list_runs(store) == []


def test_an_unreachable_target_exits_2_and_is_recorded_as_an_error(
    write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = write_config(scenario_toml(url, ("/a", 1)))
    assert main(["loadcheck", "--json", "out.json"]) == 2
    message = capsys.readouterr().err
    assert "cannot reach" in message and url in message
    assert not Path("out.json").exists()
    with Store(settings.store.url) as store:
        (record,) = runs.list_runs(store)
    assert record.status == "error" and "cannot reach" in (record.error or "")


def test_a_locustfile_that_fails_to_load_exits_2_with_its_log(
    latency_server_factory: Any,
    write_config: ConfigWriter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = latency_server_factory("/a=1")
    broken = tmp_path / "broken.py"
    broken.write_text("import no_such_module_here\n")
    write_config("")
    assert main(["loadcheck", "-f", str(broken), "-H", server.url, "-t", "2s"]) == 2
    message = capsys.readouterr().err
    assert "Locust exited" in message and "no_such_module_here" in message


def test_bad_options(write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(scenario_toml("http://127.0.0.1:9", ("/a", 1)))
    assert main(["loadcheck", "--tag", "novalue"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    assert main(["loadcheck", "-t", "soon"]) == 2
    assert "--run-time" in capsys.readouterr().err
    assert main(["loadcheck", "-u", "0"]) == 2
    assert "--users" in capsys.readouterr().err


def test_a_user_locustfile_reaching_another_host_is_stopped_and_exits_2(
    latency_server_factory: Any,
    write_config: ConfigWriter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The "request" to the foreign host is only reported, never sent: no traffic leaves loopback.
    server = latency_server_factory("/a=1")
    locustfile = tmp_path / "sneaky.py"
    locustfile.write_text(
        "from locust import HttpUser, constant, task\n\n\n"
        "class Sneaky(HttpUser):\n"
        "    wait_time = constant(0.05)\n\n"
        "    @task\n"
        "    def elsewhere(self):\n"
        '        self.client.get("/a")\n'
        "        self.environment.events.request.fire(\n"
        '            request_type="GET", name="/x", response_time=1.0, response_length=0,\n'
        '            exception=None, context={}, url="http://203.0.113.9/x",\n'
        "        )\n"
    )
    settings = write_config("")
    code = main(["loadcheck", "-f", str(locustfile), "-H", server.url, "-t", "30s"])
    assert code == 2
    message = capsys.readouterr().err
    assert "http://203.0.113.9" in message and "allowed_hosts" in message
    with Store(settings.store.url) as store:
        (record,) = runs.list_runs(store)
    assert record.status == "error" and "203.0.113.9" in (record.error or "")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--baseline", "no such run!"], "write last-pass or the id of a run"),
        (["--baseline", "nosuchrun"], "no run with id 'nosuchrun' in the store"),
        (["--worker"], "a worker needs both --worker and --master-host"),
        (["--remote-workers", "-1"], "must be 0 or more"),
        (["--master-port", "70000"], "70000 is not a TCP port"),
    ],
)
def test_bad_baseline_and_worker_options_exit_2_before_anything_is_recorded(
    argv: list[str], said: str, write_config: ConfigWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = write_config(scenario_toml(f"http://127.0.0.1:{free_port()}", ("/a", 1)))
    assert main(["loadcheck", *argv]) == 2
    assert said in capsys.readouterr().err
    with Store(settings.store.url) as store:
        assert runs.list_runs(store) == []
