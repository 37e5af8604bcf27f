"""A city's peak hour across both sites at once (DESIGN.md §8, issue 18): ``make bench-day``.

Everyone who uses the platform at the same time, as locust users (FastHttpUser, gevent) driven from this
script: citizens searching the catalog and reading guides (pages and API), checking availability, booking and
cancelling; a kiosk at every hall checking in today's appointments and issuing walk-in tickets (ID card read);
clerks at the windows calling the next number and accepting the case with a scan of every required material;
approvers at central taking cases from their department's queue, passing the review steps and deciding;
citizens tracking their cases (with their account, or by number and query password) and rating the decided
ones. The wire carries every accepted case to central and every decision back, through the sites' workers.

The city (DOMAIN.md's numbers): ``--matters`` 2,000 matters, ``--halls`` 20 halls (the demo's two and clones of
its big hall: 4 window groups, 13 windows), a clerk at ``--clerks-per-group`` windows of every group, a kiosk
per hall, ``--approvers-per-department`` approvers for each department the halls send cases to. Its peak hour
in real time (``--speed 1``), each user pausing about (half to one and a half times) this long between turns:
300 citizens browsing every 30 s, 100 booking every 2 min (one turn in six is someone cancelling a booking made
earlier in the run), a kiosk at each hall every 60 s (check-in or walk-in, half and half), a clerk at 2 windows
of every group serving one applicant in 8 min (looking again after 60 s when nobody waits), an approver per
department taking a case every 30 s (again after 60 s when the queue is empty), 100 citizens tracking every 60 s:
about 16 requests a second, some 60,000 in the hour. ``--speed`` divides every pause: the default 2 is about
what this 2-core machine, shared with other work, carries with one node per site (at 4 the single front node's
backlog passed HAProxy's 10 s health-check limit and the site dropped out).

Both sites run as ``bin/cluster.py`` starts them (the same code as ``make run-cluster`` and tests/cluster):
HAProxy in front of ``N`` gunicorn nodes per site, PgBouncer in transaction pooling, S3 at the edge, a Celery
worker and two locked beats per site, once with one node per site and once with two (``--nodes 1,2``), each on a
fresh copy of the same prepared databases (``bench_day_front_<pid>``, ``bench_day_central_<pid>``: migrated,
seeded with the demo data, then this benchmark's city, bench/day_data.py). Each run: ``--warm-up`` seconds of
load not counted, then ``--duration`` seconds measured; then the load stops, the wire drains (both outboxes
empty), and the databases are checked:

* ``oversold``: places held beyond a slot's capacity (online and reserved quotas), ``counter_drift``: slots whose
  counter differs from the appointments holding them;
* ``lost``: cases accepted at the front and not at central; ``duplicated``: a case twice at central;
  ``decided_twice``: a case with two decisions at central; ``not_back``: decided at central, not at the front;
  ``back_twice``: a decision applied twice at the front; ``phantom``: decided at the front, not at central.

Figures per action (locust's requests inside the measured window): requests, requests/s, p50/p95/p99 in ms,
errors (a status the action does not expect, or no answer) and the statuses; the wire's messages and its
latency (accepted at the front → at central; decided at central → applied at the front); per site the CPU
seconds of its gunicorn nodes, its worker and beats, and its PostgreSQL backends (read from /proc before and
after) per request its balancer served (locust's and the wire's); the machine's CPU busy share. ``ratio`` is
two nodes' throughput over one node's. The figures end with one JSON line; the exit status is 1 when an
invariant fails, never for speed.
"""

from __future__ import annotations

# isort: off
# locust first: it patches the standard library for gevent before anything else imports sockets or threads.
from locust import FastHttpUser, task
from locust.env import Environment

# isort: on
import argparse
import contextlib
import importlib.util
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import gevent
import psycopg2

from bench import harness
from bench.harness import BenchDatabase, Cleanup, CpuMeter, say
from bench.search import QUERIES

BASE_DIR = harness.BASE_DIR
TIME_ZONE = "Asia/Shanghai"  # govservice/settings.py: what "today" is for the halls

_spec = importlib.util.spec_from_file_location("bin_cluster", BASE_DIR / "bin" / "cluster.py")
assert _spec is not None and _spec.loader is not None
bin_cluster = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bin_cluster", bin_cluster)
_spec.loader.exec_module(bin_cluster)

# A scan of each material: a blank one-page PDF a reader opens (an upload that does not open is refused), the
# same as tests/journey_helpers.PDF (which needs Django set up; this process never sets it up).
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n176\n%%EOF\n"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120.0, help="measured seconds per topology")
    parser.add_argument("--warm-up", type=float, default=20.0, help="seconds of load before the measurement")
    parser.add_argument("--speed", type=float, default=2.0, help="the peak hour played this many times as fast")
    parser.add_argument("--nodes", default="1,2", help="gunicorn nodes per site, one run each, in order")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn (sync) workers per node")
    parser.add_argument("--matters", type=int, default=2000, help="current matters in the catalog")
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--clerks-per-group", type=int, default=2, help="staffed windows of every window group")
    parser.add_argument("--approvers-per-department", type=int, default=1)
    parser.add_argument("--browsers", type=int, default=300, help="citizens browsing the catalog and guides")
    parser.add_argument("--bookers", type=int, default=100, help="citizens booking (and cancelling) online")
    parser.add_argument("--trackers", type=int, default=100, help="citizens tracking and rating their cases")
    parser.add_argument("--today-per-group", type=int, default=10, help="appointments booked for today per group")
    parser.add_argument("--drain-timeout", type=float, default=300.0, help="seconds to wait for the wire to drain")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.nodes = [int(n) for n in args.nodes.split(",") if n.strip()]
    if args.halls < 2:
        parser.error("--halls: at least the demo's two")
    return args


# --- The city's data ----------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} ({env['SITE_ROLE']}) failed:\n{result.stdout}\n{result.stderr}")


def day_data(env: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.day_data", json.dumps(spec)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"bench.day_data ({env['SITE_ROLE']}) failed:\n{result.stdout[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare(args: argparse.Namespace, cleanup: Cleanup) -> tuple[dict[str, BenchDatabase], dict[str, Any]]:
    """Both sites' template databases, migrated and seeded, with the city loaded; the plan the load reads."""
    server_url, redis_url = harness.services_env()
    databases = {role: BenchDatabase(server_url, f"day_{role}") for role in ("front", "central")}
    urls = {role: db.create(cleanup) for role, db in databases.items()}
    redis = harness.redis_database(redis_url, 2)
    envs = {
        "front": harness.server_env(urls["front"], redis),
        "central": harness.server_env(urls["front"], redis, SITE_ROLE="central", CENTRAL_DATABASE_URL=urls["central"]),
    }

    def migrate_and_seed(role: str) -> None:
        started = time.monotonic()
        manage(envs[role], "migrate", "--noinput", "-v", "0")
        manage(envs[role], "seed_demo")
        say(f"{role}: migrated and seeded in {time.monotonic() - started:.0f} s")

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(migrate_and_seed, role) for role in envs]:
            future.result()
    front = day_data(
        envs["front"],
        {
            "seed": args.seed, "matters": args.matters, "halls": args.halls, "clerks_per_group": args.clerks_per_group,
            "today_per_group": args.today_per_group,
            # Enough people that nobody books past the per-person limits nor walks in twice in one run.
            "citizens_book": max(200, args.bookers * 10), "citizens_walkin": 3000,
            "citizens_today": args.today_per_group * args.halls * 4,
        },
    )  # fmt: skip
    central = day_data(
        envs["central"],
        {"departments": front["departments"], "approvers_per_department": args.approvers_per_department},
    )
    return databases, {**front, **central}


# --- What the users share ----------------------------------------------------------------------------


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)  # ms
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class Recorder:
    """Every request locust makes, by action, while ``measuring``."""

    def __init__(self) -> None:
        self.measuring = False
        self.samples: dict[str, Sample] = {}

    def on_request(self, request_type, name, response_time, response_length, response=None, exception=None, **kw):
        if not self.measuring:
            return
        sample = self.samples.setdefault(name, Sample())
        sample.times.append(response_time)
        status = str(getattr(response, "status_code", 0) or 0) if response is not None else "0"
        sample.statuses[status] += 1
        if exception is not None:
            sample.errors[f"{status} {str(exception)[:120]}"] += 1

    def figures(self, seconds: float) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "requests": len(s.times),
                "rps": round(len(s.times) / seconds, 2),
                "p50_ms": round(harness.percentile(s.times, 50), 1),
                "p95_ms": round(harness.percentile(s.times, 95), 1),
                "p99_ms": round(harness.percentile(s.times, 99), 1),
                "errors": sum(s.errors.values()),
                "statuses": dict(sorted(s.statuses.items())),
                **({"error_kinds": dict(s.errors.most_common(5))} if s.errors else {}),
            }
            for name, s in sorted(self.samples.items())
        }


class Day:
    """The city's state as the users see it: who is booked for today where, who walks in, whose tickets the
    windows call, the cases accepted (for their applicants to track and rate)."""

    def __init__(self, plan: dict[str, Any], args: argparse.Namespace, rng: random.Random):
        self.args, self.rng = args, rng
        self.speed = args.speed
        self.halls = {int(k): v for k, v in plan["halls"].items()}
        self.kiosks = deque((int(k), v) for k, v in plan["kiosks"].items())
        self.clerks = deque(plan["clerks"])
        self.floor = {int(h): groups for h, groups in plan["floor"].items()}
        self.required = plan["required"]
        self.today = {int(h): deque(a) for h, a in plan["appointments"].items()}
        self.walkers = deque(plan["citizens"]["walkin"])
        self.bookers = plan["citizens"]["book"]
        self.pairs = plan["pairs"]
        self.guides = plan["guides"]
        self.approvers = deque((dept, token) for dept, tokens in plan["approvers"].items() for token in tokens)
        self.booked: list[tuple[str, str]] = []  # (citizen token, appointment code) booked in this run
        self.tickets: dict[int, dict[str, str]] = {}  # ticket id -> matter code, applicant token
        self.cases: list[dict[str, Any]] = []  # accepted: number, password, token, rated
        self.user_errors: Counter[str] = Counter()

    def pause(self, seconds: float) -> float:
        """A real-time pause of about ``seconds``, compressed by --speed."""
        return self.rng.uniform(0.5, 1.5) * seconds / self.speed


DAY: Day | None = None


def day() -> Day:
    assert DAY is not None
    return DAY


def auth(token: str, scheme: str = "Token") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}", "Accept": "application/json"}


def multipart(files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b""
    for name, (filename, content, content_type) in files.items():
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class DayUser(FastHttpUser):
    abstract = True
    pace = 60.0  # real-time seconds between two of this user's turns
    connection_timeout = 30.0
    network_timeout = 30.0

    def wait_time(self) -> float:
        return day().pause(self.pace)

    def on_start(self) -> None:
        # Users do not all begin at the same instant.
        gevent.sleep(day().rng.uniform(0, self.pace / day().speed))

    def call(self, method: str, path: str, name: str, ok: tuple[int, ...] = (200,), **kwargs: Any):
        """One request, counted under ``name``; a status outside ``ok`` is an error. Returns the response."""
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
            return response


class Browser(DayUser):
    """A citizen looking things up: the search page and API, a guide (page and API), a hall's availability."""

    abstract = True
    pace = 30.0

    @task(3)
    def search_page(self) -> None:
        q, params = day().rng.choice(QUERIES)
        self.call("GET", "/find/?" + urlencode({"q": q, **params}), "search (page)")

    @task(2)
    def search_api(self) -> None:
        q, params = day().rng.choice(QUERIES)
        self.call("GET", "/api/v1/matters/search/?" + urlencode({"q": q, **params}), "search (API)")

    @task(3)
    def guide_page(self) -> None:
        self.call("GET", f"/guide/{day().rng.choice(day().guides)}/", "guide (page)")

    @task(1)
    def matter_api(self) -> None:
        self.call("GET", f"/api/v1/matters/{day().rng.choice(day().guides)}/", "matter (API)")

    @task(1)
    def availability(self) -> None:
        hall, matter = day().rng.choice(day().pairs)
        self.call("GET", f"/api/v1/slots/?hall={hall}&matter={matter}", "availability")


class Booker(DayUser):
    """A citizen online: one turn in six, someone who booked earlier today cancels; otherwise a citizen looks at a
    hall's open slots for a matter and books a place (a full slot or a per-person limit is refused with 409 or
    429, as in a rush)."""

    abstract = True
    pace = 120.0

    @task
    def book(self) -> None:
        d = day()
        if d.booked and d.rng.random() < 1 / 6:
            token, code = d.booked.pop(d.rng.randrange(len(d.booked)))
            self.call("POST", f"/api/v1/appointments/{code}/cancel/", "cancel", headers=auth(token))
            return
        citizen = d.rng.choice(d.bookers)
        headers = auth(citizen["token"])
        hall, matter = d.rng.choice(d.pairs)
        slots = self.call("GET", f"/api/v1/slots/?hall={hall}&matter={matter}", "availability", headers=headers)
        open_slots = slots.json() if slots.status_code == 200 else []
        if not open_slots:
            return
        slot = d.rng.choice(open_slots[:20])
        booked = self.call(
            "POST", "/api/v1/appointments/", "book", ok=(201, 409, 429),
            json={"slot": slot["id"], "matter": matter}, headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        if booked.status_code == 201:
            d.booked.append((citizen["token"], booked.json()["code"]))


class Kiosk(DayUser):
    """A hall's smart terminal: checks in today's appointments and issues walk-in tickets (ID card read),
    half and half."""

    abstract = True
    pace = 60.0

    def on_start(self) -> None:
        self.hall, self.token = day().kiosks.popleft()
        super().on_start()

    @task
    def serve(self) -> None:
        d = day()
        headers = auth(self.token, "Terminal")
        waiting = d.today.get(self.hall)
        if waiting and d.rng.random() < 0.5:
            appointment = waiting.popleft()
            answer = self.call(
                "POST",
                "/api/v1/terminal/checkin/",
                "check in",
                ok=(201,),
                json={"code": appointment["code"]},
                headers=headers,
            )
            if answer.status_code == 201:
                d.tickets[answer.json()["id"]] = {"matter": appointment["matter"], "token": appointment["token"]}
            return
        groups = d.floor.get(self.hall)
        if not groups or not d.walkers:
            return
        matter = d.rng.choice(d.rng.choice(list(groups.values())))
        walker = d.walkers.popleft()
        answer = self.call(
            "POST", "/api/v1/terminal/walk-in/", "walk-in", ok=(201,), json={"matter": matter, "id_number": walker["id"]},
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        if answer.status_code == 201:
            d.tickets[answer.json()["id"]] = {"matter": matter, "token": walker["token"]}


class Clerk(DayUser):
    """A window: call the next number; accept the application with a scan of every required material (the
    service takes the pace); nobody waiting: look again a minute later."""

    abstract = True
    pace = 480.0
    idle = 60.0

    def on_start(self) -> None:
        self.token = day().clerks.popleft()["token"]
        self.next_pause = self.pace
        super().on_start()

    def wait_time(self) -> float:
        return day().pause(self.next_pause)

    @task
    def serve(self) -> None:
        d = day()
        headers = auth(self.token)
        called = self.call("POST", "/api/v1/workbench/call-next/", "call next", ok=(200, 204), headers=headers)
        if called.status_code != 200:
            self.next_pause = self.idle
            return
        self.next_pause = self.pace
        ticket = called.json()
        known = d.tickets.get(ticket["id"])
        if known is None:  # a ticket of a kiosk whose answer was lost: the bench cannot scan its materials
            d.user_errors["ticket unknown to the bench"] += 1
            return
        body, content_type = multipart(
            {f"material_{m}": (f"scan{m}.pdf", PDF, "application/pdf") for m in d.required[known["matter"]]}
        )
        accepted = self.call(
            "POST", f"/api/v1/workbench/tickets/{ticket['id']}/accept/", "accept", ok=(201,), data=body,
            headers={**headers, "Content-Type": content_type},
        )  # fmt: skip
        if accepted.status_code == 201:
            result = accepted.json()
            d.cases.append(
                {
                    "number": result["number"],
                    "password": result["query_password"],
                    "token": known["token"],
                    "rated": False,
                }
            )


class Approver(DayUser):
    """An approver at central: the oldest unclaimed case of the department's queue, claimed (409 when a
    colleague was quicker), read, its two review steps passed, approved; an empty queue is looked at again a
    minute later."""

    abstract = True
    pace = 30.0
    idle = 60.0

    def on_start(self) -> None:
        self.department, self.token = day().approvers.popleft()
        self.next_pause = self.pace
        super().on_start()

    def wait_time(self) -> float:
        return day().pause(self.next_pause)

    @task
    def decide(self) -> None:
        headers = auth(self.token)
        queue = self.call(
            "GET", "/api/v1/cases/?status=in_review&assignee=none&ordering=oldest&page_size=5", "queue", headers=headers
        )
        self.next_pause = self.idle
        for case in queue.json() if queue.status_code == 200 else []:
            url = f"/api/v1/cases/{case['id']}"
            claimed = self.call("POST", f"{url}/claim/", "claim", ok=(200, 409), headers=headers)
            if claimed.status_code != 200:
                continue
            self.call("GET", f"{url}/", "case", headers=headers)
            for _ in range(2):  # 初审, 复审
                self.call("POST", f"{url}/pass/", "pass", json={}, headers=headers)
            self.call(
                "POST", f"{url}/decide/", "decide", json={"decision": "approved", "reason": "材料齐全，符合法定条件。"},
                headers=headers,
            )  # fmt: skip
            self.next_pause = self.pace
            return


class Tracker(DayUser):
    """A citizen following a case accepted today: with the account (1 in 5 by number and query password, no
    account), and rating it once it is decided."""

    abstract = True
    pace = 60.0

    @task
    def track(self) -> None:
        d = day()
        if not d.cases:
            return
        case = d.rng.choice(d.cases)
        if d.rng.random() < 0.2:
            self.call(
                "POST", "/api/v1/track/", "track (password)", json={"number": case["number"], "password": case["password"]},
                headers={"Accept": "application/json"},
            )  # fmt: skip
            return
        headers = auth(case["token"])
        seen = self.call("GET", f"/api/v1/cases/{case['number']}/", "track", headers=headers)
        if seen.status_code == 200 and seen.json().get("status") == "decided" and not case["rated"]:
            case["rated"] = True
            self.call(
                "POST", f"/api/v1/cases/{case['number']}/evaluation/", "rate", ok=(201,),
                json={"score": d.rng.choice((1, 1, 1, 2, 2, 3)), "comment": ""}, headers=headers,
            )  # fmt: skip


# --- Measuring the sites -------------------------------------------------------------------------------


class SiteMeter(CpuMeter):
    """CPU seconds of one site's processes: its gunicorn nodes (``app``), Celery worker and beats (``worker``),
    each in a process group of its own (bin/cluster.py), and the PostgreSQL backends of its database (``db``)."""

    def __init__(self, cluster: Any, role: str, database: str):
        super().__init__(server=None, database=SimpleNamespace(name=database))  # type: ignore[arg-type]
        self.groups = {node.proc.pid: "app" for node in cluster.web[role] if node.proc is not None}
        self.groups |= {
            node.proc.pid: "worker"
            for node in (*cluster.workers[role], *cluster.beat_nodes[role])
            if node.proc is not None
        }

    def _processes(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except (OSError, IndexError):
                continue
            group = int(stat[2])  # pgrp: field 5 of proc(5), the third after the command name
            if group in self.groups:
                found[int(entry.name)] = self.groups[group]
            elif cmdline.startswith(b"postgres: ") and self.title in cmdline:
                found[int(entry.name)] = "db"
        return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def served(cluster: Any) -> dict[str, int]:
    """Requests each site's balancer passed to its nodes so far."""
    counts = cluster.served()
    return {role: sum(n for name, n in counts.items() if name.startswith(f"{role}-")) for role in ("front", "central")}


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


# --- After the load: the wire drains, the invariants -------------------------------------------------------


def backlog(url: str) -> int:
    return sql(url, "SELECT count(*) FROM exchange_outboxmessage WHERE status = 'pending'")[0][0]


def drain(urls: dict[str, str], timeout: float) -> float:
    """Seconds until both outboxes hold nothing pending (the cases at central, the decisions back)."""
    started = time.monotonic()
    while backlog(urls["front"]) or backlog(urls["central"]):
        if time.monotonic() - started > timeout:
            say(f"the wire did not drain within {timeout:.0f} s")
            break
        gevent.sleep(1)
    return round(time.monotonic() - started, 1)


HOLDING = "('cancelled_by_citizen', 'cancelled_by_hall')"


def invariants(urls: dict[str, str]) -> dict[str, int]:
    front, central = urls["front"], urls["central"]
    [(oversold, drift, reserved_over)] = sql(
        front,
        f"""
        WITH held AS (
            SELECT s.id, s.capacity, s.booked, s.reserved,
                   count(a.id) FILTER (WHERE a.quota = 'online') AS online,
                   count(a.id) FILTER (WHERE a.quota = 'reserved') AS reserved_held
            FROM booking_slot s LEFT JOIN booking_appointment a ON a.slot_id = s.id AND a.status NOT IN {HOLDING}
            GROUP BY s.id
        )
        SELECT COALESCE(sum(GREATEST(online - capacity, 0)), 0), count(*) FILTER (WHERE booked <> online),
               COALESCE(sum(GREATEST(reserved_held - reserved, 0)), 0)
        FROM held
        """,
    )
    accepted = [n for (n,) in sql(front, "SELECT number FROM intake_case WHERE accepted_at IS NOT NULL")]
    at_central = dict(
        sql(
            central,
            "SELECT front_number, count(*) FROM review_reviewcase WHERE front_number = ANY(%s) GROUP BY 1",
            (accepted,),
        )
    )
    decided_central = dict(
        sql(
            central,
            "SELECT c.front_number, count(e.id) FROM review_reviewcase c JOIN review_reviewevent e ON e.case_id = c.id "
            "AND e.to_status = 'decided' GROUP BY 1",
        )
    )
    decided_front = dict(
        sql(
            front,
            "SELECT c.number, count(e.id) FROM intake_case c JOIN intake_caseevent e ON e.case_id = c.id "
            "AND e.to_status = 'decided' GROUP BY 1",
        )
    )
    return {
        "oversold": int(oversold) + int(reserved_over),
        "counter_drift": int(drift),
        "accepted": len(accepted),
        "lost": sum(1 for n in accepted if n not in at_central),
        "duplicated": sum(1 for n in at_central.values() if n > 1),
        "decided": len(decided_central),
        "decided_twice": sum(1 for n in decided_central.values() if n > 1),
        "not_back": sum(1 for n in decided_central if n not in decided_front),
        "back_twice": sum(1 for n in decided_front.values() if n > 1),
        "phantom": sum(1 for n in decided_front if n not in decided_central),
        "dead_letters": sum(
            sql(url, "SELECT count(*) FROM exchange_outboxmessage WHERE status = 'dead'")[0][0] for url in urls.values()
        ),
    }


def wire_figures(urls: dict[str, str], since: float) -> dict[str, Any]:
    """Messages each way and their latency, for the cases accepted since ``since`` (epoch seconds)."""
    front, central = urls["front"], urls["central"]
    accepted = dict(
        sql(
            front,
            "SELECT number, extract(epoch FROM accepted_at) FROM intake_case WHERE accepted_at >= to_timestamp(%s)",
            (since,),
        )
    )
    arrived = sql(
        central,
        "SELECT front_number, extract(epoch FROM received_at), extract(epoch FROM decided_at) FROM review_reviewcase "
        "WHERE front_number = ANY(%s)",
        (list(accepted),),
    )
    back = dict(
        sql(
            front,
            "SELECT c.number, extract(epoch FROM min(e.at)) FROM intake_case c JOIN intake_caseevent e ON e.case_id = c.id "
            "AND e.to_status = 'decided' WHERE c.number = ANY(%s) GROUP BY 1",
            (list(accepted),),
        )
    )
    there = [float(received) - float(accepted[n]) for n, received, _ in arrived]
    returned = [float(back[n]) - float(decided) for n, _, decided in arrived if decided is not None and n in back]
    messages = {
        role: dict(
            sql(
                url,
                "SELECT kind, count(*) FROM exchange_outboxmessage WHERE created_at >= to_timestamp(%s) GROUP BY 1",
                (since,),
            )
        )
        for role, url in urls.items()
    }

    def stats(values: list[float]) -> dict[str, float]:
        ms = [v * 1000 for v in values]
        return {
            "count": len(ms),
            "p50_ms": round(harness.percentile(ms, 50), 1),
            "p95_ms": round(harness.percentile(ms, 95), 1),
            "p99_ms": round(harness.percentile(ms, 99), 1),
        }

    return {"to_central": stats(there), "decision_back": stats(returned), "messages": messages}


# --- One topology ----------------------------------------------------------------------------------------


USER_CLASSES = (Browser, Booker, Kiosk, Clerk, Approver, Tracker)


def run_topology(
    nodes: int, databases: dict[str, BenchDatabase], plan: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    global DAY
    server_url, redis_url = harness.services_env()
    tag = f"n{nodes}"
    with contextlib.ExitStack() as stack:
        copies = {role: BenchDatabase(server_url, f"day_{role}_{tag}") for role in databases}
        urls = {role: copies[role].create(stack, like=databases[role]) for role in databases}
        # Today's appointments start in 20 minutes: their check-in is open (from 30 minutes before).
        sql(
            urls["front"],
            "UPDATE booking_slot SET start = now() + interval '20 minutes', \"end\" = now() + interval '50 minutes', "
            "date = (now() AT TIME ZONE %s)::date WHERE id = ANY(%s)",
            (TIME_ZONE, plan["today_slots"]),
        )
        workdir = harness.VAR_DIR / "bench" / f"day-{tag}"
        shutil.rmtree(workdir, ignore_errors=True)
        cluster = bin_cluster.Cluster(
            workdir=workdir,
            postgres=bin_cluster.Postgres.from_url(server_url),
            redis_url=harness.redis_database(redis_url, 2),
            databases={role: copies[role].name for role in copies},
            nodes=nodes,
            gunicorn_workers=args.workers,
            extra_env={
                "DEBUG": "0",
                "STATIC_MANIFEST": "0",
                # The peak hour is played whatever the hour the benchmark runs: walk-ins are not refused at night.
                "HALL_WALK_IN_OPENING_HOURS_ONLY": "0",
                "NOTIFY_QUIET_HOURS": "",
                "CACHE_KEY_PREFIX": f"bench-day:{tag}:{os.getpid()}",
                # A message that fails is retried within seconds, not minutes: the run waits for the wire to drain.
                "EXCHANGE_BACKOFF_BASE_SECONDS": "1",
                "EXCHANGE_BACKOFF_CAP_SECONDS": "10",
            },
        )
        say(f"{nodes} node(s) per site: starting the cluster (logs in {workdir / 'logs'})")
        started = time.monotonic()
        cluster.start()
        stack.callback(cluster.stop)
        say(
            f"cluster up in {time.monotonic() - started:.0f} s: front {cluster.url('front')}, central {cluster.url('central')}"
        )

        rng = random.Random(args.seed)
        DAY = d = Day(plan, args, rng)
        counts = {
            Browser: args.browsers, Booker: args.bookers, Kiosk: len(d.kiosks), Clerk: len(d.clerks),
            Approver: len(d.approvers), Tracker: args.trackers,
        }  # fmt: skip
        hosts = {Approver: cluster.url("central")}
        classes = [
            type(
                base.__name__,
                (base,),
                {"host": hosts.get(base, cluster.url("front")), "fixed_count": n, "abstract": False},
            )
            for base, n in counts.items()
            if n > 0
        ]
        recorder = Recorder()
        env = Environment(user_classes=classes, stop_timeout=0)
        env.events.request.add_listener(recorder.on_request)
        runner = env.create_local_runner()
        total = sum(counts.values())
        say(f"{total} users ({', '.join(f'{c.__name__} {c.fixed_count}' for c in classes)}), speed {args.speed}×")
        runner.start(total, spawn_rate=min(100.0, max(1.0, total / 5)))
        gevent.sleep(args.warm_up)

        load_before = round(os.getloadavg()[0], 2)
        meters = {role: SiteMeter(cluster, role, copies[role].name).start() for role in ("front", "central")}
        served_before, busy_before = served(cluster), machine_busy()
        client_before = _own_cpu()
        began = time.time()
        recorder.measuring = True
        gevent.sleep(args.duration)
        recorder.measuring = False
        seconds = time.time() - began
        cpu = {role: meter.stop() for role, meter in meters.items()}
        served_after, busy_after = served(cluster), machine_busy()
        client_cpu = _own_cpu() - client_before
        runner.quit()
        # An exception inside a user's turn (the bench's own bug, or an answer it could not read): counted, shown.
        task_exceptions = {row["msg"][:200]: row["count"] for row in runner.exceptions.values()}
        for row in runner.exceptions.values():
            say(f"{row['count']} × in a user's turn:\n{row['traceback']}")
        say(f"load stopped after {seconds:.0f} s measured; waiting for the wire to drain")
        drained = drain(urls, args.drain_timeout)
        pending = backlog(urls["front"]) + backlog(urls["central"])
        checked = invariants(urls)
        wire = wire_figures(urls, began - args.warm_up - 5)
        errors = cluster_log_errors(workdir / "logs")

    actions = recorder.figures(seconds)
    requests = sum(a["requests"] for a in actions.values())
    sites = {}
    for role in ("front", "central"):
        count = served_after[role] - served_before[role]
        used = {k: round(v or 0.0, 2) for k, v in cpu[role].items() if k != "client"}
        sites[role] = {
            "requests": count,
            "rps": round(count / seconds, 1),
            "cpu_s": used,
            "cpu_ms_per_request": round(sum(used.values()) * 1000 / max(1, count), 2),
        }
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    return {
        "nodes": nodes,
        "seconds": round(seconds, 1),
        "requests": requests,
        "throughput_rps": round(requests / seconds, 1),
        "errors": sum(a["errors"] for a in actions.values()),
        "p95_max_ms": max((a["p95_ms"] for a in actions.values()), default=0.0),
        "actions": actions,
        "sites": sites,
        "wire": {**wire, "drain_s": drained, "pending_after_drain": pending},
        "machine_cpu_busy": round(busy, 3),
        "client_cpu_s": round(client_cpu, 1),
        "user_errors": dict(d.user_errors),
        "task_exceptions": task_exceptions,
        "server_errors": errors,
        "invariants": checked,
        "loadavg_1m_before": load_before,
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cluster_log_errors(logs: Path) -> int:
    """Tracebacks and worker timeouts in the nodes' logs (each one a defect worth reading)."""
    count = 0
    for log in logs.glob("*-[0-9].log"):
        text = log.read_text(errors="replace")
        count += text.count("Traceback") + text.count("WORKER TIMEOUT")
    return count


INVARIANT_KEYS = (
    "oversold",
    "counter_drift",
    "lost",
    "duplicated",
    "decided_twice",
    "not_back",
    "back_twice",
    "phantom",
)


def main() -> int:
    args = parse_args()
    figures: dict[str, Any] = {
        **harness.machine(),
        "duration_s": args.duration,
        "warm_up_s": args.warm_up,
        "speed": args.speed,
        "matters": args.matters,
        "halls": args.halls,
        "gunicorn_workers_per_node": args.workers,
    }
    runs = []
    with Cleanup() as cleanup:
        started = time.monotonic()
        databases, plan = prepare(args, cleanup)
        say(f"the city is ready in {time.monotonic() - started:.0f} s")
        for nodes in args.nodes:
            runs.append(run_topology(nodes, databases, plan, args))
            run = runs[-1]
            say(
                f"{nodes} node(s): {run['throughput_rps']} req/s, {run['errors']} errors, worst p95 {run['p95_max_ms']} ms, "
                f"invariants {run['invariants']}"
            )
    first = runs[0]
    figures["users"] = {
        "browsers": args.browsers, "bookers": args.bookers, "trackers": args.trackers, "kiosks": len(plan["kiosks"]),
        "clerks": len(plan["clerks"]), "approvers": sum(len(t) for t in plan["approvers"].values()),
    }  # fmt: skip
    figures["runs"] = runs
    if len(runs) > 1:
        figures["ratio"] = round(runs[-1]["throughput_rps"] / max(0.1, first["throughput_rps"]), 3)
    figures["invariants_hold"] = all(run["invariants"][k] == 0 for run in runs for k in INVARIANT_KEYS)

    def lines():
        for run in runs:
            yield f"--- {run['nodes']} node(s) per site: {run['throughput_rps']} req/s over {run['seconds']} s, machine CPU busy {run['machine_cpu_busy']:.0%}"
            yield f"{'action':<18} {'requests':>8} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}"
            for name, a in run["actions"].items():
                yield f"{name:<18} {a['requests']:>8} {a['rps']:>7} {a['p50_ms']:>7} {a['p95_ms']:>7} {a['p99_ms']:>7} {a['errors']:>6}"
            for role, site in run["sites"].items():
                yield f"{role}: {site['requests']} requests served, {site['cpu_ms_per_request']} ms CPU per request {site['cpu_s']}"
            wire = run["wire"]
            yield (
                f"wire: to central {wire['to_central']}, decision back {wire['decision_back']}, drained in {wire['drain_s']} s"
            )
            yield f"invariants: {run['invariants']}"
        if "ratio" in figures:
            yield f"ratio (two nodes / one node): {figures['ratio']}"

    harness.emit(figures, lines)
    return 0 if figures["invariants_hold"] else 1


if __name__ == "__main__":
    sys.exit(main())
