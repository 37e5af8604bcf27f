"""The remote window's signalling path under load (issue 14): how many concurrent sessions it carries on this
machine, and the CPU each costs. ``make bench-remote``.

Media go browser to browser and never touch a server; what the servers carry is each session's polls and
signalling messages. So a session here is its two pages without the browsers: a hall page polling its front
(which relays every poll to central with the join ticket: two hops), and a staff page polling central, each
every ``--poll-ms`` as the real pages do while they connect: the handshake of a real call (ready → offer →
answer, SDP-sized, each followed by two trickled candidates); then the steady state of a connected call,
where the pages poll every ``--poll-connected-ms`` (typing and nudges cross the browsers' data channel; the
polls catch what a nudge missed) and the hall saves a typed form field every few seconds.

Both sites run under gunicorn (``--worker-class``, ``--workers``, ``--threads`` each) on their own fresh
databases (``bench_remote_front_<pid>``, ``bench_remote_central_<pid>``, migrated and seeded with the demo
data, dropped at the end), a kiosk device per hall page and a few approvers of the demo matter's department.
Levels of ``--levels`` concurrent sessions run one after another for ``--duration`` seconds each. A level is
carried when every request was answered 200, each side kept at least 90 % of its poll rate, and the hall's
poll (through both sites) answered within the poll interval at p95, so polling never falls behind. The ramp
stops at the first level not carried.

CPU is read from /proc for both sites' gunicorn workers and their PostgreSQL backends during each level's
steady state: ``cpu_ms_per_session_s`` is the server CPU milliseconds a session costs per second of call
(on a 2-core machine, 2000 of them are all there is). The figures end with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

import requests

from bench import harness
from bench.harness import BenchDatabase, Cleanup, CpuMeter, Gunicorn, say
from bench.loadgen import HttpConnection, NoAnswer

DEMO_MATTER = "11011202000000000000-000201-01"  # 社会保障卡申领: served remotely by the demo catalog
BENCH_PASSWORD = "Bench-2026-pass"
SDP = "v=0\r\n" + "a=rtpmap:111 opus/48000/2\r\n" * 60  # about an offer's size, with no candidates (ICE trickles)
# What each side trickles after its description, as remote_call.js does: the host candidates of one machine.
CANDIDATES = [
    {
        "gen": "g1",
        "candidate": f"candidate:{n} 1 udp 2122260223 127.0.0.1 {50000 + n} typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    for n in range(2)
]
STAFF = 4  # approvers logged in at central; the sessions are spread over them


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,25,50,75,100,150,200", help="concurrent sessions per level, in order")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of steady state per level")
    parser.add_argument("--poll-ms", type=int, default=800, help="poll interval while connecting (REMOTE_POLL_MS)")
    parser.add_argument(
        "--poll-connected-ms", type=int, default=3000, help="poll interval once connected (REMOTE_POLL_CONNECTED_MS)"
    )
    parser.add_argument("--form-every", type=float, default=5.0, help="seconds between the hall's form saves")
    # Threads, not the harness's sync workers: the front's worker waits on central for every relayed request,
    # and sync workers queue the halls behind that wait (README "Remote window": 4 sync workers carried 10
    # sessions where 2 gthread workers of 8 threads carried 50 on the same machine).
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per site")
    parser.add_argument("--threads", type=int, default=8, help="threads per gthread worker")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a request counts as unanswered")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


# --- The two sites ----------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=harness.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


FRONT_SETUP = """
import hashlib
from apps.front.booking.models import Hall
from apps.front.floor.models import Terminal
from apps.shared.exchange.models import Peer
from apps.shared.exchange.conf import exchange_conf
Peer.objects.filter(code=exchange_conf.EXCHANGE_CENTRAL_PEER).update(base_url={central!r})
hall = Hall.objects.get(code="TZ")
for i in range({devices}):
    token = f"bench-remote-{{i}}"
    Terminal.objects.get_or_create(token_sha256=hashlib.sha256(token.encode()).hexdigest(), defaults={{"hall": hall, "name": f"压测终端{{i}}"}})
"""

CENTRAL_SETUP = """
from django.contrib.auth.hashers import make_password
from apps.central.review.models import ApproverPost
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Matter
department = Matter.objects.get(code={matter!r}, is_current=True).department
password = make_password({password!r})
for i in range({staff}):
    user, _ = User.objects.get_or_create(username=f"bench_approver_{{i}}", defaults={{"role": Role.APPROVER, "real_name": f"压测{{i}}", "password": password}})
    ApproverPost.objects.get_or_create(user=user, defaults={{"department": department}})
"""


@dataclass
class Sites:
    citizen_id: str  # the demo citizen's, whom every kiosk serves
    front: Gunicorn
    central: Gunicorn
    front_db: BenchDatabase
    central_db: BenchDatabase


def start_sites(args: argparse.Namespace, cleanup: Cleanup, devices: int) -> Sites:
    database_url, redis_url = harness.services_env()
    redis = harness.redis_database(redis_url, 2)
    front_db, central_db = BenchDatabase(database_url, "remote_front"), BenchDatabase(database_url, "remote_central")
    front_url, central_url = front_db.create(cleanup), central_db.create(cleanup)
    knobs = {
        "REMOTE_POLL_MS": str(args.poll_ms),
        "REMOTE_POLL_CONNECTED_MS": str(args.poll_connected_ms),
        "CELERY_QUEUE": "govservice-bench-remote",
    }
    central_env = harness.server_env(front_url, redis, SITE_ROLE="central", CENTRAL_DATABASE_URL=central_url, **knobs)
    front_env = harness.server_env(front_url, redis, **knobs)
    for env in (central_env, front_env):
        started = time.monotonic()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        say(f"{env['SITE_ROLE']}: migrated and seeded in {time.monotonic() - started:.1f} s")
    manage(central_env, "shell", "-c", CENTRAL_SETUP.format(matter=DEMO_MATTER, password=BENCH_PASSWORD, staff=STAFF))
    central = Gunicorn(
        "govservice.wsgi",
        central_env,
        name="remote-central",
        worker_class=args.worker_class,
        workers=args.workers,
        threads=args.threads,
    ).start(cleanup)
    manage(front_env, "shell", "-c", FRONT_SETUP.format(central=central.base_url, devices=devices))
    front = Gunicorn(
        "govservice.wsgi",
        {**front_env, "CENTRAL_URL": central.base_url},
        name="remote-front",
        worker_class=args.worker_class,
        workers=args.workers,
        threads=args.threads,
    ).start(cleanup)
    citizen_id = manage(front_env, "shell", "-c", CITIZEN_ID).strip().splitlines()[-1]  # after any start-up notice
    return Sites(citizen_id=citizen_id, front=front, central=central, front_db=front_db, central_db=central_db)


# --- Browsers without the browser ---------------------------------------------------------------------


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def csrf(session: requests.Session) -> str:
    return session.cookies.get("csrftoken", "")


def kiosk(front_url: str, index: int) -> requests.Session:
    """A browser activated as kiosk ``index``."""
    http = requests.Session()
    http.get(f"{front_url}/terminal/", timeout=10)
    answer = http.post(
        f"{front_url}/terminal/",
        data={"token": f"bench-remote-{index}", "csrfmiddlewaretoken": csrf(http)},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"kiosk {index} not activated: HTTP {answer.status_code}")
    return http


def staff(central_url: str, index: int) -> requests.Session:
    http = requests.Session()
    http.get(f"{central_url}/accounts/login/", timeout=10)
    answer = http.post(
        f"{central_url}/accounts/login/",
        data={"username": f"bench_approver_{index}", "password": BENCH_PASSWORD, "csrfmiddlewaretoken": csrf(http)},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"approver {index} not signed in: HTTP {answer.status_code}")
    return http


CITIZEN_ID = """
from apps.front.booking.management.commands.seed_demo import USERS
from govservice.lib.idcard import check_char
spec = next(u for u in USERS if u.username == "citizen")
print(spec.id17 + check_char(spec.id17))
"""


@dataclass
class Side:
    """One page of one session: its cookies, its poll cursor, what it measured."""

    base: str
    cookies: str
    token: str
    poll_path: str
    signal_path: str
    form_path: str = ""
    cursor: int = 0
    started: bool = False
    connected: bool = False
    latencies: list[float] = field(default_factory=list)
    polls: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass
class Level:
    sessions: int
    hall: list[Side]
    desk: list[Side]
    session_ids: list[str]


def open_sessions(
    sites: Sites, kiosks: list[requests.Session], desks: list[requests.Session], citizen_id: str, count: int
) -> Level:
    """``count`` sessions: each kiosk calls, an approver answers."""
    hall, desk, ids = [], [], []
    for i in range(count):
        http = kiosks[i]
        started = http.post(
            f"{sites.front.base_url}/terminal/remote/",
            data={"matter": DEMO_MATTER, "id_number": citizen_id, "consent": "1", "csrfmiddlewaretoken": csrf(http)},
            timeout=10,
            allow_redirects=False,
        )
        if started.status_code != 302:
            found = re.search(r'id="kiosk-error">([^<]*)<', started.text)
            raise RuntimeError(f"session {i} not started: HTTP {started.status_code} {found.group(1) if found else ''}")
        session_id = started.headers["Location"].strip("/").split("/")[-1]
        ids.append(session_id)
        staff_http = desks[i % len(desks)]
        answered = staff_http.post(
            f"{sites.central.base_url}/remote/{session_id}/answer/",
            data={"csrfmiddlewaretoken": csrf(staff_http)},
            timeout=10,
            allow_redirects=False,
        )
        if answered.status_code != 302:
            raise RuntimeError(f"session {i} not answered: HTTP {answered.status_code}")
        hall.append(
            Side(
                sites.front.base_url,
                cookie_header(http),
                csrf(http),
                f"/remote/{session_id}/poll/",
                f"/remote/{session_id}/signal/",
                f"/remote/{session_id}/form/",
            )
        )
        desk.append(
            Side(
                sites.central.base_url,
                cookie_header(staff_http),
                csrf(staff_http),
                f"/remote/{session_id}/poll/",
                f"/remote/{session_id}/signal/",
            )
        )
    return Level(sessions=count, hall=hall, desk=desk, session_ids=ids)


async def request(
    connection: HttpConnection, side: Side, method: str, path: str, body: dict | None = None
) -> tuple[int, dict]:
    headers = {"Cookie": side.cookies, "Accept": "application/json"}
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        headers.update({"Content-Type": "application/json", "X-CSRFToken": side.token})
    try:
        status, data = await connection.request(method, path, headers, payload)
    except NoAnswer:
        status, data = 0, b""
    side.statuses[str(status)] = side.statuses.get(str(status), 0) + 1
    try:
        return status, json.loads(data) if data else {}
    except ValueError:
        return status, {}


async def page(
    side: Side,
    role: str,
    *,
    until: float,
    measure_from: float,
    poll_s: float,
    connected_s: float,
    form_every: float,
    timeout: float,
    rng: random.Random,
) -> None:
    """One page: announce, then poll every ``poll_s`` until connected, every ``connected_s`` after; answer the
    other side's signalling as the real page does (static/js/remote_call.js)."""
    host, port = side.base.removeprefix("http://").split(":")
    connection = HttpConnection(host, int(port), timeout=timeout)
    await asyncio.sleep(rng.uniform(0, poll_s))  # pages do not all load at the same instant
    next_form = time.monotonic() + rng.uniform(0, form_every)
    try:
        while time.monotonic() < until:
            tick = time.monotonic()
            query = f"?after={side.cursor}" + ("" if side.started else "&start=1")
            began = time.perf_counter()
            status, state = await request(connection, side, "GET", side.poll_path + query)
            if tick >= measure_from:
                side.latencies.append(time.perf_counter() - began)
                side.polls += 1
            if status == 200:
                first = not side.started
                side.started = True
                side.cursor = state.get("cursor") or side.cursor
                # A page that (re)loads announces itself, as remote_call.js does.
                if first and role == "desk":
                    await request(connection, side, "POST", side.signal_path, {"kind": "ready", "body": {}})
                elif first and state.get("status") == "active":
                    await request(connection, side, "POST", side.signal_path, {"kind": "hello", "body": {}})
                for signal in state.get("signals", []):
                    kind = signal.get("kind")
                    if role == "hall" and kind == "ready":
                        await request(
                            connection,
                            side,
                            "POST",
                            side.signal_path,
                            {"kind": "offer", "body": {"gen": "g1", "sdp": SDP}},
                        )
                        for candidate in CANDIDATES:
                            await request(
                                connection, side, "POST", side.signal_path, {"kind": "candidate", "body": candidate}
                            )
                    elif role == "hall" and kind == "answer":
                        side.connected = True
                    elif role == "desk" and kind == "hello":
                        await request(connection, side, "POST", side.signal_path, {"kind": "ready", "body": {}})
                    elif role == "desk" and kind == "offer":
                        await request(
                            connection,
                            side,
                            "POST",
                            side.signal_path,
                            {"kind": "answer", "body": {"gen": "g1", "sdp": SDP}},
                        )
                        for candidate in CANDIDATES:
                            await request(
                                connection, side, "POST", side.signal_path, {"kind": "candidate", "body": candidate}
                            )
                        side.connected = True
            if role == "hall" and time.monotonic() >= next_form:
                next_form += form_every
                await request(
                    connection,
                    side,
                    "POST",
                    side.form_path,
                    {"fields": {"statement": f"申领社会保障卡 {rng.random():.6f}"}},
                )
            interval = connected_s if side.connected else poll_s
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - tick)))
    finally:
        connection.close()


def run_level(sites: Sites, level: Level, args: argparse.Namespace, rng: random.Random) -> dict:
    poll_s, connected_s = args.poll_ms / 1000, args.poll_connected_ms / 1000
    warm_up = 6.0  # the handshake and the first polls are not part of the steady state
    start = time.monotonic()
    measure_from = start + warm_up
    until = measure_from + args.duration
    meters: list[CpuMeter] = []

    async def drive() -> None:
        tasks = [
            page(
                side,
                role,
                until=until,
                measure_from=measure_from,
                poll_s=poll_s,
                connected_s=connected_s,
                form_every=args.form_every,
                timeout=args.timeout,
                rng=rng,
            )
            for role, sides in (("hall", level.hall), ("desk", level.desk))
            for side in sides
        ]

        async def meter() -> None:
            await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
            meters.extend(
                [CpuMeter(sites.front, sites.front_db).start(), CpuMeter(sites.central, sites.central_db).start()]
            )

        await asyncio.gather(meter(), *tasks)

    asyncio.run(drive())
    cpu = [m.stop() for m in meters]
    server_cpu = sum((c["app"] or 0.0) + (c["db"] or 0.0) for c in cpu)
    client_cpu = cpu[0]["client"] if cpu else 0.0
    expected = args.duration / connected_s  # polls of a connected page in the steady state
    hall_latency = [x for s in level.hall for x in s.latencies]
    desk_latency = [x for s in level.desk for x in s.latencies]
    statuses: dict[str, int] = {}
    for side in level.hall + level.desk:
        for status, n in side.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    figures = {
        "sessions": level.sessions,
        "hall_p50_ms": harness.ms(harness.percentile(hall_latency, 50)),
        "hall_p95_ms": harness.ms(harness.percentile(hall_latency, 95)),
        "desk_p50_ms": harness.ms(harness.percentile(desk_latency, 50)),
        "desk_p95_ms": harness.ms(harness.percentile(desk_latency, 95)),
        "hall_poll_rate": round(min(s.polls for s in level.hall) / expected, 3),
        "desk_poll_rate": round(min(s.polls for s in level.desk) / expected, 3),
        "requests_per_s": round(sum(statuses.values()) / (until - start), 1),
        "not_ok": sum(n for status, n in statuses.items() if status != "200"),
        "statuses": statuses,
        "server_cpu_s": round(server_cpu, 2),
        "front_cpu_s": round((cpu[0]["app"] or 0) + (cpu[0]["db"] or 0), 2) if cpu else None,
        "central_cpu_s": round((cpu[1]["app"] or 0) + (cpu[1]["db"] or 0), 2) if cpu else None,
        "client_cpu_s": round(client_cpu, 2),
        "cpu_ms_per_session_s": round(server_cpu * 1000 / (level.sessions * args.duration), 2),
        "unconnected": sum(1 for side in level.hall + level.desk if not side.connected),
    }
    # Carried: every answer 200, every page connected, none fell more than a poll behind its pace, and the
    # hall's poll (two hops) answered within the connecting interval at p95.
    behind = min(s.polls for s in level.hall + level.desk) < expected * 0.9 - 1
    figures["carried"] = bool(
        figures["not_ok"] == 0 and figures["unconnected"] == 0 and not behind and figures["hall_p95_ms"] < args.poll_ms
    )
    return figures


def close_sessions(sites: Sites, kiosks: list[requests.Session], level: Level) -> None:
    for http, session_id in zip(kiosks, level.session_ids, strict=False):
        http.post(
            f"{sites.front.base_url}/remote/{session_id}/hangup/", headers={"X-CSRFToken": csrf(http)}, timeout=10
        )


def main() -> None:
    args = parse_args()
    levels = [int(n) for n in args.levels.split(",") if n.strip()]
    rng = random.Random(args.seed)
    figures: dict = {
        **harness.machine(),
        "poll_ms": args.poll_ms,
        "gunicorn_per_site": f"{args.worker_class} {args.workers}x{args.threads}",
        "duration_s": args.duration,
    }
    results: list[dict] = []
    with Cleanup() as cleanup:
        sites = start_sites(args, cleanup, devices=max(levels))
        kiosks = [kiosk(sites.front.base_url, i) for i in range(max(levels))]
        desks = [staff(sites.central.base_url, i) for i in range(STAFF)]
        for count in levels:
            level = open_sessions(sites, kiosks, desks, sites.citizen_id, count)
            say(f"{count} sessions open; {args.duration:.0f} s of steady state")
            result = run_level(sites, level, args, rng)
            close_sessions(sites, kiosks, level)
            results.append(result)
            say(
                f"{count} sessions: hall p95 {result['hall_p95_ms']} ms, staff p95 {result['desk_p95_ms']} ms, "
                f"{result['requests_per_s']} req/s, CPU {result['cpu_ms_per_session_s']} ms per session-second, "
                f"{'carried' if result['carried'] else 'NOT carried'}"
            )
            if not result["carried"]:
                break
        errors = sites.front.log_errors() + sites.central.log_errors()
    carried = [r for r in results if r["carried"]]
    best = carried[-1] if carried else None
    figures.update(
        {
            "sessions_carried": best["sessions"] if best else 0,
            "cpu_ms_per_session_s": best["cpu_ms_per_session_s"] if best else None,
            # What one core (1000 ms of CPU a second) carries at that cost, on the servers' side alone.
            "sessions_per_core": round(1000 / best["cpu_ms_per_session_s"], 1)
            if best and best["cpu_ms_per_session_s"]
            else None,
            "hall_p95_ms": best["hall_p95_ms"] if best else None,
            "desk_p95_ms": best["desk_p95_ms"] if best else None,
            "server_errors": len(errors),
            "levels": results,
        }
    )

    def lines():
        yield "sessions  hall p50/p95 ms  staff p50/p95 ms  req/s   CPU ms/session-s  carried"
        for r in results:
            yield (
                f"{r['sessions']:>8}  {r['hall_p50_ms']:>6}/{r['hall_p95_ms']:<7}  {r['desk_p50_ms']:>6}/{r['desk_p95_ms']:<8}  "
                f"{r['requests_per_s']:>6}  {r['cpu_ms_per_session_s']:>16}  {'yes' if r['carried'] else 'no'}"
            )

    harness.emit(figures, lines)


if __name__ == "__main__":
    main()
