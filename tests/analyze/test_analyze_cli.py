"""`perfsight analyze` end to end: formats (JSON valid against the shipped schema), exit codes,
--since, --indexes, --top, --fail-on, stdin, the store, and bad input."""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from perfsight.cli.main import main
from perfsight.store import Store
from perfsight.store.findings import list_findings
from perfsight.store.shapes import load_shape_stats
from tests.analyze.conftest import LOG_SAMPLES, PROFILE_SAMPLES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import os

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PERFSIGHT_") and name != "PERFSIGHT_SAMPLES":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PERFSIGHT_STORE__URL", f"sqlite:///{tmp_path / 'store.db'}")
    yield


@pytest.fixture
def leads_log(samples_dir: Path, tmp_path: Path) -> Path:
    """Real 6.0 logv2 lines rewritten to the sample API's slow leads query: a collection scan
    of 40,000 documents for 20 (and the rest of the real sample around it)."""
    source = samples_dir / LOG_SAMPLES[2]
    if not source.exists():
        pytest.skip(f"{source} not found")
    lines = [json.loads(line) for line in source.read_text().splitlines()]
    template = lines[41]  # a real COLLSCAN find
    out = []
    for index in range(6):
        entry = copy.deepcopy(template)
        attr = entry["attr"]
        attr["ns"] = "travel.leads"
        attr["command"] = {
            "find": "leads",
            "filter": {"tenant": f"t{index}", "status": "open"},
            "sort": {"createdAt": -1},
            "limit": 20,
            "comment": {"rid": f"r{index}", "route": "GET /api/leads"},
            "$db": "travel",
        }
        attr.update(docsExamined=40_000, nreturned=20, durationMillis=300 + index)
        out.append(entry)
    path = tmp_path / "mongod.log"
    path.write_text("".join(json.dumps(e) + "\n" for e in [*lines, *out]))
    return path


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["analyze", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_output_is_valid_and_complete(
    leads_log: Path,
    sample: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    analyze_validator: jsonschema.Draft202012Validator,
) -> None:
    profiles = [str(sample(name)) for name in PROFILE_SAMPLES]
    code, out, err = run(
        "--log", str(leads_log), "--profile-file", *profiles, "--format", "json", capsys=capsys
    )
    assert code == 0, err
    data = json.loads(out)
    analyze_validator.validate(data)
    leads = [f for f in data["findings"] if f["namespace"] == "travel.leads"]
    assert [f["index"] for f in leads] == [[["tenant", 1], ["status", 1], ["createdAt", -1]]]
    assert leads[0]["severity"] == "critical"
    assert (
        leads[0]["suggestion"]
        == 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})'
    )
    assert data["findings"][0] == leads[0]  # the most severe first
    assert data["input"]["events"] == 46 + 6 + 4 + 11
    assert data["input"]["duplicates_merged"] == 2 and data["input"]["rejected"] == 0
    assert data["summary"]["findings"] == len(data["findings"])
    assert data["summary"]["by_severity"]["critical"] == 1
    shapes = {s["fingerprint"]: s for s in data["shapes"]}
    slow = shapes['db.leads.find({"tenant":"?","status":"?"}).sort({"createdAt":-1}).limit(?)']
    assert slow["count"] == 6 and slow["max_millis"] == 305 and slow["scan_ratio"] == 2000
    assert slow["example"]["endpoint"] == "GET /api/leads"
    assert data["window"]["first_event"] == "2020-01-01T00:00:00Z"
    assert "read " in err and "67 events" in err


def test_table_and_markdown_name_the_fix(
    leads_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run("--log", str(leads_log), "--no-store", capsys=capsys)
    assert code == 0
    assert "missing_index" in out and "createIndex" in out and "Query shapes" in out
    code, out, _ = run("--log", str(leads_log), "--format", "markdown", "--top", "3", capsys=capsys)
    assert code == 0
    assert out.startswith("# perfsight analyze")
    assert '`db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})`' in out
    assert "## Query shapes by total time (3 of " in out
    assert "| critical | missing_index | travel.leads |" in out


def test_fail_on_and_top(leads_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--log", str(leads_log), "--fail-on", "critical", capsys=capsys)[0] == 1
    assert run("--log", str(leads_log), "--fail-on", "warning", capsys=capsys)[0] == 1
    code, out, _ = run(
        "--log",
        str(leads_log),
        "--fail-on",
        "critical",
        "--format",
        "json",
        "--top",
        "1",
        capsys=capsys,
    )
    data = json.loads(out)
    assert code == 1 and data["summary"]["failed"] is True
    assert len(data["findings"]) == 1 and len(data["shapes"]) == 1
    assert data["summary"]["shapes"] > 1


def test_fail_on_passes_when_nothing_reaches_it(
    sample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Two info findings: an in-memory sort, and a query repeated with the same parameters under
    # one comment (a plain-string comment is the request id, by the contract).
    profile = str(sample(PROFILE_SAMPLES[0]))
    code, out, _ = run(
        "--profile-file", profile, "--fail-on", "warning", "--format", "json", capsys=capsys
    )
    data = json.loads(out)
    assert code == 0 and data["summary"]["by_severity"] == {"info": 2, "warning": 0, "critical": 0}
    assert sorted(f["kind"] for f in data["findings"]) == ["missing_index", "redundant_query"]


def test_indexes_file_and_since(
    leads_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    indexes = tmp_path / "indexes.json"
    indexes.write_text(
        json.dumps(
            {
                "travel.leads": {
                    "_id_": {"key": [["_id", 1]], "v": 2},
                    "tenant_1_status_1_createdAt_-1": {
                        "key": [["tenant", 1], ["status", 1], ["createdAt", -1]]
                    },
                }
            }
        )
    )
    code, out, _ = run(
        "--log", str(leads_log), "--indexes", str(indexes), "--format", "json", capsys=capsys
    )
    assert code == 0
    assert [f for f in json.loads(out)["findings"] if f["namespace"] == "travel.leads"] == []
    # the sample's lines end at 16:26:51 -04:00; the leads lines copy a 16:25:49 line
    code, out, _ = run(
        "--log",
        str(leads_log),
        "--since",
        "2023-09-23T20:26:00Z",
        "--format",
        "json",
        capsys=capsys,
    )
    data = json.loads(out)
    assert code == 0 and data["window"]["since"] == "2023-09-23T20:26:00Z"
    assert data["input"]["before_since"] > 0
    assert [f for f in data["findings"] if f["namespace"] == "travel.leads"] == []
    assert run("--log", str(leads_log), "--since", "1h", capsys=capsys)[0] == 0  # all before


def test_results_go_to_the_store_once_per_input(
    leads_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        assert run("--log", str(leads_log), capsys=capsys)[0] == 0
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        stored = list_findings(store)
        shapes = load_shape_stats(store)
    indexes = [s.finding.index for s in stored if s.finding.kind == "missing_index"]
    assert indexes == [(("tenant", 1), ("status", 1), ("createdAt", -1))]
    assert {s.origin for s in stored} == {"analyze"}
    leads = [s for s in shapes if s.namespace == "travel.leads"]
    assert sum(s.count for s in leads) == 6  # analysed twice, stored once
    run("--log", str(leads_log), "--no-store", capsys=capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--log", "missing.log"], "missing.log: no such file"),
        ([], "nothing to analyze"),
        (["--log", "-", "--log", "-"], "only one --log can read stdin"),
        (["--log", "{log}", "--since", "last tuesday"], "--since: not a duration or an ISO time"),
        (["--log", "{log}", "--indexes", "{bad_indexes}"], "not JSON"),
        (["--log", "{garbage}"], "nothing could be read: all 3 records were rejected"),
    ],
)
def test_could_not_run_exits_2_with_a_message(
    args: list[str],
    message: str,
    leads_log: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    garbage = tmp_path / "garbage.log"
    garbage.write_bytes(b'\x00\x01 binary\nnot json\n{"half": \n')
    bad_indexes = tmp_path / "indexes.json"
    bad_indexes.write_text("{not json")
    paths = {"log": str(leads_log), "garbage": str(garbage), "bad_indexes": str(bad_indexes)}
    code, _, err = run(*[a.format(**paths) for a in args], capsys=capsys)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_log_files_from_the_configuration(
    leads_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "perfsight.toml").write_text(f'[mongo]\nlog_files = ["{leads_log}"]\n')
    code, out, _ = run("--format", "json", "--no-store", capsys=capsys)
    assert code == 0 and json.loads(out)["input"]["sources"] == [str(leads_log)]


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_stdin_through_the_installed_command(leads_log: Path, tmp_path: Path, packed: bool) -> None:
    data_in = leads_log.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "perfsight", "analyze", "--log", "-", "--format", "json"],
        input=gzip.compress(data_in) if packed else data_in,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "PERFSIGHT_STORE__URL": f"sqlite:///{tmp_path / 'stdin.db'}",
        },
    )
    assert result.returncode == 0, result.stderr.decode()
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["input"]["sources"] == ["-"] and data["input"]["events"] == 52
    assert data["findings"][0]["namespace"] == "travel.leads"
