"""A log read by several processes gives exactly what one reader gives: findings, shapes,
queries per request, the input report (rejected line numbers included), and WRITE/COMMAND
twins split across two parts."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from analyzers.base import AnalysisContext
from bench.make_mongo_log import lines as bench_lines
from collectors import log_chunks
from collectors.input_report import InputReport
from collectors.log_chunks import ChunkReader, split
from collectors.mongo_log import read_log
from collectors.mongo_normalize import ReadOptions
from perfsight import analysis_parallel
from perfsight.analysis import AnalysisResult, Inputs, analyze, read_events, shape_stats_for
from perfsight.analysis_parallel import analyze_log_parallel, parallel_log
from perfsight.cli.analyze_output import report_json
from perfsight.cli.main import main
from perfsight.config import Settings
from perfsight.store import Store
from perfsight.store.findings import list_findings
from tests.analyze.conftest import LOG_SAMPLES


def _json(result: AnalysisResult) -> dict[str, Any]:
    data = report_json(result, top=10_000, since=None, fail_on=None, failed=False)
    data.pop("generated_at")
    return json.loads(json.dumps(data, default=str))


def _both(path: Path, **parallel: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    settings = Settings()
    context = AnalysisContext(settings=settings.analysis)
    options = ReadOptions.from_settings(settings.mongo)
    single_report = InputReport()
    single = analyze(
        read_events(Inputs(logs=[path]), options=options, report=single_report),
        context=context,
        shapes=shape_stats_for(settings),
        report=single_report,
    )
    result = analyze_log_parallel(
        str(path),
        context=context,
        shapes=shape_stats_for(settings),
        options=options,
        report=InputReport(),
        **parallel,
    )
    assert result is not None
    return _json(single), _json(result)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 lines of the benchmark's workload: request ids, N+1 loops, getMores, twins,
    bursts without request ids, other log lines and a malformed line every 2,500."""
    path = tmp_path_factory.mktemp("parallel") / "mongod.log"
    path.write_bytes(b"".join(bench_lines(20_000, seed=11, malformed_every=2_500)))
    return path


def test_parallel_equals_one_reader_on_the_benchmark_workload(generated: Path) -> None:
    single, parallel = _both(generated, workers=2, parts=9)
    assert parallel["input"]["rejected"] == 8
    assert parallel["input"]["duplicates_merged"] > 1000
    assert {f["kind"] for f in parallel["findings"]} >= {
        "missing_index",
        "n_plus_one",
        "unpaginated_query",
        "redundant_query",
    }
    assert parallel == single


def test_parallel_equals_one_reader_on_a_real_sample(samples_dir: Path, tmp_path: Path) -> None:
    source = samples_dir / LOG_SAMPLES[2]
    if not source.exists():
        pytest.skip(f"{source} not found")
    single, parallel = _both(source, workers=2, parts=13)
    assert parallel == single


def _line(ctx: str, component: str, attr: dict[str, Any], ms: int) -> bytes:
    entry = {
        "t": {"$date": f"2026-11-02T08:00:00.{ms:03d}+00:00"},
        "s": "I",
        "c": component,
        "id": 51803,
        "ctx": ctx,
        "msg": "Slow query",
        "attr": {"durationMillis": 3, "remote": "10.0.0.1:5000", **attr},
    }
    return json.dumps(entry).encode() + b"\n"


def _update_pair(ctx: str, ms: int, collection: str = "leads") -> list[bytes]:
    write = _line(
        ctx,
        "WRITE",
        {
            "type": "update",
            "ns": f"crm.{collection}",
            "command": {"q": {"_id": ms}, "u": {"$set": {"a": 1}}},
            "planSummary": "IDHACK",
            "nMatched": 1,
        },
        ms,
    )
    command = _line(
        ctx,
        "COMMAND",
        {"type": "command", "ns": "crm.$cmd", "command": {"update": collection, "$db": "crm"}},
        ms,
    )
    return [write, command]


def _find(ctx: str, ms: int) -> bytes:
    command = {"find": "leads", "filter": {"tenant": "t"}, "$db": "crm"}
    return _line(ctx, "COMMAND", {"type": "command", "ns": "crm.leads", "command": command}, ms)


@pytest.fixture
def twins_log(tmp_path: Path) -> tuple[Path, list[int]]:
    """conn1's update is logged as WRITE, then (after conn2's lines) its COMMAND twin; conn3's
    COMMAND twin follows a WRITE of another collection (no twin); the ranges' starts are right
    before each COMMAND line."""
    write1, command1 = _update_pair("conn1", 1)
    write3, _ = _update_pair("conn3", 2, collection="quotes")
    _, command3 = _update_pair("conn3", 3)
    rows = [_find("conn2", 0), write1, *(_find("conn2", 5 + i) for i in range(40)), command1]
    rows += [write3, _find("conn2", 60), command3, _find("conn1", 70)]
    path = tmp_path / "twins.log"
    path.write_bytes(b"".join(rows))
    starts, position = [], 0
    for row in rows:
        if row in (command1, command3):
            starts.append(position)
        position += len(row)
    return path, starts


@pytest.mark.parametrize("block", [1 << 16, 97])
def test_a_twin_split_from_its_write_line_is_still_merged(
    twins_log: tuple[Path, list[int]], block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_chunks, "_BACK_BLOCK", block)  # also across many small blocks
    path, starts = twins_log
    whole = InputReport()
    expected = [(e.op, e.namespace, e.fingerprint) for e in read_log(path, report=whole)]
    bounds = [0, *starts, path.stat().st_size]
    parts, got = InputReport(), []
    for start, end in itertools.pairwise(bounds):
        report = InputReport()
        reader = ChunkReader(path, start, end, report=report)
        got += [(e.op, e.namespace, e.fingerprint) for e in reader.events()]
        parts.merge(report)
    assert whole.duplicates_merged == 1  # conn1's pair; conn3's COMMAND is no twin
    assert (parts.duplicates_merged, parts.events, parts.lines_read) == (
        whole.duplicates_merged,
        whole.events,
        whole.lines_read,
    )
    assert got == expected


def test_split_starts_every_range_at_a_line_start(generated: Path) -> None:
    data = generated.read_bytes()
    ranges = split(generated, 7)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (start, end), (after, _end) in itertools.pairwise(ranges):
        assert end == after and data[start - 1 : start] in (b"", b"\n")


def test_only_one_large_plain_file_is_read_in_parallel(generated: Path, tmp_path: Path) -> None:
    gz = tmp_path / "x.log.gz"
    gz.write_bytes(b"\x1f\x8b" + b"\0" * 100)
    assert parallel_log(Inputs(logs=[generated]), min_bytes=1) == str(generated)
    assert parallel_log(Inputs(logs=[generated]), min_bytes=1 << 40) is None
    assert parallel_log(Inputs(logs=[gz]), min_bytes=1) is None
    assert parallel_log(Inputs(logs=["-"]), min_bytes=1) is None
    assert parallel_log(Inputs(logs=[generated, generated]), min_bytes=1) is None


@pytest.fixture
def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PERFSIGHT_STORE__URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setattr(analysis_parallel, "MIN_BYTES", 0)
    yield


@pytest.mark.usefixtures("_cli")
def test_the_cli_gives_the_same_json_with_one_or_two_processes(
    generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = []
    for jobs in ("1", "2"):
        argv = ["analyze", "--log", str(generated), "--format", "json", "--no-store"]
        assert main([*argv, "--top", "1000", "--jobs", jobs]) == 0
        data = json.loads(capsys.readouterr().out)
        data.pop("generated_at")
        outputs.append(copy.deepcopy(data))
    assert outputs[0] == outputs[1]


@pytest.mark.usefixtures("_cli")
def test_the_store_opened_while_the_workers_read_gets_the_findings(
    generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store (and its libraries) is opened once the workers are reading, not before."""
    assert main(["analyze", "--log", str(generated), "--format", "json", "--jobs", "2"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        stored = list_findings(store)
    assert found and {f["id"] for f in found} == {s.finding.id for s in stored}


@pytest.mark.usefixtures("_cli")
def test_a_store_that_cannot_open_stops_the_workers_and_exits_2(
    generated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERFSIGHT_STORE__URL", "nosuchdb://nowhere/x")
    before = set(psutil.Process().children(recursive=True))
    assert main(["analyze", "--log", str(generated), "--format", "json", "--jobs", "2"]) == 2
    assert "unsupported database" in capsys.readouterr().err
    assert set(psutil.Process().children(recursive=True)) <= before  # the pool is gone
