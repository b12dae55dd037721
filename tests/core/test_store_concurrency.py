"""Two processes writing into one SQLite store at the same time lose nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from perfsight.store import Store, runs

WRITER = """
import sys
from perfsight.store import Store, runs
store = Store(sys.argv[1])
for i in range(int(sys.argv[3])):
    runs.create_run(store, target=None, settings={"writer": sys.argv[2], "i": i})
"""


def test_two_processes_write_1000_rows_each(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, name, "1000"]) for name in ("a", "b")
    ]
    for writer in writers:
        assert writer.wait(timeout=240) == 0
    with Store(url) as store:
        recorded = runs.list_runs(store, limit=5000)
    by_writer = {"a": set(), "b": set()}  # type: dict[str, set[int]]
    for run in recorded:
        by_writer[run.settings["writer"]].add(run.settings["i"])
    assert by_writer == {"a": set(range(1000)), "b": set(range(1000))}
