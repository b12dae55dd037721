"""The claim that makes a double click start one run and keeps runs one at a time, on SQLite
and PostgreSQL."""

from __future__ import annotations

import os
import threading

from perfsight.store import Store, launches, runs


def test_a_token_is_claimed_once(store: Store) -> None:
    first = launches.claim(store, token="t1", run_id="r1", options={"users": 2}, now=100.0)
    again = launches.claim(store, token="t1", run_id="r2", options={"users": 2}, now=101.0)
    assert first.new and first.launch is not None and first.launch.run_id == "r1"
    assert not again.new and again.launch is not None and again.launch.run_id == "r1"


def test_a_pending_start_or_a_running_run_blocks_another(store: Store) -> None:
    launches.claim(store, token="t1", run_id="r1", options={}, now=1000.0)
    blocked = launches.claim(store, token="t2", run_id="r2", options={}, now=1010.0)
    assert (blocked.new, blocked.busy_run) == (False, "r1")
    # a start whose process never recorded its run stops blocking after PENDING_FOR
    later = 1000.0 + launches.PENDING_FOR + 1
    assert launches.claim(store, token="t3", run_id="r3", options={}, now=later).new
    # a running run (started anywhere, e.g. perfsight loadcheck) blocks too
    run_id = runs.create_run(store, target="http://127.0.0.1:9", settings={}, pid=os.getpid())
    blocked = launches.claim(store, token="t4", run_id="r4", options={}, now=later + 500)
    assert blocked.busy_run == run_id
    runs.finish_run(store, run_id, "passed")
    launches.exited(store, "t3", 0)
    assert launches.claim(store, token="t5", run_id="r5", options={}, now=later + 600).new


def test_a_failed_start_does_not_block(store: Store) -> None:
    launches.claim(store, token="t1", run_id="r1", options={}, now=1000.0)
    launches.failed(store, "t1", "cannot start: no such file")
    assert launches.claim(store, token="t2", run_id="r2", options={}, now=1001.0).new
    assert launches.by_run(store, "r1").error == "cannot start: no such file"  # type: ignore[union-attr]


def test_concurrent_claims_of_two_viewers_start_one_run(store_url: str) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def viewer(n: int) -> None:
        with Store(store_url) as own:
            barrier.wait()
            claim = launches.claim(own, token=f"t{n}", run_id=f"r{n}", options={}, now=5000.0)
            results.append(claim.new)

    threads = [threading.Thread(target=viewer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [False, False, False, True]
