"""How ``perfsight collect`` shows what it sampled: a line per source and cycle while it runs,
tables per source for ``--once``. Formatting only."""

from __future__ import annotations

import math
from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from collectors.mongo_source import ProfilerSample
from collectors.profile_source import ProfileBatch
from collectors.records import CacheSample, PrometheusSample, QuantileEstimate
from collectors.redis_collector import RedisSample
from collectors.source import SourceResult
from perfsight.durations import format_duration

TOP_COMMANDS = 8


def clock(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S")


def ratio_text(sample: CacheSample) -> str:
    """``83.3 % [redis_info] (500 hits / 100 misses in 15s)``; no data and dropped windows
    say so — never a made-up 0 % or 100 %."""
    label = f"[{sample.source}]"
    span = format_duration(max(0.0, sample.end - sample.start))
    if sample.reset is not None:
        return f"no data {label}: window dropped, {sample.reset}"
    ratio = sample.ratio
    if ratio is None:
        return f"no data {label} (no lookups in {span})"
    return (
        f"{ratio:.1%} {label} ({_count(sample.hits)} hits / {_count(sample.misses)} misses "
        f"in {span})"
    )


def quantile_text(estimate: QuantileEstimate) -> str:
    if estimate.value_ms is None:
        return "no data"
    value = f"{estimate.value_ms:.1f} ms"
    if estimate.lower_ms is None or estimate.upper_ms is None:
        return f"{value} (bucket unknown)"
    if math.isinf(estimate.upper_ms):
        return f"≥ {estimate.lower_ms:g} ms (beyond the highest bucket)"
    return f"{value} ({estimate.lower_ms:g}–{estimate.upper_ms:g})"


def _count(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.2%}"


def cycle_line(result: SourceResult) -> str | None:
    """One line (rich markup) about a source in a cycle; ``None`` while it waits to retry."""
    head = f"{clock(result.at)} [bold]{escape(result.source)}[/]"
    if result.status == "waiting":
        return None
    if result.status == "failed":
        retry = format_duration(max(0.0, (result.retry_at or result.at) - result.at))
        return (
            f"{head} [bold red]DOWN[/] {escape(result.error or '')} — attempt {result.failures}"
            f" failed, retrying in {retry}"
        )
    parts = [summary(record) for record in result.records]
    line = f"{head} ok · " + " · ".join(escape(p) for p in parts if p)
    if result.recovered_after:
        line += f" [green](back after {result.recovered_after} failed attempts)[/]"
    if result.store_error:
        line += f" [bold red]NOT STORED[/]: {escape(result.store_error)}"
    return line


def summary(record: object) -> str:
    if isinstance(record, RedisSample):
        snap, window = record.snapshot, record.window
        if window is None:
            return f"first sample (hit ratio from the next one) · {snap.keys} keys"
        ops = f"{window.ops_per_sec:.0f} ops/s · " if window.ops_per_sec is not None else ""
        return f"hit ratio {ratio_text(window.cache)} · {ops}{snap.keys} keys"
    if isinstance(record, PrometheusSample):
        endpoints = [e for e in record.endpoints if e.endpoint != "*"]
        whole = record.endpoint("*")
        parts = [f"{len(endpoints)} endpoints"]
        if whole is not None:
            parts.append(f"p95 {quantile_text(whole.p95)}")
            parts.append(f"5xx {_percent(whole.error_ratio)}")
        cache = record.cache()
        if cache is not None:
            parts.append(f"app cache hit ratio {ratio_text(cache)}")
        return " · ".join(parts)
    if isinstance(record, ProfilerSample):
        return profiler_text(record)
    if isinstance(record, ProfileBatch):
        restarted = f" · read from the start: {record.restarted}" if record.restarted else ""
        return (
            f"{record.events:,} new events · {len(record.shapes)} shape buckets · "
            f"{len(record.findings)} findings · {record.rejected:,} rejected{restarted}"
        )
    return type(record).__name__


def profiler_text(record: ProfilerSample) -> str:
    """``120 operations (3 shapes) · GAP travel: 42.0 s lost (~1,300 documents)``."""
    shapes = len({(b.namespace, b.fingerprint) for b in record.buckets})
    text = f"{record.events:,} operations ({shapes} shapes)"
    if record.rejected:
        text += f" · {record.rejected} documents rejected"
    for gap in record.gaps:
        lost = f"~{gap.estimated_lost:,} documents" if gap.estimated_lost is not None else "?"
        text += f" · GAP {gap.database}: {gap.seconds:,.1f} s lost ({lost})"
    return text


def render_once(console: Console, results: list[SourceResult]) -> None:
    """What one sample got, per source; then every cache hit ratio with its source."""
    caches: list[CacheSample] = []
    for result in results:
        status = "[green]ok[/]" if result.ok else f"[bold red]DOWN[/] {escape(result.error or '')}"
        console.print(f"[bold]{escape(result.source)}[/] {escape(result.target)} {status}")
        if result.store_error:
            console.print(f"  [bold red]not stored[/]: {escape(result.store_error)}")
        for record in result.records:
            if isinstance(record, RedisSample):
                _redis(console, record)
                if record.window is not None:
                    caches.append(record.window.cache)
            elif isinstance(record, PrometheusSample):
                _prometheus(console, record)
                caches.extend(record.caches)
            elif isinstance(record, ProfilerSample):
                console.print(f"  {escape(profiler_text(record))}")
                for gap in record.gaps:
                    console.print(f"  [bold yellow]{escape(gap.describe())}[/]")
            else:
                console.print(f"  {escape(summary(record))}")
        console.print()
    if caches:
        table = Table(title="cache hit ratio (each from the source named)")
        for column in ("source", "scope", "window", "hits", "misses", "ratio"):
            table.add_column(column)
        for c in caches:
            ratio = "no data" if c.ratio is None else f"{c.ratio:.1%}"
            if c.reset:
                ratio = f"dropped: {c.reset}"
            span = format_duration(max(0.0, c.end - c.start))
            table.add_row(c.source, c.scope, span, _count(c.hits), _count(c.misses), ratio)
        console.print(table)
        console.print(
            "app_metrics is the app's own count of cache lookups (the truer figure); "
            "redis_info counts every key lookup on the server."
        )


def _redis(console: Console, record: RedisSample) -> None:
    snap, window = record.snapshot, record.window
    console.print(
        f"  Redis {snap.version} · up {format_duration(snap.uptime_s)} · "
        f"{snap.used_memory / 1_048_576:.1f} MiB used · {snap.keys} keys "
        f"({snap.expires} with a TTL) · {snap.connected_clients} clients"
    )
    if window is None:
        console.print("  first sample of this instance: the hit ratio needs a second one")
        return
    console.print(f"  hit ratio {escape(ratio_text(window.cache))}")
    if window.commands:
        table = Table(title=f"commands in the last {format_duration(window.seconds)}")
        for column in ("command", "calls", "usec", "usec/call", "failed", "rejected"):
            table.add_column(column, justify="left" if column == "command" else "right")
        for c in window.commands[:TOP_COMMANDS]:
            per_call = f"{c.usec_per_call:.1f}" if c.usec_per_call is not None else "–"
            table.add_row(
                c.command,
                str(c.calls),
                str(c.usec),
                per_call,
                str(c.failed_calls),
                str(c.rejected_calls),
            )
        console.print(table)


def _prometheus(console: Console, record: PrometheusSample) -> None:
    span = format_duration(record.end - record.start)
    table = Table(title=f"endpoints over the last {span} (quantile (bucket bounds) in ms)")
    for column in ("endpoint", "req/s", "5xx", "p50", "p95", "p99"):
        table.add_column(column)
    for e in record.endpoints:
        rps = "no data" if e.rps is None else f"{e.rps:.2f}"
        table.add_row(
            e.endpoint,
            rps,
            _percent(e.error_ratio),
            quantile_text(e.p50),
            quantile_text(e.p95),
            quantile_text(e.p99),
        )
    if record.endpoints:
        console.print(table)
    else:
        console.print("  no request series found: check [prometheus] convention, job, selector")
