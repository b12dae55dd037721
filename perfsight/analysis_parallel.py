"""``analyze()`` of one large plain logv2 file with several processes — the same result as one
process, faster on several cores.

The file is cut into parts at line starts (``collectors.log_chunks``). A pool of worker
processes reads the parts, in order, each reading one part at a time: it parses and normalises
the lines (most of the work) and feeds the analyzers whose state merges — the shape statistics,
the missing-index advisor, the unpaginated-query analyzer. Analyzers that need every event in
order (N+1, queries per request: a request's queries may straddle two parts) stay in this
process: each worker sends, per event, only the fields they read (their ``event_fields``), and
this process feeds them part after part, in input order, while the workers read the next parts.
Parts are merged in input order (``merge(..., later=True)``), line numbers shifted by the lines
of the parts before. So findings, shapes and the input report equal a single reader's
(``tests/analyze/test_parallel.py`` compares them).

Used when it pays: one plain file of at least ``MIN_BYTES`` on a machine with several cores.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from analyzers.base import AnalysisContext
from analyzers.shapes import ShapeStats
from collectors.event_factory import EVENT_FIELDS, event_from_values
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
from perfsight.models import QueryEvent

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
    fields: tuple[str, ...]  # QueryEvent fields the in-order analyzers read


@dataclass
class _Part:
    report: InputReport
    shapes: ShapeStats
    analyzers: list[Any]
    batches: list[bytes] = field(default_factory=list)
    read_bytes: int = 0


_JOB: _Job | None = None


def _read(bounds: tuple[int, int]) -> _Part:
    """In a worker: one part of the file."""
    job = _JOB
    assert job is not None
    start, end = bounds
    report = InputReport()
    reader = ChunkReader(job.path, start, end, options=job.options, report=report)
    shapes = job.shapes()
    everything = default_analyzers(job.context)
    analyzers = [everything[i] for i in job.merged]
    feeds = [shapes.feed, *(a.feed for a in analyzers)]
    pick = _picker(job.fields)
    part = _Part(report, shapes, analyzers, read_bytes=end - start)
    batch: list[tuple[Any, ...]] = []
    for event in reader.events():
        for feed in feeds:
            feed(event)
        batch.append(pick(event))
        if len(batch) == _BATCH:
            part.batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
            batch = []
    if batch:
        part.batches.append(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    return part


def _builder(fields: Sequence[str]) -> Callable[[tuple[Any, ...]], QueryEvent]:
    """Rebuild a QueryEvent from the fields sent; the others keep their defaults.

    Generated like ``dataclasses`` generates ``__init__``: one call with the values in place
    (``values[i]`` or the field's default) costs half of copying a template per event, and this
    runs once per event in the process that feeds the in-order analyzers."""
    names: dict[str, Any] = {"event_from_values": event_from_values}
    arguments = []
    for spec in dataclasses.fields(QueryEvent)[: len(EVENT_FIELDS)]:
        if spec.name in fields:
            arguments.append(f"values[{list(fields).index(spec.name)}]")
        elif spec.default is not dataclasses.MISSING:
            names[f"default_{spec.name}"] = spec.default
            arguments.append(f"default_{spec.name}")
        else:
            raise ValueError(f"QueryEvent.{spec.name} is required: it must be sent")
    source = f"def build(values):\n    return event_from_values({', '.join(arguments)})\n"
    exec(source, names)  # fixed field names and indices: no outside input
    build: Callable[[tuple[Any, ...]], QueryEvent] = names["build"]
    return build


def _picker(fields: Sequence[str]) -> Callable[[QueryEvent], tuple[Any, ...]]:
    if len(fields) == 1:
        name = fields[0]
        return lambda event: (getattr(event, name),)
    return attrgetter(*fields)


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
) -> AnalysisResult | None:
    """The analysis of ``path`` read by ``workers`` processes (default: the CPU count); None
    when an analyzer can neither be merged nor be fed in order from here (then call
    ``analyze``)."""
    global _JOB
    analyzers = default_analyzers(context)
    merged = [i for i, a in enumerate(analyzers) if hasattr(a, "merge")]
    ordered = [a for i, a in enumerate(analyzers) if i not in merged]
    if any(not hasattr(a, "event_fields") for a in ordered):
        return None
    needed = {name for a in ordered for name in getattr(a, "event_fields")}  # noqa: B009
    fields = tuple(f for f in EVENT_FIELDS if f in needed)
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
        fields,
    )
    build = _builder(_JOB.fields)
    feeds = [a.feed for a in ordered]
    lines_before = done = 0
    try:
        with bulk_collection(), multiprocessing.get_context("fork").Pool(count) as pool:
            for part in _in_order(pool, bounds, ahead=2 * count):
                _shift(part, lines_before)
                lines_before += part.report.lines_read
                report.merge(part.report)
                shapes.merge(part.shapes, later=True)
                for index, analyzer in zip(merged, part.analyzers, strict=True):
                    analyzers[index].merge(analyzer, later=True)  # type: ignore[attr-defined]
                for blob in part.batches:
                    for values in pickle.loads(blob):
                        event = build(values)
                        for feed in feeds:
                            feed(event)
                done += part.read_bytes
                if progress is not None:
                    progress(done)
    finally:
        _JOB = None
    return result_of(shapes, analyzers, context, report)


def _in_order(pool: Any, bounds: Sequence[tuple[int, int]], *, ahead: int) -> Iterator[_Part]:
    """The parts' results in input order, with at most ``ahead`` parts read but not yet
    consumed: memory stays bounded when the workers outpace this process."""
    pending: deque[Any] = deque()
    todo = iter(bounds)
    for bound in itertools.islice(todo, ahead):
        pending.append(pool.apply_async(_read, (bound,)))
    while pending:
        part: _Part = pending.popleft().get()
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
