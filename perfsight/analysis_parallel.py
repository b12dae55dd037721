"""``analyze()`` of one large plain logv2 file with several processes — the same result as one
process, faster on several cores.

The file is cut into parts at line starts (``collectors.log_chunks``). A pool of worker
processes reads the parts, in order, each reading one part at a time: it parses and normalises
the lines (most of the work) and feeds the analyzers whose state merges — the shape statistics,
the missing-index advisor, the unpaginated-query analyzer. Analyzers that need every event in
order (N+1, queries per request: a request's queries may straddle two parts) stay in this
process: each worker sends, per event, only what they read — a small tuple
(``analyzers.requests.request_values``: times, a shape number, the parameters' hash, request id,
endpoint) and its part's shapes once — and this process feeds them (their ``feed_op``) part
after part, in input order, while the workers read the next parts.
Parts are merged in input order (``merge(..., later=True)``), line numbers shifted by the lines
of the parts before. So findings, shapes and the input report equal a single reader's
(``tests/analyze/test_parallel.py`` compares them).

Used when it pays: one plain file of at least ``MIN_BYTES`` on a machine with several cores.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzers.base import AnalysisContext
from analyzers.request_stream import read_part, replay
from analyzers.shape_table import ShapeParts, ShapeTable
from analyzers.shapes import ShapeStats
from collectors.file_input import STDIN
from collectors.input_report import InputReport
from collectors.log_chunks import ChunkReader, split
from collectors.mongo_normalize import ReadOptions
from perfsight.analysis import (
    AnalysisResult,
    Inputs,
    bulk_collection,
    default_analyzers,
    result_of,
)

MIN_BYTES = 32 << 20  # below this one process is as fast (the pool costs ~0.1 s)
PARTS_PER_WORKER = 8  # small parts: this process starts on the first one early
PART_BYTES = 16 << 20  # and never larger than this: a part's events wait in memory
_BATCH = 4096  # events per message to this process
_GZIP_MAGIC = b"\x1f\x8b"


def parallel_log(inputs: Inputs, *, min_bytes: int = MIN_BYTES) -> str | None:
    """The file to read in parallel, or None when one reader is the right choice (several
    inputs, stdin, a compressed or small file, one core)."""
    if (os.cpu_count() or 1) < 2 or inputs.profile_files or len(inputs.logs) != 1:
        return None
    path = str(inputs.logs[0])
    if path == STDIN:
        return None
    try:
        with Path(path).open("rb") as handle:
            compressed = handle.read(2) == _GZIP_MAGIC
        size = Path(path).stat().st_size
    except OSError:
        return None  # the reader reports it
    return None if compressed or size < min_bytes else path


@dataclass
class _Job:
    """What every worker needs; set before the pool forks (inherited, not pickled)."""

    path: str
    options: ReadOptions
    context: AnalysisContext
    shapes: Callable[[], ShapeStats]
    merged: list[int]  # positions (in default_analyzers) of the analyzers merged from parts


@dataclass
class _Part:
    report: InputReport
    shapes: ShapeStats
    analyzers: list[Any]
    batches: list[bytes] = field(default_factory=list)  # pickled lists of request ops
    request_shapes: list[ShapeParts] = field(default_factory=list)  # their shape numbers
    read_bytes: int = 0


_JOB: _Job | None = None


def _read(bounds: tuple[int, int]) -> bytes:
    """In a worker: one part of the file, pickled here (an error unpickling it in the pool's
    result thread would hang the pool; in the caller it is an ordinary exception)."""
    job = _JOB
    assert job is not None
    start, end = bounds
    report = InputReport()
    reader = ChunkReader(job.path, start, end, options=job.options, report=report)
    shapes = job.shapes()
    everything = default_analyzers(job.context)
    analyzers = [everything[i] for i in job.merged]
    table = ShapeTable()
    part = _Part(report, shapes, analyzers, read_bytes=end - start)
    part.batches = read_part(reader.events(), [shapes, *analyzers], table, _BATCH)
    part.request_shapes = table.parts()
    return pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)


def analyze_log_parallel(
    path: str,
    *,
    context: AnalysisContext,
    shapes: ShapeStats,
    options: ReadOptions,
    report: InputReport,
    workers: int | None = None,
    parts: int | None = None,
    progress: Callable[[int], None] | None = None,
    started: Callable[[], None] | None = None,
) -> AnalysisResult | None:
    """The analysis of ``path`` read by ``workers`` processes (default: the CPU count); None
    when an analyzer can neither be merged nor be fed in order from here (then call
    ``analyze``). ``started()`` is called in this process once the workers are reading (what
    it does overlaps their first part)."""
    global _JOB
    analyzers = default_analyzers(context)
    merged = [i for i, a in enumerate(analyzers) if hasattr(a, "merge")]
    ordered = [a for i, a in enumerate(analyzers) if i not in merged]
    # op.shape numbers the shapes of the one table the in-order analyzers share (N+1's)
    tables = {id(t): t for a in ordered if isinstance(t := getattr(a, "shapes", None), ShapeTable)}
    if any(not hasattr(a, "feed_op") for a in ordered) or len(tables) > 1:
        return None
    table = next(iter(tables.values()), ShapeTable())
    count = max(2, workers or os.cpu_count() or 2)
    size = Path(path).stat().st_size
    bounds = split(path, parts or max(count * PARTS_PER_WORKER, -(-size // PART_BYTES)))
    bucket, raw, redact = shapes.bucket_seconds, shapes.raw_examples, shapes.redact_fields
    _JOB = _Job(
        path,
        options,
        context,
        lambda: ShapeStats(bucket, raw_examples=raw, redact_fields=redact),
        merged,
    )
    lines_before = done = 0
    try:
        with bulk_collection(), multiprocessing.get_context("fork").Pool(count) as pool:
            for part in _in_order(pool, bounds, ahead=2 * count, started=started):
                _shift(part, lines_before)
                lines_before += part.report.lines_read
                report.merge(part.report)
                shapes.merge(part.shapes, later=True)
                for index, analyzer in zip(merged, part.analyzers, strict=True):
                    analyzers[index].merge(analyzer, later=True)  # type: ignore[attr-defined]
                ids = [table.adopt(*shape) for shape in part.request_shapes]
                replay(part.batches, ids, ordered)
                done += part.read_bytes
                if progress is not None:
                    progress(done)
    finally:
        _JOB = None
    return result_of(shapes, analyzers, context, report)


def _in_order(
    pool: Any,
    bounds: Sequence[tuple[int, int]],
    *,
    ahead: int,
    started: Callable[[], None] | None = None,
) -> Iterator[_Part]:
    """The parts' results in input order, with at most ``ahead`` parts read but not yet
    consumed: memory stays bounded when the workers outpace this process."""
    pending: deque[Any] = deque()
    todo = iter(bounds)
    for bound in itertools.islice(todo, ahead):
        pending.append(pool.apply_async(_read, (bound,)))
    if started is not None:
        started()
    while pending:
        part: _Part = pickle.loads(pending.popleft().get())
        for bound in itertools.islice(todo, 1):
            pending.append(pool.apply_async(_read, (bound,)))
        yield part


def _shift(part: _Part, lines: int) -> None:
    """A part counts its lines from 1: add the lines of the parts before it."""
    if not lines:
        return
    report = part.report
    report.rejections = [_moved(issue, lines) for issue in report.rejections]
    report.partials = [_moved(issue, lines) for issue in report.partials]
    examples = part.shapes.examples()
    for analyzer in part.analyzers:
        if hasattr(analyzer, "examples"):
            examples.extend(analyzer.examples())
    for example in examples:
        if example is not None and isinstance(example.get("source"), str):
            name, _, number = example["source"].rpartition(":")
            if number.isdigit():
                example["source"] = f"{name}:{int(number) + lines}"


def _moved(issue: Any, lines: int) -> Any:
    return type(issue)(issue.source, issue.line + lines, issue.reason)
