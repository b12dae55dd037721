"""Findings: grouped, filtered, fix commands to copy, acknowledgement by finding id."""

from __future__ import annotations

from perfsight.store import findings
from tests.dashboard import seed
from tests.dashboard.conftest import Dashboard, joined


def test_empty_store_says_how_to_get_findings(dashboard: Dashboard) -> None:
    at = dashboard.open("findings")
    assert not at.exception
    assert "perfsight analyze" in joined(at)
    assert not at.dataframe


def test_findings_by_group_with_their_figures_and_fix(dashboard: Dashboard) -> None:
    index, _, _ = seed.seed_findings(dashboard.store, dashboard.now)
    at = dashboard.open("findings")
    assert not at.exception
    assert [h.value for h in at.subheader][:3] == [
        "Indexes",
        "N+1 and redundant queries",
        "Pagination",
    ]
    tables = {tuple(t.value["kind"]): t.value for t in at.dataframe}
    assert tables[("n_plus_one",)].iloc[0]["repeats"] == 31
    assert tables[("n_plus_one",)].iloc[0]["endpoint"] == seed.ENDPOINT
    assert tables[("missing_index",)].iloc[0]["time (ms)"] == 98765.0
    assert len(tables[("n_plus_one",)]) == 1
    # the detail of the first (most expensive) finding: the createIndex to copy
    assert at.selectbox(key="f-detail").value.startswith(index.id)
    assert 'db.leads.createIndex({"tenant": 1, "status": 1, "createdAt": -1})' in [
        c.value for c in at.code
    ]


def test_filters_narrow_the_list(dashboard: Dashboard) -> None:
    seed.seed_findings(dashboard.store, dashboard.now)
    at = dashboard.open("findings")
    at.multiselect(key="f-sev").select("warning").run()
    kinds = [k for t in at.dataframe for k in t.value["kind"]]
    assert kinds == ["unpaginated_endpoint"]
    at.multiselect(key="f-sev").unselect("warning").run()
    at.multiselect(key="f-ep").select(seed.ENDPOINT).run()
    assert [k for t in at.dataframe for k in t.value["kind"]] == ["n_plus_one"]
    at.multiselect(key="f-ns").select("travel.leads").run()
    assert "No finding matches these filters." in joined(at)


def test_acknowledge_hides_a_finding_by_id_until_asked(dashboard: Dashboard) -> None:
    index, _, _ = seed.seed_findings(dashboard.store, dashboard.now)
    at = dashboard.open("findings")
    at.button(key="f-ack-button").click().run()
    assert not at.exception
    stored = {
        s.finding.id: s for s in findings.list_findings(dashboard.store, include_acknowledged=True)
    }
    assert stored[index.id].acknowledged
    kinds = [k for t in at.dataframe for k in t.value["kind"]]
    assert "missing_index" not in kinds
    assert "1 acknowledged hidden" in joined(at)
    # a fresh viewer does not see it either: the acknowledgement is in the store
    again = dashboard.open("findings")
    assert "missing_index" not in [k for t in again.dataframe for k in t.value["kind"]]
    again.toggle(key="f-ack").set_value(True).run()
    assert "missing_index" in [k for t in again.dataframe for k in t.value["kind"]]
    again.selectbox(key="f-detail").set_value(
        next(o for o in again.selectbox(key="f-detail").options if o.startswith(index.id))
    ).run()
    again.button(key="f-unack").click().run()
    stored_again = findings.list_findings(dashboard.store, include_acknowledged=True)
    assert not any(s.acknowledged for s in stored_again)
