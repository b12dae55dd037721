"""A large mongod logv2 file for the analysis benchmark (``bench/analyze_log.py``).

    .venv/bin/python -m bench.make_mongo_log --lines 1000000 --out .perfsight/bench/mongod.log

Lines in the format of MongoDB 6.0/7.0 logv2 output (``bench/log_lines.py``) with values varied
line by line, from the workload of ``bench/log_workload.py``:

- a travel-CRM API whose requests carry ``{rid, route}`` comments: leads filtered and sorted
  without an index (COLLSCAN + in-memory sort), the itinerary N+1 (a query per day and per
  service), unpaginated bookings (a first batch of 101, then getMore batches with their
  originatingCommand), quotes (an aggregate with ``$in``, findAndModify, insert, an update),
  ``$or`` + ``$regex`` search, distinct, a date-range report; concurrent requests interleaved
  and spread over a pool of 24 connections;
- background jobs without request ids (a queue loop: a find, then one update per email — a
  burst), inserts, and a monitoring agent's hello/serverStatus/listIndexes/collStats;
- updates and deletes as a ``WRITE`` line plus its ``COMMAND`` twin on ``<db>.$cmd``;
- other log lines (connections, client metadata, checkpoints: about 3 %), and a malformed line
  every 100,000 (a line cut short, binary garbage, a field of the wrong type).

The mix follows the real hatchet sample (98 % of its 27,995 lines are slow queries: a server
with a low ``slowms``). Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.log_lines import Lines
from bench.log_workload import Workload

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
MALFORMED_EVERY = 100_000


def malformed(number: int, good: bytes) -> bytes:
    """A bad line in place of ``good``: cut short, binary garbage, or a wrongly typed field."""
    kind = number % 3
    if kind == 0:
        return good[: len(good) // 2] + b"\n"  # the writer died mid-line
    if kind == 1:
        return bytes(range(128, 256))[: 40 + number % 60] + b"\x00\xff51803\n"
    return good.replace(b'"durationMillis":', b'"durationMillis":"slow",', 1).replace(
        b'",,', b'",', 1
    )


def lines(total: int, seed: int, *, malformed_every: int = MALFORMED_EVERY) -> Iterator[bytes]:
    rng = random.Random(seed)
    workload = Workload(Lines(rng))
    at = T0
    emitted = 0
    while True:
        for line in workload.next_batch(at):
            emitted += 1
            if emitted % malformed_every == malformed_every // 2:
                line = malformed(emitted // malformed_every, line)
            yield line
            if emitted >= total:
                return
        at += timedelta(milliseconds=rng.uniform(6, 14))


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a large mongod logv2 file.")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(".perfsight/bench/mongod.log"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with args.out.open("wb") as handle:
        for line in lines(args.lines, args.seed):
            handle.write(line)
            size += len(line)
    print(f"wrote {args.lines:,} lines, {size / 1e6:.1f} MB to {args.out}")


if __name__ == "__main__":
    main()
