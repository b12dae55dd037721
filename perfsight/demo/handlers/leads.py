"""Leads: ``GET /api/leads?status=&page=&limit=``, newest first (paginated in both modes).

before: no index, so every call scans the collection and sorts in memory (COLLSCAN + SORT).
after: the plan's ``{tenantId: 1, status: 1, createdAt: -1}`` index serves filter and sort.
"""

from __future__ import annotations

from typing import Any

from perfsight.demo import http
from perfsight.demo.endpoint import Call
from perfsight.demo.handlers.common import paged_list
from perfsight.demo.seed import LEAD_STATUSES

FIELDS = (
    "customerId", "ownerId", "status", "source", "destination", "pax", "budget", "email",
    "createdAt", "tenantId",
)  # fmt: skip


def list_leads(call: Call) -> dict[str, Any]:
    filter_: dict[str, Any] = {"tenantId": call.tenant}
    status = http.choice(call.request.query_params, "status", LEAD_STATUSES)
    if status is not None:
        filter_["status"] = status
    return paged_list(call, "leads", filter_, (("createdAt", -1),), FIELDS)
