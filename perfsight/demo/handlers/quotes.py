"""``POST /api/quotes`` ``{"leadId", "itineraryId", "email"?}``: price the itinerary for the
lead's party, store the quote, email it.

before: the email is sent inside the request (the SMTP wait is the request's). after: the email
is queued on Redis and sent by the worker; the response says ``queued``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import redis
from bson import ObjectId
from starlette.responses import Response

from perfsight.demo import http
from perfsight.demo.endpoint import Call
from perfsight.demo.handlers.bodies import QuoteRequest, parse
from perfsight.demo.handlers.common import owned

log = logging.getLogger(__name__)
SUBJECT = "Your travel quote"


def create_quote(call: Call) -> Response:
    request = parse(QuoteRequest, call.body)
    lead_id = http.object_id(request.leadId, "lead")
    itinerary_id = http.object_id(request.itineraryId, "itinerary")
    lead = owned(call, call.db.find_one("leads", {"_id": lead_id}), "lead", request.leadId)
    itinerary = owned(
        call,
        call.db.find_one("itineraries", {"_id": itinerary_id}),
        "itinerary",
        request.itineraryId,
    )
    services = call.db.find("itinerary_services", {"itineraryId": itinerary_id})
    pax = int(lead.get("pax") or itinerary.get("pax") or 1)
    now = http.utc_naive(datetime.now(UTC))
    quote = {
        "_id": ObjectId(),
        "tenantId": call.tenant,
        "leadId": lead_id,
        "itineraryId": itinerary_id,
        "pax": pax,
        "total": round(sum(float(s.get("price", 0)) for s in services) * pax, 2),
        "currency": "EUR",
        "createdAt": now,
    }
    call.db.insert_one("quotes", quote)
    to = request.email or str(lead.get("email"))
    status = _email(call, to, now)
    payload = {**http.public(quote), "email": {"to": to, "status": status}}
    return http.json_response(payload, 201)


def _email(call: Call, to: str, now: datetime) -> str:
    email_id = ObjectId()
    queue = call.state.queue
    status = "queued" if queue is not None else "sent"
    if queue is None:
        call.state.smtp.send(to, SUBJECT)
    entry = {"_id": email_id, "tenantId": call.tenant, "to": to, "subject": SUBJECT}
    call.db.insert_one("email_log", {**entry, "status": status, "createdAt": now})
    if queue is not None:
        try:
            queue.push(email_id, to, SUBJECT, call.request_id)
        except redis.RedisError as exc:
            # Degrade to sending now rather than lose the email.
            log.warning("email queue unavailable (%s): sending synchronously", exc)
            call.state.smtp.send(to, SUBJECT)
            call.db.update_one("email_log", {"_id": email_id}, {"$set": {"status": "sent"}})
            status = "sent"
    return status
