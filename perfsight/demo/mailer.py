"""Quote emails. ``before`` sends inside the request (``Smtp.send`` sleeps for the SMTP
exchange it stands for); ``after`` queues a job on a Redis list and a worker thread sends it."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
import redis
from bson import ObjectId

from perfsight.demo.backend import Backend

log = logging.getLogger(__name__)
WORKER_ROUTE = "JOB email.send"  # the worker's operations are tagged as this "route"


class Smtp:
    """Stands for an SMTP server: sending takes ``seconds``, and nothing leaves the machine."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.sent = 0

    def send(self, to: str, subject: str) -> None:
        time.sleep(self.seconds)
        self.sent += 1
        log.debug("sent %r to %s", subject, to)


class EmailQueue:
    def __init__(self, client: redis.Redis, key: str) -> None:
        self.client = client
        self.key = key

    def push(self, email_id: ObjectId, to: str, subject: str, request_id: str) -> None:
        job = {"emailId": str(email_id), "to": to, "subject": subject, "rid": request_id}
        self.client.lpush(self.key, orjson.dumps(job))


class EmailWorker:
    """Drains the queue in a thread: send, then mark the email_log entry sent."""

    def __init__(self, client: redis.Redis, key: str, smtp: Smtp, backend: Backend) -> None:
        self.client = client
        self.key = key
        self.smtp = smtp
        self.backend = backend
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="email-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                item = self.client.brpop([self.key], timeout=1)
            except redis.RedisError as exc:
                log.warning("email queue unavailable: %s", exc)
                self._stop.wait(1.0)
                continue
            if item is not None:
                self.handle(orjson.loads(item[1]))

    def handle(self, job: Mapping[str, Any]) -> None:
        self.smtp.send(str(job.get("to")), str(job.get("subject")))
        comment = {"rid": f"job-{uuid.uuid4().hex[:12]}", "route": WORKER_ROUTE}
        update = {"$set": {"status": "sent", "sentAt": datetime.now(UTC).replace(tzinfo=None)}}
        self.backend.update_one(
            "email_log", {"_id": ObjectId(str(job["emailId"]))}, update, comment=comment
        )
