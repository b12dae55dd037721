"""The locustfile generated from [load] scenario, and the rule that perfsight never imports
Locust into its own process."""

from __future__ import annotations

import ast
import subprocess
import sys

from loadruns.scenario import render_locustfile
from perfsight.config.load import LoadEndpoint


def _assignments(source: str) -> dict[str, object]:
    tree = ast.parse(source)
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
        and not node.targets[0].id.startswith("_")
    }


def test_generated_locustfile_names_requests_by_endpoint_key() -> None:
    scenario = [
        LoadEndpoint(path="/api/leads/{id}", values={"id": ["a1", "b 2"]}, weight=5),
        LoadEndpoint.model_validate(
            {"method": "POST", "path": "/api/quotes", "json": {"nights": 3}, "headers": {"X": "1"}}
        ),
        LoadEndpoint(path="/api/leads/42", route="/api/leads/{id}", method="DELETE"),
    ]
    source = render_locustfile(scenario, headers={"Authorization": "Bearer t"}, think_time=0.1)
    compile(source, "perfsight_scenario.py", "exec")
    values = _assignments(source)
    entries = values["SCENARIO"]
    assert isinstance(entries, list)
    assert [e["key"] for e in entries] == [
        "GET /api/leads/{id}",
        "POST /api/quotes",
        "DELETE /api/leads/{id}",
    ]
    assert [e["weight"] for e in entries] == [5, 1, 1]
    assert entries[1]["json"] == {"nights": 3} and entries[1]["headers"] == {"X": "1"}
    assert values["HEADERS"] == {"Authorization": "Bearer t"} and values["THINK_TIME"] == 0.1
    assert "FastHttpUser" in source


def test_perfsight_never_imports_locust() -> None:
    code = (
        "import sys, loadruns, perfsight.cli.main\n"
        "from loadruns import runner, process, aggregate, summary, junit, jsonout\n"
        "assert 'locust' not in sys.modules and 'gevent' not in sys.modules, 'locust imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
