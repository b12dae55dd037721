"""Cache hit ratio over the window: the app's own cache counters (Prometheus) when it exports
them — the truer figure — and Redis INFO deltas from the samples ``perfsight collect`` stored,
each labelled with its source; plus each Redis instance as it is now."""

from __future__ import annotations

from collectors.build import redis_collectors
from collectors.records import ALL, CacheSample
from perfsight.errors import ConfigError, PerfsightError, SourceUnavailable
from perfsight.reports.evaluate import Observation
from perfsight.reports.layout import chart, iso_times, table
from perfsight.reports.model import MetricValue, Section
from perfsight.reports.sections.base import SectionContext, SectionOutput, SectionSpec
from perfsight.store.samples import cache_history, redis_hit_ratio_over

TITLE = "Cache hit ratio (app counters and Redis)"


def _app_caches(context: SectionContext) -> tuple[list[CacheSample], str | None]:
    if not context.prometheus.configured:
        return [], "no [prometheus] url: the app's own cache counters are not read"
    try:
        sample = context.prometheus.window()
    except PerfsightError as exc:
        return [], f"app cache counters unavailable: {exc}"
    return [c for c in sample.caches if c.lookups], None


def _redis_rows(context: SectionContext) -> tuple[list[list[object]], list[CacheSample], list[str]]:
    rows: list[list[object]] = []
    windows: list[CacheSample] = []
    problems = []
    for collector in redis_collectors(context.settings):
        stored = redis_hit_ratio_over(
            context.store, collector.instance, since=context.start, until=context.end
        )
        try:
            now = collector.snapshot()
            state = f"up, {now.keys:,} keys, {now.used_memory / 2**20:,.1f} MiB"
        except PerfsightError as exc:
            state = f"unreachable now: {exc.message}"
            problems.append(f"{collector.name}: {exc.message}")
        finally:
            collector.close()
        if stored.lookups:
            windows.append(stored)
        rows.append([collector.instance, stored.ratio, stored.hits, stored.misses, state])
    return rows, windows, problems


def build(context: SectionContext) -> SectionOutput:
    redis_configured = bool(context.settings.redis.urls())
    if not redis_configured and context.settings.prometheus.url is None:
        raise ConfigError("not configured: set [redis] url or [prometheus] url", source="cache")
    app, app_problem = _app_caches(context)
    redis_rows, redis_windows, redis_problems = _redis_rows(context)
    problems = [p for p in (app_problem, *redis_problems) if p]
    if not app and not redis_windows and problems:
        raise SourceUnavailable("; ".join(problems), source="cache")
    observations = [
        Observation(
            "cache_hit_ratio",
            "value",
            c.ratio,
            "app_metrics",
            {} if c.scope == ALL else {"cache": c.scope},
        )
        for c in app
    ]
    observations += [
        Observation("cache_hit_ratio", "value", w.ratio, "redis_info", {"instance": w.scope})
        for w in redis_windows
    ]
    if not any(c.scope == ALL for c in app) and redis_windows:
        main = redis_windows[0]  # no app counters: the main instance stands for the cache
        observations.append(Observation("cache_hit_ratio", "value", main.ratio, "redis_info"))
    metrics = [
        MetricValue(
            f"cache_hit_ratio{{cache:{c.scope}}}", c.ratio, "ratio", "app_metrics", "higher"
        )
        for c in app
    ] + [
        MetricValue(
            f"cache_hit_ratio{{instance:{w.scope}}}", w.ratio, "ratio", "redis_info", "higher"
        )
        for w in redis_windows
    ]
    history = {
        instance: cache_history(
            context.store,
            source="redis_info",
            scope=instance,
            since=context.start,
            until=context.end,
        )
        for instance in context.settings.redis.urls()
    }
    notes = list(problems)
    if redis_configured and not redis_windows:
        notes.append(
            "no Redis samples stored for this window: run `perfsight collect` (or schedule it) "
            "so reports have Redis deltas"
        )
    section = Section(
        "cache",
        TITLE,
        True,
        data={
            "summary": " ".join(
                [
                    "The app's own counters count what the app asked its cache; Redis INFO counts "
                    "every key lookup on the server (sessions, locks, other apps).",
                    *notes,
                ]
            ),
            "tables": [
                table(
                    "App caches (Prometheus)",
                    ["cache", "hit ratio", "hits", "misses"],
                    [
                        ["all" if c.scope == ALL else c.scope, c.ratio, c.hits, c.misses]
                        for c in app
                    ],
                ),
                table(
                    "Redis instances (INFO deltas)",
                    ["instance", "hit ratio", "hits", "misses", "now"],
                    redis_rows,
                ),
            ],
            "charts": [
                chart(
                    "line",
                    f"Redis {instance}: hit ratio per collected window",
                    "ratio",
                    iso_times([s.end for s in samples]),
                    {instance: [s.ratio for s in samples]},
                )
                for instance, samples in history.items()
                if samples
            ],
        },
    )
    return SectionOutput(section, metrics=tuple(metrics), observations=tuple(observations))


SPEC = SectionSpec("cache", TITLE, ("cache_hit_ratio",), build)
