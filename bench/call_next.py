"""Call-next from eight windows at once (DESIGN.md §6, §8): ``make bench-call-next``.

One window group with ``--windows`` windows, a clerk at each with a DRF token, and a queue of
``--tickets`` waiting tickets of today in mixed priorities (green channel, booked at various times,
walk-ins). Every window calls ``POST /api/v1/workbench/call-next/`` on its own connection, as fast as the
answers come, until the queue answers 204 (empty). Then the answers and the database are checked:

* ``double_calls``: tickets handed to more than one window (in the answers, or with more than one CALL
  event in the database) — must be 0;
* ``skipped_tickets``: tickets still waiting when every window has been told the queue is empty, or never
  handed out — must be 0;
* ``order_violations``: calls that began after another call had returned, yet took a better ticket than
  it (calls in flight at the same time may finish in either order; nothing is counted for those).

Two ways of calling, both reported. First the **bursts** (``--bursts``, default 100): the eight windows press
"call next" at the same instant, each burst once every window has its answer and ``--burst-gap-ms`` has
passed: what "8 windows at once" means at a real hall (a clerk calls when the previous citizen leaves, a
few times a minute), and the figure for the target of DESIGN.md §8 (``burst_p95_ms``). Then **back to
back** over the rest of the queue: every window calls again as soon as its answer comes, until the queue
answers 204 (empty): saturation, where latency is the windows' number over throughput (``p95_ms``).
``--pause-ms`` spaces each window's back-to-back calls. The checks cover the calls of both. The same windows then fetch a trivial authenticated endpoint as a reference measured in the same run
(``baseline_p95_ms``): the machine is small and shared. Everything runs here: its own database
(created, migrated, dropped) and gunicorn on a free loopback port, cleaned up even when something fails.
The figures end with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import harness
from bench.harness import Cleanup, say
from bench.loadgen import HttpConnection, NoAnswer

CALL_PATH = "/api/v1/workbench/call-next/"
WARM_PATH = "/api/v1/workbench/"
# The reference in the same run: the cheapest authenticated API call (token auth, the whole middleware
# stack, one query), from the same windows at the same concurrency. The machine is small and shared, so
# call-next's p95 reads best next to this one.
BASELINE_PATH = "/api/v1/me/"
MATTER_CODE = "11011200000000000000-BENCH-CALL"
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--worker-class", default=harness.DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=harness.DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=harness.DEFAULT_THREADS)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a request counts as unanswered")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=0.0,
        help="each window waits up to this long (uniformly at random) between calls; 0: back to back, the harshest",
    )
    parser.add_argument("--bursts", type=int, default=100, help="bursts of one call from every window at once; 0: none")
    parser.add_argument("--burst-gap-ms", type=float, default=200.0, help="idle time between two bursts")
    return parser.parse_args()


# --- Data -------------------------------------------------------------------------------------------


def load(args: argparse.Namespace) -> dict:
    """A hall with one group of ``--windows`` windows, a clerk with a token at each, and the queue."""
    from django.db import transaction
    from django.utils import timezone
    from knox.models import AuthToken

    from apps.front.booking.models import GroupMatter, Hall, StaffPost, Window, WindowGroup
    from apps.front.floor.models import DailyCounter, Priority, Ticket
    from apps.shared.accounts.models import Role, User
    from apps.shared.catalog.models import Department, Matter

    started = time.monotonic()
    rng = random.Random(args.seed)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        department = Department.objects.create(code="110112-BENCH", name="基准测试局")
        matter = Matter.objects.create(code=MATTER_CODE, name="城乡居民医保参保登记（基准测试）", department=department)
        hall = Hall.objects.create(code="BC", name="叫号基准测试大厅", address="北京市通州区运河东大街55号")
        group = WindowGroup.objects.create(hall=hall, letter="B", name="社保医保")
        GroupMatter.objects.create(group=group, matter_code=matter.code)
        tokens = []
        for n in range(args.windows):
            window = Window.objects.create(hall=hall, group=group, number=n + 1)
            clerk = User(username=f"bench_clerk_{n + 1}", role=Role.CLERK, real_name=f"窗口{n + 1}")
            clerk.set_unusable_password()
            clerk.save()
            StaffPost.objects.create(user=clerk, hall=hall, window=window)
            tokens.append(AuthToken.objects.create(user=clerk)[1])
        tickets = []
        total = args.tickets + args.windows * args.bursts  # the bursts' calls come out of the same queue
        for n in range(total):
            roll = rng.random()
            priority = Priority.GREEN_CHANNEL if roll < 0.1 else Priority.BOOKED if roll < 0.4 else Priority.WALK_IN
            booked = now + dt.timedelta(minutes=30 * rng.randint(0, 12)) if priority == Priority.BOOKED else None
            tickets.append(
                Ticket(
                    hall=hall,
                    group=group,
                    service_date=today,
                    number=n + 1,
                    prefix=group.letter,
                    matter=matter,
                    priority=priority,
                    green_reason="elderly" if priority == Priority.GREEN_CHANNEL else "",
                    booked_start=booked,
                    checked_in_at=now - dt.timedelta(seconds=total - n),
                    display_name="张*",
                )
            )
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        DailyCounter.objects.create(scope=f"ticket:{group.id}", day=today, last=total)
    keys = {
        t.id: (t.priority, t.booked_start or FAR_FUTURE, t.checked_in_at, t.id)
        for t in Ticket.objects.filter(group=group).only("id", "priority", "booked_start", "checked_in_at")
    }
    say(f"loaded {total} tickets and {args.windows} windows in {time.monotonic() - started:.1f} s")
    return {"tokens": tokens, "group_id": group.id, "keys": keys}


# --- The windows ------------------------------------------------------------------------------------


@dataclass
class Call:
    window: int
    ticket_id: int | None
    status: int
    began: float
    ended: float


@dataclass
class Run:
    calls: list[Call] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    spans: list[float] = field(default_factory=list)  # bursts: from the burst's start to its last answer


async def _window(
    index: int, token: str, host: str, port: int, run: Run, timeout: float, start: asyncio.Event, pause: float
) -> None:
    """One window: call next until the queue is empty (204). A 429 (busy) or no answer is retried."""
    rng = random.Random(index)
    connection = HttpConnection(host, port, timeout=timeout)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    await start.wait()
    try:
        while True:
            began = time.perf_counter()
            try:
                status, body = await connection.request("POST", CALL_PATH, headers)
            except NoAnswer as exc:
                run.errors[f"no answer: {exc}"] += 1
                run.calls.append(Call(index, None, 0, began, time.perf_counter()))
                if run.errors.total() > 100:
                    return
                continue
            ended = time.perf_counter()
            ticket_id = json.loads(body)["id"] if status == 200 else None
            run.calls.append(Call(index, ticket_id, status, began, ended))
            if status == 204:
                return
            if pause:
                await asyncio.sleep(rng.uniform(0, pause))
            if status != 200:
                run.errors[f"HTTP {status}"] += 1
                if status >= 500 or run.errors.total() > 100:
                    return
    finally:
        connection.close()


def call_until_empty(server: harness.Gunicorn, tokens: list[str], timeout: float, pause: float) -> Run:
    run = Run()

    async def drive() -> None:
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(_window(i, token, harness.LOOPBACK, server.port, run, timeout, start, pause))
            for i, token in enumerate(tokens)
        ]
        began = time.perf_counter()
        start.set()  # every window starts at once
        await asyncio.gather(*tasks)
        run.elapsed = time.perf_counter() - began

    asyncio.run(drive())
    return run


def call_in_bursts(server: harness.Gunicorn, tokens: list[str], bursts: int, gap: float, timeout: float) -> Run:
    """Every window calls next at the same instant, ``bursts`` times, ``gap`` seconds apart."""
    run = Run()

    async def drive() -> None:
        connections = [HttpConnection(harness.LOOPBACK, server.port, timeout=timeout) for _ in tokens]

        async def one(index: int) -> None:
            headers = {"Authorization": f"Token {tokens[index]}", "Accept": "application/json"}
            began = time.perf_counter()
            try:
                status, body = await connections[index].request("POST", CALL_PATH, headers)
            except NoAnswer as exc:
                run.errors[f"no answer: {exc}"] += 1
                run.calls.append(Call(index, None, 0, began, time.perf_counter()))
                return
            ended = time.perf_counter()
            run.calls.append(Call(index, json.loads(body)["id"] if status == 200 else None, status, began, ended))
            if status not in (200, 204):
                run.errors[f"HTTP {status}"] += 1

        began = time.perf_counter()
        try:
            for _ in range(bursts):
                burst_began = time.perf_counter()
                await asyncio.gather(*(one(i) for i in range(len(tokens))))
                run.spans.append(time.perf_counter() - burst_began)
                await asyncio.sleep(gap)
        finally:
            for connection in connections:
                connection.close()
        run.elapsed = time.perf_counter() - began

    asyncio.run(drive())
    return run


def baseline(server: harness.Gunicorn, tokens: list[str], requests: int, timeout: float, pause: float) -> list[float]:
    """Latencies of ``requests`` GETs of BASELINE_PATH spread over the windows, all at once, paced as the
    windows were."""
    latencies: list[float] = []

    async def one(token: str, count: int) -> None:
        rng = random.Random(token)
        connection = HttpConnection(harness.LOOPBACK, server.port, timeout=timeout)
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        try:
            for _ in range(count):
                began = time.perf_counter()
                status, _body = await connection.request("GET", BASELINE_PATH, headers)
                if status == 200:
                    latencies.append(time.perf_counter() - began)
                if pause:
                    await asyncio.sleep(rng.uniform(0, pause))
        finally:
            connection.close()

    async def drive() -> None:
        share = -(-requests // len(tokens))
        await asyncio.gather(*(one(token, share) for token in tokens))

    asyncio.run(drive())
    return latencies


def warm_up(server: harness.Gunicorn, tokens: list[str]) -> None:
    """Each worker imports the URLconf and opens its database connection on its first requests."""

    async def drive() -> None:
        async def one(token: str) -> None:
            connection = HttpConnection(harness.LOOPBACK, server.port, timeout=10)
            try:
                for _ in range(4):
                    await connection.request("GET", WARM_PATH, {"Authorization": f"Token {token}"})
            finally:
                connection.close()

        await asyncio.gather(*(one(token) for token in tokens))

    asyncio.run(drive())


# --- Checks -----------------------------------------------------------------------------------------


def order_violations(calls: list[Call], keys: dict[int, tuple]) -> int:
    """Calls that began after another call had returned but took a better ticket than that call did."""
    done = sorted((c for c in calls if c.ticket_id is not None), key=lambda c: c.ended)
    violations, worst_before, i = 0, None, 0
    for call in sorted((c for c in calls if c.ticket_id is not None), key=lambda c: c.began):
        while i < len(done) and done[i].ended < call.began:
            key = keys[done[i].ticket_id]
            worst_before = key if worst_before is None or key > worst_before else worst_before
            i += 1
        if worst_before is not None and keys[call.ticket_id] < worst_before:
            violations += 1
    return violations


def check(run: Run, plan: dict) -> dict:
    from django.db.models import Count

    from apps.front.floor.models import Ticket, TicketAction, TicketEvent, TicketStatus

    handed = Counter(c.ticket_id for c in run.calls if c.ticket_id is not None)
    tickets = Ticket.objects.filter(group_id=plan["group_id"])
    doubled_in_db = (
        TicketEvent.objects.filter(ticket__group_id=plan["group_id"], action=TicketAction.CALL)
        .values("ticket_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    still_waiting = tickets.filter(status=TicketStatus.WAITING).count()
    never_handed = len(set(plan["keys"]) - set(handed))
    return {
        "double_calls": max(sum(1 for n in handed.values() if n > 1), doubled_in_db),
        "skipped_tickets": max(still_waiting, never_handed),
        "still_waiting": still_waiting,
        "called_in_db": tickets.filter(status=TicketStatus.CALLED).count(),
        "order_violations": order_violations(run.calls, plan["keys"]),
        "windows_used": len({c.window for c in run.calls if c.ticket_id is not None}),
    }


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    figures = harness.machine()
    with Cleanup() as cleanup:
        _, env = harness.prepared_site("call_next", cleanup)
        from django.db import connection

        plan = load(args)
        connection.close()

        gunicorn = {"worker_class": args.worker_class, "workers": args.workers, "threads": args.threads}
        server = harness.Gunicorn("govservice.wsgi:application", env, name="call_next", **gunicorn).start(cleanup)
        warm_up(server, plan["tokens"])
        bursts = Run()
        if args.bursts:
            say(
                f"{args.bursts} bursts: {args.windows} windows calling next at the same instant, {args.burst_gap_ms:g} ms apart"
            )
            bursts = call_in_bursts(server, plan["tokens"], args.bursts, args.burst_gap_ms / 1000, args.timeout)
        say(f"{args.windows} windows calling next back to back over the remaining {args.tickets} tickets")
        run = call_until_empty(server, plan["tokens"], args.timeout, args.pause_ms / 1000)
        say(f"baseline: {args.tickets} requests of {BASELINE_PATH} from the same {args.windows} windows")
        reference = baseline(server, plan["tokens"], args.tickets, args.timeout, args.pause_ms / 1000)
        server_errors = server.log_errors()
        server.stop()
        every = Run(calls=bursts.calls + run.calls, errors=bursts.errors + run.errors)
        result = check(every, plan)
        connection.close()

    latencies = [c.ended - c.began for c in run.calls if c.status in (200, 204)]
    statuses = Counter(str(c.status) for c in run.calls)
    burst_latencies = [c.ended - c.began for c in bursts.calls if c.status in (200, 204)]
    figures |= {
        "windows": args.windows,
        "tickets": args.tickets,
        "p50_ms": harness.ms(harness.percentile(latencies, 50)),
        "p95_ms": harness.ms(harness.percentile(latencies, 95)),
        "p99_ms": harness.ms(harness.percentile(latencies, 99)),
        "max_ms": harness.ms(max(latencies, default=0.0)),
        "baseline_p95_ms": harness.ms(harness.percentile(reference, 95)),
        "p95_ratio_to_baseline": round(harness.percentile(latencies, 95) / harness.percentile(reference, 95), 2)
        if reference
        else None,
        # The target figure (DESIGN.md §8 "call-next from 8 windows at once"): each window one call, all at once.
        "burst_p50_ms": harness.ms(harness.percentile(burst_latencies, 50)) if burst_latencies else None,
        "burst_p95_ms": harness.ms(harness.percentile(burst_latencies, 95)) if burst_latencies else None,
        "burst_p99_ms": harness.ms(harness.percentile(burst_latencies, 99)) if burst_latencies else None,
        # How long a whole burst took, from the eight presses to the last answer.
        "burst_span_p50_ms": harness.ms(harness.percentile(bursts.spans, 50)) if bursts.spans else None,
        "burst_span_p95_ms": harness.ms(harness.percentile(bursts.spans, 95)) if bursts.spans else None,
        "burst_spans_first_ms": [harness.ms(span) for span in bursts.spans[:5]],
        "bursts": args.bursts,
        "burst_calls": sum(1 for c in bursts.calls if c.status == 200),
        "targets_met": {
            "burst_p95_50ms": bool(burst_latencies) and harness.percentile(burst_latencies, 95) < 0.05,
            "back_to_back_p95_50ms": bool(latencies) and harness.percentile(latencies, 95) < 0.05,
            "no_double_call": result["double_calls"] == 0,
        },
        "double_calls": result["double_calls"],
        "skipped_tickets": result["skipped_tickets"],
        "order_violations": result["order_violations"],
        "calls_per_s": round(statuses["200"] / run.elapsed, 1) if run.elapsed else 0.0,
        "requests": len(run.calls),
        "statuses": dict(sorted(statuses.items())),
        "errors": dict(run.errors + bursts.errors),
        "windows_used": result["windows_used"],
        "called_in_db": result["called_in_db"],
        "server_errors_logged": len(server_errors),
        "gunicorn": server.config,
        "pause_ms": args.pause_ms,
        "run_s": round(run.elapsed, 2),
        "total_s": round(time.monotonic() - started, 1),
    }

    def lines():
        pause = f", pause up to {args.pause_ms:g} ms between calls" if args.pause_ms else ", back to back"
        yield f"call-next: {args.windows} windows, {args.tickets} tickets, gunicorn {server.config}"
        if burst_latencies:
            yield (
                f"  bursts ({args.bursts} x {args.windows} windows at the same instant): p50 {figures['burst_p50_ms']} ms, "
                f"p95 {figures['burst_p95_ms']} ms (target < 50), p99 {figures['burst_p99_ms']} ms"
            )
        yield f"  then the rest of the queue{pause}:"
        yield (
            f"  latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (saturation, see the bursts for the target), "
            f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
        )
        yield (
            f"  baseline (GET {BASELINE_PATH}, same windows): p95 {figures['baseline_p95_ms']} ms; "
            f"call-next p95 is {figures['p95_ratio_to_baseline']}x that"
        )
        yield f"  {statuses['200']} calls in {run.elapsed:.2f} s = {figures['calls_per_s']} calls/s; statuses {dict(statuses)}"
        yield (
            f"  double calls {result['double_calls']} (target 0), skipped tickets {result['skipped_tickets']} (target 0), "
            f"order violations {result['order_violations']}, windows used {result['windows_used']}/{args.windows}"
        )
        if server_errors:
            yield f"  server log: {len(server_errors)} error lines, e.g. {server_errors[0]}"

    harness.emit(figures, lines)
    ok = result["double_calls"] == 0 and result["skipped_tickets"] == 0 and not run.errors and not bursts.errors
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
