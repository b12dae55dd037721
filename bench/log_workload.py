"""The benchmark log's workload: a travel-CRM API (requests with ``{rid, route}`` comments),
background jobs without request ids, a monitoring agent, and the other lines a mongod logs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bench.log_lines import Conn, Lines

DB, JOBS = "crm", "crm_jobs"
STATUSES = ("new", "contacted", "qualified", "won", "lost")
SEASONS = ("low", "mid", "high", "peak")
API_APP = "crm-api v4.2 | node-mongodb 6.8.0"

Step = tuple[datetime, bytes]


class Request:
    """One request's operations, one after the other from ``at``."""

    def __init__(self, work: Workload, at: datetime, route: str | None) -> None:
        self.work, self.lines, self.at = work, work.lines, at
        self.rid = f"{work.rng.getrandbits(64):016x}" if route else None
        self.route = route
        self.out: list[Step] = []

    def comment(self) -> dict[str, Any]:
        return {"comment": {"rid": self.rid, "route": self.route}} if self.rid else {}

    def advance(self, millis: int) -> datetime:
        self.at += timedelta(milliseconds=millis + self.work.rng.uniform(0.2, 1.5))
        return self.at

    def op(
        self,
        ns: str,
        command: dict[str, Any],
        stats: dict[str, Any],
        millis: int,
        *,
        write: bool = False,
        reslen: int | None = None,
    ) -> None:
        conn = self.work.conn(self.route is None)
        at = self.advance(millis)
        command = {**command, **self.comment()}
        self.out.append(
            (
                at,
                self.lines.command(
                    at, conn, ns, command, stats, millis, write=write, reslen=reslen
                ),
            )
        )

    def write(
        self,
        ns: str,
        kind: str,
        statement: dict[str, Any],
        stats: dict[str, Any],
        millis: int,
        *,
        command: dict[str, Any],
    ) -> None:
        """An update/delete: its WRITE line, then the COMMAND line of the whole command."""
        conn = self.work.conn(self.route is None)
        at = self.advance(millis)
        statement = {**statement, **self.comment()}
        self.out.append((at, self.lines.statement(at, conn, ns, kind, statement, stats, millis)))
        whole = {**command, "ordered": True, **self.comment()}
        db = ns.partition(".")[0]
        self.out.append(
            (
                at,
                self.lines.command(
                    at, conn, f"{db}.$cmd", whole, {}, millis, write=True, reslen=60
                ),
            )
        )


class Workload:
    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.rng = rng = lines.rng
        self.tenants = [f"t{n:04d}" for n in range(300)]
        self.api = [Conn(rng, 100 + n, API_APP) for n in range(24)]
        self.jobs = [Conn(rng, 300 + n, "crm-jobs") for n in range(3)]
        self.agent = Conn(rng, 7, "monitoring-agent")
        self.next_conn = 400
        routes: list[tuple[Callable[[Request], None], str | None, int]] = [
            (self.list_leads, "GET /api/leads", 20),
            (self.get_lead, "GET /api/leads/{id}", 15),
            (self.itinerary, "GET /api/itineraries/{id}", 8),
            (self.bookings, "GET /api/bookings", 4),
            (self.quote, "POST /api/quotes", 6),
            (self.patch_lead, "PATCH /api/leads/{id}", 6),
            (self.search, "GET /api/leads/search", 4),
            (self.destinations, "GET /api/destinations", 4),
            (self.revenue, "GET /api/reports/revenue", 2),
            (self.expire_sessions, "DELETE /api/sessions", 2),
            (self.mail_job, None, 5),
            (self.audit_job, None, 6),
            (self.monitoring, None, 3),
        ]
        self.routes = [(handler, route) for handler, route, _w in routes]
        self.weights = [w for _h, _r, w in routes]

    def conn(self, background: bool) -> Conn:
        return self.rng.choice(self.jobs if background else self.api)

    def tenant(self) -> str:
        return self.rng.choice(self.tenants)

    def next_batch(self, at: datetime) -> list[bytes]:
        """One to three concurrent requests starting near ``at``, their lines in time order,
        sometimes with another line a mongod writes between them."""
        steps: list[Step] = []
        for _ in range(self.rng.randint(1, 3)):
            handler, route = self.rng.choices(self.routes, self.weights)[0]
            start = at + timedelta(milliseconds=self.rng.uniform(0, 5))
            request = Request(self, start, route)
            handler(request)
            steps.extend(request.out)
        if self.rng.random() < 0.09:
            steps.append(self.other_line(at))
        steps.sort(key=lambda s: s[0])
        return [line for _at, line in steps]

    # -- API endpoints --------------------------------------------------------------------
    def list_leads(self, r: Request) -> None:
        tenant, status, scanned = (
            self.tenant(),
            self.rng.choice(STATUSES),
            self.rng.randint(20000, 60000),
        )
        query = {"tenant": tenant, "status": status}
        stats = self.lines.find_stats("COLLSCAN", 20, scanned, hasSortStage=True)
        r.op(
            f"{DB}.leads",
            {"find": "leads", "filter": query, "sort": {"createdAt": -1}, "limit": 20},
            stats,
            self.rng.randint(40, 180),
        )
        count = {"planSummary": "COLLSCAN", "keysExamined": 0, "docsExamined": scanned}
        r.op(f"{DB}.leads", {"count": "leads", "query": query}, count, self.rng.randint(30, 120))

    def get_lead(self, r: Request) -> None:
        stats = self.lines.find_stats("IDHACK", 1, 1)
        r.op(
            f"{DB}.leads",
            {"find": "leads", "filter": {"_id": self.lines.oid()}, "limit": 1, "singleBatch": True},
            stats,
            self.rng.randint(0, 3),
        )
        owners = [self.lines.oid() for _ in range(self.rng.randint(1, 4))]
        # a third of the requests load the owners twice (a template helper): redundant
        for _ in range(2 if self.rng.random() < 0.3 else 1):
            stats = self.lines.find_stats("IXSCAN { _id: 1 }", len(owners), len(owners))
            r.op(
                f"{DB}.users",
                {
                    "find": "users",
                    "filter": {"_id": {"$in": owners}},
                    "projection": {"name": 1, "email": 1},
                },
                stats,
                self.rng.randint(0, 4),
            )

    def itinerary(self, r: Request) -> None:
        """The N+1: one query per day, then one per service of the day."""
        itinerary, days = self.lines.oid(), self.rng.randint(4, 12)
        r.op(
            f"{DB}.itineraries",
            {"find": "itineraries", "filter": {"_id": itinerary}, "limit": 1},
            self.lines.find_stats("IDHACK", 1, 1),
            self.rng.randint(0, 2),
        )
        plan = "IXSCAN { itineraryId: 1, day: 1 }"
        for day in range(1, days + 1):
            r.op(
                f"{DB}.itinerary_days",
                {"find": "itinerary_days", "filter": {"itineraryId": itinerary, "day": day}},
                self.lines.find_stats(plan, 1, 1),
                self.rng.randint(1, 6),
            )
        for _ in range(self.rng.randint(2, days)):
            r.op(
                f"{DB}.services",
                {"find": "services", "filter": {"dayId": self.lines.oid()}},
                self.lines.find_stats("IXSCAN { dayId: 1 }", 3, 3),
                self.rng.randint(1, 5),
            )

    def bookings(self, r: Request) -> None:
        """Unpaginated: the first batch of 101, then getMore batches."""
        query = {"tenant": self.tenant(), "status": {"$ne": "cancelled"}}
        find = {"find": "bookings", "filter": query, "sort": {"_id": 1}}
        plan = "IXSCAN { tenant: 1, _id: 1 }"
        r.op(
            f"{DB}.bookings",
            find,
            self.lines.find_stats(plan, 101, 101, exhausted=False),
            self.rng.randint(5, 20),
            reslen=self.rng.randint(60000, 90000),
        )
        cursor = self.rng.getrandbits(62)
        batches = self.rng.randint(1, 4)
        for batch in range(batches):
            returned = self.rng.randint(300, 1000)
            stats = self.lines.find_stats(plan, returned, returned, exhausted=batch == batches - 1)
            stats = {"originatingCommand": {**find, **r.comment(), "$db": DB}, **stats}
            r.op(
                f"{DB}.bookings",
                {"getMore": cursor, "collection": "bookings"},
                stats,
                self.rng.randint(10, 60),
                reslen=returned * 700,
            )

    def quote(self, r: Request) -> None:
        pipeline = [
            {
                "$match": {
                    "rateListId": self.lines.oid(),
                    "season": {"$in": self.rng.sample(SEASONS, 2)},
                }
            },
            {"$group": {"_id": "$serviceType", "price": {"$min": "$price"}}},
            {"$sort": {"price": 1}},
        ]
        stats = {
            "planSummary": "COLLSCAN",
            "keysExamined": 0,
            "docsExamined": self.rng.randint(2000, 8000),
            "cursorExhausted": True,
            "nreturned": self.rng.randint(3, 12),
            "queryHash": self.lines.query_hash(),
        }
        r.op(
            f"{DB}.rates",
            {"aggregate": "rates", "pipeline": pipeline, "cursor": {}},
            stats,
            self.rng.randint(20, 80),
        )
        r.op(
            f"{DB}.counters",
            {
                "findAndModify": "counters",
                "query": {"_id": "quote"},
                "update": {"$inc": {"seq": 1}},
                "new": True,
                "upsert": True,
            },
            {
                "planSummary": "IDHACK",
                "keysExamined": 1,
                "docsExamined": 1,
                "nMatched": 1,
                "nModified": 1,
            },
            self.rng.randint(0, 3),
            write=True,
        )
        r.op(
            f"{DB}.quotes",
            {"insert": "quotes", "ordered": True},
            {"ninserted": 1, "keysInserted": 3},
            self.rng.randint(1, 5),
            write=True,
        )
        self.patch_lead(r)

    def patch_lead(self, r: Request) -> None:
        values = {"status": self.rng.choice(STATUSES), "updatedAt": self.lines.date(r.at)}
        self.update_by_id(r, DB, "leads", values, self.rng.randint(1, 8))

    def update_by_id(
        self, r: Request, db: str, collection: str, values: dict[str, Any], millis: int
    ) -> None:
        """An updateOne by _id: its WRITE line and its COMMAND twin."""
        statement = {
            "q": {"_id": self.lines.oid()},
            "u": {"$set": values},
            "multi": False,
            "upsert": False,
        }
        stats = {
            "planSummary": "IDHACK",
            "keysExamined": 1,
            "docsExamined": 1,
            "nMatched": 1,
            "nModified": 1,
            "nUpserted": 0,
            "keysInserted": 1,
            "keysDeleted": 1,
        }
        r.write(
            f"{db}.{collection}", "update", statement, stats, millis, command={"update": collection}
        )

    def search(self, r: Request) -> None:
        word = "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz", k=self.rng.randint(3, 7)))
        query = {
            "tenant": self.tenant(),
            "$or": [{"name": {"$regex": word, "$options": "i"}}, {"email": {"$regex": f"^{word}"}}],
        }
        stats = self.lines.find_stats(
            "COLLSCAN", self.rng.randint(0, 50), self.rng.randint(20000, 60000)
        )
        r.op(
            f"{DB}.leads",
            {"find": "leads", "filter": query, "limit": 50},
            stats,
            self.rng.randint(50, 250),
        )

    def destinations(self, r: Request) -> None:
        stats = {
            "planSummary": "DISTINCT_SCAN { tenant: 1, destination: 1 }",
            "keysExamined": self.rng.randint(10, 90),
            "docsExamined": 0,
        }
        r.op(
            f"{DB}.itineraries",
            {"distinct": "itineraries", "key": "destination", "query": {"tenant": self.tenant()}},
            stats,
            self.rng.randint(1, 10),
        )

    def revenue(self, r: Request) -> None:
        start = r.at - timedelta(days=self.rng.randint(7, 90))
        pipeline = [
            {
                "$match": {
                    "tenant": self.tenant(),
                    "createdAt": {"$gte": self.lines.date(start), "$lt": self.lines.date(r.at)},
                }
            },
            {"$group": {"_id": {"$month": "$createdAt"}, "total": {"$sum": "$amount"}}},
            {"$sort": {"_id": 1}},
            {"$limit": 24},
        ]
        stats = {
            "planSummary": "IXSCAN { tenant: 1, createdAt: 1 }",
            "keysExamined": self.rng.randint(500, 5000),
            "docsExamined": self.rng.randint(500, 5000),
            "cursorExhausted": True,
            "nreturned": self.rng.randint(1, 24),
            "queryHash": self.lines.query_hash(),
        }
        r.op(
            f"{DB}.bookings",
            {"aggregate": "bookings", "pipeline": pipeline, "cursor": {}},
            stats,
            self.rng.randint(30, 200),
        )

    def expire_sessions(self, r: Request) -> None:
        statement = {"q": {"expiresAt": {"$lt": self.lines.date(r.at)}}, "limit": 0}
        deleted = self.rng.randint(0, 40)
        stats = {
            "planSummary": "IXSCAN { expiresAt: 1 }",
            "keysExamined": deleted,
            "docsExamined": deleted,
            "ndeleted": deleted,
            "keysDeleted": deleted * 2,
        }
        r.write(
            f"{DB}.sessions",
            "remove",
            statement,
            stats,
            self.rng.randint(1, 30),
            command={"delete": "sessions"},
        )

    # -- without request ids ------------------------------------------------------------
    def mail_job(self, r: Request) -> None:
        """A job loop: the queued emails, then one update per email (a burst)."""
        queued = self.rng.randint(2, 8)
        stats = self.lines.find_stats("COLLSCAN", queued, self.rng.randint(3000, 9000))
        r.op(
            f"{JOBS}.emails",
            {
                "find": "emails",
                "filter": {"status": "queued"},
                "sort": {"createdAt": 1},
                "limit": 100,
            },
            stats,
            self.rng.randint(5, 40),
        )
        for _ in range(queued):
            values = {"status": "sent", "sentAt": self.lines.date(r.at)}
            self.update_by_id(r, JOBS, "emails", values, self.rng.randint(2, 15))

    def audit_job(self, r: Request) -> None:
        r.op(
            f"{JOBS}.audit",
            {"insert": "audit", "ordered": False},
            {"ninserted": self.rng.randint(1, 50)},
            self.rng.randint(1, 12),
            write=True,
        )

    def monitoring(self, r: Request) -> None:
        agent = self.agent
        kind = self.rng.randrange(4)
        coll = self.rng.choice(("leads", "bookings", "itineraries", "rates"))
        command: dict[str, Any] = [
            {"hello": 1, "maxAwaitTimeMS": 10000},
            {"serverStatus": 1, "recordStats": 0},
            {"listIndexes": coll, "cursor": {}},
            {"collStats": coll},
        ][kind]
        ns = "admin.$cmd" if kind < 2 else f"{DB}.{coll}"
        at = r.advance(self.rng.randint(0, 40))
        attr = {
            "type": "command",
            "ns": ns,
            "appName": agent.app,
            "command": {**command, "$db": ns.partition(".")[0]},
            "numYields": 0,
            "reslen": self.rng.randint(300, 30000),
            "locks": {},
            "remote": agent.remote,
            "protocol": "op_msg",
            "durationMillis": self.rng.randint(0, 150),
        }
        r.out.append((at, self.lines.line(at, "COMMAND", 51803, agent.ctx, "Slow query", attr)))

    def other_line(self, at: datetime) -> Step:
        """What else a mongod logs: connections, client metadata, checkpoints."""
        rng, lines = self.rng, self.lines
        self.next_conn += 1
        remote = f"10.1.{rng.randint(0, 3)}.{rng.randint(2, 250)}:{rng.randint(40000, 65000)}"
        kind = rng.randrange(4)
        if kind == 0:
            attr = {
                "remote": remote,
                "uuid": {"uuid": {"$uuid": "0" * 8 + "-0000-4000-8000-" + "0" * 12}},
                "connectionId": self.next_conn,
                "connectionCount": rng.randint(20, 80),
            }
            line = lines.line(at, "NETWORK", 22943, "listener", "Connection accepted", attr)
        elif kind == 1:
            attr = {
                "remote": remote,
                "connectionId": self.next_conn - 1,
                "connectionCount": rng.randint(20, 80),
            }
            line = lines.line(
                at, "NETWORK", 22944, f"conn{self.next_conn - 1}", "Connection ended", attr
            )
        elif kind == 2:
            attr = {
                "remote": remote,
                "client": f"conn{self.next_conn}",
                "doc": {
                    "driver": {"name": "nodejs", "version": "6.8.0"},
                    "os": {"type": "Linux", "architecture": "x64"},
                    "platform": "Node.js v20.11.1, LE",
                    "application": {"name": API_APP},
                },
            }
            line = lines.line(
                at, "NETWORK", 51800, f"conn{self.next_conn}", "client metadata", attr
            )
        else:
            attr = {
                "message": {
                    "ts_sec": int(at.timestamp()),
                    "ts_usec": 0,
                    "thread": "1:0x7f",
                    "session_dhandle_name": "WT_SESSION.checkpoint",
                    "category": "WT_VERB_CHECKPOINT_PROGRESS",
                    "verbose_level": "DEBUG_1",
                    "msg": f"saving checkpoint snapshot min: {rng.randint(1, 10**6)}",
                }
            }
            line = lines.line(at, "WTCHKPT", 22430, "Checkpointer", "WiredTiger message", attr)
        return (at, line)
