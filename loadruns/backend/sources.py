"""Which backend sources a load run watches, from the settings: each configured one becomes a
watcher, each missing one a reason shown with the run."""

from __future__ import annotations

from analyzers.base import AnalysisContext
from analyzers.indexes import MissingIndexAdvisor
from collectors.build import prometheus_collector, redis_collectors
from loadruns.backend.db_time import OutsideDbRule
from loadruns.backend.live_feed import LiveProfilerFeed
from loadruns.backend.probe_watch import ProbeWatch
from loadruns.backend.processes import ProcessWatch
from loadruns.backend.profile_feed import ProfileFileFeed
from loadruns.backend.profiler_watch import EventFeed, ProfilerWatch
from loadruns.backend.prometheus_watch import PrometheusWatch
from loadruns.backend.redis_watch import RedisWatch
from loadruns.backend.session import BackendSession
from loadruns.observers import RunObserver
from loadruns.plan import LoadPlan
from perfsight.config import Settings
from perfsight.durations import parse_duration
from perfsight.store import Store
from perfsight.store.findings import list_findings


def backend_observer(settings: Settings, plan: LoadPlan, store: Store) -> BackendSession:
    """The watchers in the order their metrics are asked (the app's cache counters first)."""
    watchers: list[RunObserver] = []
    absent: dict[str, str] = {}
    prometheus = prometheus_collector(settings)
    if prometheus is not None:
        watchers.append(
            PrometheusWatch(
                prometheus,
                job=settings.prometheus.job,
                settle=parse_duration(settings.load.backend_settle),
            )
        )
    else:
        absent["prometheus"] = "set [prometheus] url (server-side latency, app cache counters)"
    redis = redis_collectors(settings)
    if redis:
        watchers.append(RedisWatch(redis))
    else:
        absent["redis"] = "set [redis] url (hit ratio from INFO counters)"
    profiler = profiler_watch(settings, store)
    if isinstance(profiler, str):
        absent["profiler"] = profiler
    else:
        watchers.append(profiler)
    if settings.target.list_endpoints or settings.target.openapi:
        watchers.append(ProbeWatch(settings, plan.host))
    else:
        absent["probe"] = "set [target] list_endpoints or [target] openapi (unpaginated lists)"
    watchers.append(
        ProcessWatch(
            target_url=plan.host,
            target_pid=settings.load.target_pid,
            saturation_pct=settings.load.generator_cpu_limit,
        )
    )
    return BackendSession(watchers, absent)


def profiler_watch(settings: Settings, store: Store) -> RunObserver | str:
    """The profiler watcher (profile files and the live profiler), or why there is none."""
    mongo = settings.mongo
    feeds: list[EventFeed] = [ProfileFileFeed(path, mongo) for path in mongo.profile_files]
    if mongo.uri and mongo.databases:
        feeds.append(LiveProfilerFeed(mongo))
    if not feeds:
        return (
            "set [mongo] profile_files (the files the API's profiler writes) or [mongo] uri "
            "and databases (the live profiler)"
        )
    analysis = settings.analysis

    def known_indexes() -> set[str]:
        stored = list_findings(store, kinds=["missing_index"], include_acknowledged=True)
        return {item.finding.id for item in stored}

    return ProfilerWatch(
        feeds,
        AnalysisContext(settings=analysis),
        analyzers=lambda context: [MissingIndexAdvisor(context)],
        known_indexes=known_indexes,
        rule=OutsideDbRule(
            min_avg_ms=parse_duration(analysis.outside_db_min_ms) * 1000,
            max_share=analysis.outside_db_max_share,
        ),
    )
