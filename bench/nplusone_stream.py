"""How fast the N+1, queries-per-request and unpaginated-query analyzers stream a large log,
and how much memory they hold while doing it.

    .venv/bin/python bench/nplusone_stream.py --events 1000000

Synthetic traffic made lazily (so the events themselves are not held): 20 endpoints, requests
every 2 ms with 3–12 queries each (a third of them an N+1 loop after a source query), one in
ten without a request id (the burst detector's path), some unlimited finds. Prints events per
second for all three analyzers together and the process's peak RSS growth.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from analyzers.nplusone import NPlusOneAnalyzer
from analyzers.pagination import UnpaginatedQueryAnalyzer
from analyzers.queries_per_request import QueriesPerRequestAnalyzer
from perfsight.models import QueryEvent

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def traffic(total: int, seed: int = 1) -> Iterator[QueryEvent]:
    rng = random.Random(seed)
    sent = 0
    request = 0
    while sent < total:
        request += 1
        start = request * 2.0  # ms
        endpoint = f"GET /api/r{request % 20}/{{id}}"
        rid = None if request % 10 == 0 else f"req-{request}"
        client = f"10.0.{request % 7}.1:{40000 + request % 50}"
        loop = request % 3 == 0
        count = rng.randint(5, 10) if loop else rng.randint(3, 12)
        at = start
        for i in range(count + 1):
            ns = f"app.c{request % 20}" if i == 0 or not loop else f"app.child{request % 20}"
            fp = f'db.{ns}.find({{"k{i % 3 if not loop else 9}":"?"}})'
            millis = rng.uniform(0.5, 15)
            unlimited = request % 50 == 0 and i == 0
            yield QueryEvent(
                ts=T0 + timedelta(milliseconds=at + millis),
                op="query",
                namespace=ns,
                command_name="find",
                fingerprint=fp,
                millis=millis,
                filter_shape={"k": "?"},
                nreturned=(count + (150 if unlimited else 0)) if i == 0 else rng.randint(0, 3),
                cursor_exhausted=not unlimited,
                response_length=2000,
                client=client,
                request_id=rid,
                endpoint=endpoint if rid else None,
                params_hash=f"{request}-{i}",
            )
            at += millis + rng.uniform(0.1, 2)
            sent += 1
            if sent >= total:
                return


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    analyzers = [NPlusOneAnalyzer(), QueriesPerRequestAnalyzer(), UnpaginatedQueryAnalyzer()]
    # the generator's own cost, measured apart so the analyzers' figure is theirs
    started = time.perf_counter()
    for _event in traffic(args.events):
        pass
    generation = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for event in traffic(args.events):
        for analyzer in analyzers:
            analyzer.feed(event)
    fed = time.perf_counter() - started
    found = [f for a in analyzers for f in a.findings()]
    total = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    analysis = total - generation
    print(f"events: {args.events:,}")
    print(f"generating the events alone: {generation:.1f} s")
    print(f"feeding + findings: {total:.1f} s (findings() {total - fed:.2f} s)")
    print(f"analyzers only: {analysis:.1f} s = {args.events / analysis:,.0f} events/s")
    print(f"peak RSS growth while analysing: {(rss_after - rss_before) / 1024:.0f} MiB")
    kinds = sorted({f.kind for f in found})
    print(f"findings: {len(found)} ({', '.join(kinds)})")


if __name__ == "__main__":
    main()
