"""Load runs: start one from a form, follow it live, read results, compare two runs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import auth, state
from dashboard import components as ui
from dashboard import run_panels as panels
from dashboard.views import launch
from dashboard.views import runs as view
from loadruns import stop_run
from perfsight.config.redact import redact_url
from perfsight.store import launches, runs

POLL_SECONDS = 2.0
TOKEN = "launch-token"
FOLLOWING = "following-run"

settings, store = state.settings(), state.store()
for token, code in state.processes().finished().items():
    launches.exited(store, token, code)
# A run left "running" by a process that died (kill -9, a crash) must not block the form.
runs.mark_abandoned_runs(store)
st.title("Load runs")


@st.fragment(run_every=POLL_SECONDS)
def live() -> None:
    """The followed run, re-read from the store every POLL_SECONDS: what every viewer sees."""
    followed = launch.follow(store, run_id=st.session_state.get(FOLLOWING), secrets=state.secrets())
    if followed.state == "none":
        st.caption("No run started from the dashboard yet.")
        return
    if followed.state == "starting":
        st.info(f"Starting run {followed.launch.run_id[:8] if followed.launch else ''}…")
        return
    if followed.state == "failed_to_start":
        st.error(followed.message)
        return
    run = followed.run
    assert run is not None
    if followed.state == "running":
        st.markdown(f"**Run {run.id[:8]}** against {run.target} — running")
        panels.progress_panel(view.progress(store, run))
        if st.button("Stop this run", key="stop-run"):
            stop_run(store, run.id)
        st.session_state["was-running"] = run.id
        return
    panels.verdict_panel(store, run)
    if st.session_state.pop("was-running", None) == run.id:
        st.rerun(scope="app")  # the run just ended: refresh the lists below too


st.subheader("Start a run")
busy = runs.list_runs(store, limit=1, status="running")
scenario, stages = launch.workload_text(settings)
with st.form("start-run"):
    host = st.text_input(
        "Target", value=launch.default_host(settings) or "http://127.0.0.1:8000", key="form-host"
    )
    allowed = ", ".join(settings.target.allowed_hosts) or "none"
    st.caption(
        f"Loopback is always allowed; other hosts only from [target] allowed_hosts ({allowed})."
    )
    locustfile = st.text_input(
        "Locustfile (empty: the [[load.scenario]] of the config)",
        value=settings.load.locustfile or "",
        key="form-locustfile",
    )
    if scenario:
        st.caption(f"Scenario: {scenario}")
    use_stages = bool(stages) and st.radio(
        "Load shape",
        ["Configured stages: " + ", ".join(stages), "Constant users"],
        key="form-shape",
    ).startswith("Configured")
    c1, c2, c3 = st.columns(3)
    users = c1.number_input("Users", min_value=1, value=settings.load.users, key="form-users")
    spawn_rate = c2.number_input(
        "Spawn rate (users/s)",
        min_value=0.1,
        value=float(settings.load.spawn_rate),
        key="form-spawn",
    )
    run_time = c3.text_input("Duration", value=str(settings.load.run_time), key="form-duration")
    profile = st.selectbox(
        "Threshold profile",
        ["configured", "seed", "none"],
        help="configured: [thresholds], else [load] profile. seed: the plan's targets. none: "
        "only the thresholds below.",
        key="form-profile",
    )
    thresholds = st.text_area(
        "Extra thresholds (one METRIC=EXPR per line)",
        placeholder="http_req_duration=p(95)<300",
        key="form-thresholds",
    )
    tags = st.text_input("Tags (KEY=VALUE, comma-separated)", key="form-tags")
    label = st.text_input("Label", key="form-label")
    submitted = st.form_submit_button("Start load run", type="primary", disabled=bool(busy))
if busy:
    st.caption(f"Run {busy[0].id[:8]} is in progress: one run at a time.")

if submitted:
    form = launch.LaunchForm(
        host=host,
        locustfile=locustfile,
        use_stages=use_stages,
        users=int(users),
        spawn_rate=float(spawn_rate),
        run_time=run_time,
        profile=profile,
        thresholds=thresholds,
        tags=tags,
        label=label,
    )
    token = st.session_state.setdefault(TOKEN, launch.new_token())
    outcome = launch.start(
        store,
        settings,
        form,
        token=token,
        log_dir=Path(".perfsight/runs").resolve(),
        config=state.config_file(),
        requested_by=auth.viewer(),
    )
    if outcome.process is not None:
        state.processes().add(token, outcome.process)
        st.session_state[TOKEN] = launch.new_token()
    if outcome.run_id is not None:
        st.session_state[FOLLOWING] = outcome.run_id
    (st.success if outcome.started else st.warning)(outcome.message)

st.subheader("Current run")
live()

st.subheader("Runs")
rows = view.run_rows(store)
if not rows:
    st.info(
        "No load run stored yet. Start one above ([target] base_url and [[load.scenario]] or a "
        "locustfile), or run perfsight loadcheck."
    )
    st.stop()
ui.table(rows, percent=["errors"], key="runs")
records = {r.id: r for r in runs.list_runs(store, limit=100)}
labels = {view.run_label(r): r for r in records.values()}

st.subheader("Result")
chosen = labels[st.selectbox("Run", list(labels), key="result-run")]
panels.result_panel(store, chosen)

st.subheader("Compare two runs")
if len(labels) < 2:
    st.caption("Two runs are needed to compare.")
else:
    names = list(labels)
    c1, c2 = st.columns(2)
    a = labels[c1.selectbox("Run A", names, index=1, key="compare-a")]
    b = labels[c2.selectbox("Run B", names, index=0, key="compare-b")]
    panels.compare_panel(store, a, b)
st.caption(f"Store: {redact_url(settings.store.url)}")
