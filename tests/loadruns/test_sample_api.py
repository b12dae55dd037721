"""The gate against the sample API: the plan's problems fail a latency threshold that its fixes
pass. The sample API's bookings list serialises every booking of the tenant in `before` (a
few hundred ms each, whatever the load) and one page in `after` (a few ms)."""

from __future__ import annotations

from typing import Any

import pytest

import loadruns
from loadruns import LoadOptions
from perfsight.demo.seed import TENANTS, object_id, tenant_of
from perfsight.store import Store
from tests.loadruns.conftest import ConfigWriter

pytestmark = pytest.mark.slow

THRESHOLD = "http_req_duration=p(95)<150"


def _scenario(base_url: str) -> str:
    # The API serves the first tenant: its itineraries are the numbers tenant_of() gives it.
    numbers = [i for i in range(10) if tenant_of(i) == TENANTS[0]][:5]
    ids = ", ".join(f'"{object_id("itineraries", i)}"' for i in numbers)
    return (
        f'[target]\nbase_url = "{base_url}"\n'
        '[load]\nusers = 3\nspawn_rate = 50\nrun_time = "4s"\n'
        '[[load.scenario]]\nmethod = "GET"\npath = "/api/itineraries/{id}"\n'
        f"values = {{ id = [{ids}] }}\nweight = 1\n"
        '[[load.scenario]]\nmethod = "GET"\npath = "/api/bookings"\nweight = 1\n'
    )


@pytest.mark.parametrize(("mode", "verdict"), [("before", "fail"), ("after", "pass")])
def test_before_fails_what_after_passes(
    mode: str, verdict: str, request: pytest.FixtureRequest, write_config: ConfigWriter
) -> None:
    api: Any = request.getfixturevalue(f"sample_api_{mode}")
    settings = write_config(_scenario(api.url))
    options = LoadOptions(profile="none", thresholds=(THRESHOLD,))
    with Store(settings.store.url) as store:
        result = loadruns.run(settings, options, store)
    keys = {e.endpoint for e in result.endpoints}
    assert keys == {"GET /api/itineraries/{id}", "GET /api/bookings"}
    assert result.total.failures == 0
    [outcome] = result.outcomes
    assert outcome.status == verdict, (mode, outcome.observed)
    assert result.exit_code == (1 if verdict == "fail" else 0)
