"""Cache: hit ratio over time per Redis instance and per app cache, command stats, memory."""

from __future__ import annotations

import streamlit as st

from dashboard import components as ui
from dashboard import state
from dashboard.picker import time_range
from dashboard.views import cache as view
from dashboard.views import health

settings, store = state.settings(), state.store()
st.title("Cache")
since, until = time_range("cache", default="24 hours")
views = view.cache_views(store, since=since, until=until)
down = {
    r.source: r for r in health.down(health.source_rows(store, settings, secrets=state.secrets()))
}

instances = view.redis_instances(settings, views)
app_views = [v for v in views if v.source == "app_metrics"]
if not instances and not app_views:
    st.info(
        "No cache data. Set [redis] url (and [redis] instances for more servers), or let the app "
        "export cache_requests_total{cache,result} to Prometheus ([prometheus] url), then run "
        "perfsight collect."
    )
    st.stop()


def _ratio_chart(v: view.CacheView, key: str) -> None:
    xs = [p.ts for p in v.points]
    ys = [p.ratio for p in v.points]
    ui.lines(f"Hit ratio — {v.scope}", {v.scope: (xs, ys)}, unit="ratio", percent=True, key=key)


for instance in instances:
    st.subheader(f"Redis · {instance}")
    st.caption(
        "Source: Redis INFO keyspace_hits/misses — server-wide (every key read on that server "
        "counts), as deltas between samples."
    )
    problem = down.get(f"redis:{instance}")
    if problem:
        ui.source_down(f"Redis {instance}", problem.detail)
    found = next((v for v in views if v.source == "redis_info" and v.scope == instance), None)
    if found is None:
        st.info(f"No samples of {instance} in this range: run perfsight collect.")
        continue
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "Hit ratio over the range",
        "no data" if found.window_ratio is None else f"{found.window_ratio:.1%}",
    )
    c2.metric("Lookups", "—" if found.lookups is None else f"{found.lookups:,.0f}")
    c3.metric("Restarts / resets", len(found.resets))
    for reason in found.resets:
        st.caption(f"Window dropped: {reason}")
    _ratio_chart(found, key=f"redis-{instance}")
    memory = view.memory_row(store, instance, since=since, until=until)
    if memory:
        ui.table([memory], key=f"memory-{instance}")
    commands = view.command_rows(store, instance, since=since, until=until)
    if commands:
        st.caption("Commands in the range (INFO commandstats deltas), most time first")
        ui.table(commands, key=f"commands-{instance}")

st.subheader("The app's own caches")
if not app_views:
    st.info(
        'The app exports no cache counters: export cache_requests_total{cache,result="hit|miss"}'
        " ([prometheus] cache_metric) for the truer hit ratio of each cache."
    )
else:
    st.caption(
        'Source: the app\'s cache_requests_total in Prometheus — exactly "did the cache answer".'
    )
    problem = down.get("prometheus")
    if problem:
        ui.source_down("Prometheus", problem.detail)
    ui.table(
        [{"cache": v.scope, "hit ratio": v.window_ratio, "lookups": v.lookups} for v in app_views],
        percent=["hit ratio"],
        key="app-caches",
    )
    for v in app_views:
        _ratio_chart(v, key=f"app-{v.scope}")
