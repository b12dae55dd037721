"""``perfsight analyze --log FILE --format json`` end to end against a bare ``orjson.loads``
loop over the same file, alternating, medians.

    .venv/bin/python -m bench.make_mongo_log --lines 1000000 --out .perfsight/bench/mongod.log
    .venv/bin/python -m bench.analyze_log .perfsight/bench/mongod.log --rounds 3

- **bare**: ``for line in file: orjson.loads(line)`` (malformed lines caught) in this process,
  one core: what reading the file costs at the least.
- **analyze**: ``perfsight analyze --log FILE --format json`` as a subprocess, from process
  start to exit (interpreter start, imports, the whole default pipeline, the store written,
  the JSON printed), wall time; peak RSS of its whole process tree (workers included), sampled
  every 20 ms.

Prints each round, then the medians, the ratio bare / analyze (the target: ≥ 0.5, i.e. the end
to end time at most twice the bare parse time) of the medians and as the median of the rounds'
own ratios (steadier when the machine's speed drifts), events per second, the load average
before and after, the CPU count — the machine may be shared — and whether the hot path is
compiled.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
import psutil

from perfsight import compiled


def bare_parse(path: Path) -> tuple[float, int]:
    """Seconds for the bare loop, and the lines it parsed."""
    loads, error = orjson.loads, orjson.JSONDecodeError
    started = time.perf_counter()
    lines = 0
    with path.open("rb", buffering=1 << 20) as handle:
        for line in handle:
            lines += 1
            with contextlib.suppress(error):
                loads(line)
    return time.perf_counter() - started, lines


class TreeRss:
    """Peak resident memory of a process and its children, sampled."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
                total = 0
                for process in processes:
                    with contextlib.suppress(psutil.Error):
                        total += process.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def analyze(path: Path, store_url: str, extra: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS (bytes) and events of one end-to-end run."""
    command = [
        sys.executable,
        "-m",
        "perfsight.cli.main",
        "analyze",
        "--log",
        str(path),
        "--format",
        "json",
        *extra,
    ]
    env = {**os.environ, "PERFSIGHT_STORE__URL": store_url}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    rss = TreeRss(process.pid)
    out, _ = process.communicate()
    wall = time.perf_counter() - started
    peak = rss.stop()
    if process.returncode != 0:
        raise SystemExit(f"perfsight analyze exited {process.returncode}")
    events = int(orjson.loads(out)["summary"]["events"])
    return wall, peak, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--jobs", help="perfsight analyze --jobs (default: its own, one process per CPU)"
    )
    args = parser.parse_args()
    size = args.log.stat().st_size
    load_before = os.getloadavg()
    print(f"{args.log}: {size / 1e6:,.1f} MB; {os.cpu_count()} CPUs; load {load_before}")
    print(compiled.summary())  # a pure-Python build is about 1.6 times slower
    bare_times, analyze_times, peaks = [], [], []
    events = lines = 0
    with tempfile.TemporaryDirectory() as folder:
        store_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        for round_no in range(1, args.rounds + 1):
            bare, lines = bare_parse(args.log)
            extra = ["--jobs", args.jobs] if args.jobs else []
            wall, peak, events = analyze(args.log, store_url, extra)
            bare_times.append(bare)
            analyze_times.append(wall)
            peaks.append(peak)
            print(
                f"round {round_no}: bare {bare:6.2f} s   analyze {wall:6.2f} s   "
                f"ratio {bare / wall:.3f}   peak RSS {peak / 2**20:,.0f} MiB"
            )
    bare_median = statistics.median(bare_times)
    analyze_median = statistics.median(analyze_times)
    print(
        f"medians: bare {bare_median:.2f} s ({lines / bare_median:,.0f} lines/s), analyze "
        f"{analyze_median:.2f} s ({events:,} events, {events / analyze_median:,.0f} events/s, "
        f"{lines / analyze_median:,.0f} lines/s)"
    )
    # Each round's pair runs back to back: on a machine whose speed drifts (a shared VM), the
    # rounds' own ratios are steadier than the ratio of two medians taken at other moments.
    ratios = sorted(b / a for b, a in zip(bare_times, analyze_times, strict=True))
    print(
        f"ratio bare/analyze {bare_median / analyze_median:.3f} of the medians, "
        f"{statistics.median(ratios):.3f} median of the rounds' ({ratios[0]:.3f}–{ratios[-1]:.3f}) "
        f"(target ≥ 0.5); peak RSS {max(peaks) / 2**20:,.0f} MiB (target < 1024); "
        f"load {load_before} → {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
