"""Slot availability for one matter at one hall (DESIGN.md §8): ``make bench-availability``.

Loads 2,000 matters (2–4 materials each, over 20 departments) and 20 halls of 3 window groups each;
every hall serves 500–2,000 of the matters, each through one of its groups (a tenth through two);
``slots_generate()`` materialises 10 working days of slots for every group, and the slots are then
filled at random (some full). Then ``GET /api/v1/slots/?hall=<id>&matter=<code>`` is timed through
gunicorn for random (hall, matter) pairs the hall serves, on one connection by default (latency, not
throughput), after a warm-up. ``queries_per_request`` is counted in this process with Django's test client
on the same database for two matters with different numbers of open slots; the two counts must be
equal (no query per slot), and the benchmark fails if they are not.

Its own database (created, migrated, dropped) and gunicorn (stopped), even when something fails. The
figures end with one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter

from bench import harness, loadgen
from bench.harness import Cleanup, say

SLOTS_PATH = "/api/v1/slots/"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=2000)
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="timed requests (after a warm-up)")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--worker-class", default=harness.DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=harness.DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=harness.DEFAULT_THREADS)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def load(args: argparse.Namespace) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.front.booking.models import GroupMatter, Hall, Slot, Window, WindowGroup
    from apps.front.booking.services import slots_generate
    from apps.shared.catalog.services import catalog_generate
    from apps.shared.workcalendar.models import PublishedYear
    from govservice.lib.workdays import CalendarUnknown, WorkCalendar

    rng = random.Random(args.seed)
    started = time.monotonic()
    with transaction.atomic():
        # The catalog's own generator (also bench-search's): consistent matters with materials and fees.
        matters = catalog_generate(matters=args.matters, departments=20, seed=args.seed)
        links: list[GroupMatter] = []
        for h in range(1, args.halls + 1):
            hall = Hall.objects.create(code=f"H{h:02d}", name=f"通州区第{h}便民服务中心", address=f"北京市通州区{h}号")
            groups = [
                WindowGroup.objects.create(hall=hall, letter=letter, name=name, people_per_window=rng.randint(1, 2))
                for letter, name in (("A", "综合受理"), ("B", "社保医保"), ("C", "企业开办"))
            ]
            number = 0
            for group in groups:
                for _ in range(rng.randint(2, 4)):
                    number += 1
                    Window.objects.create(hall=hall, group=group, number=number)
            for matter in rng.sample(matters, min(len(matters), rng.randint(500, 2000))):
                served = rng.sample(groups, 2 if rng.random() < 0.1 else 1)
                links += [GroupMatter(group=group, matter_code=matter.code) for group in served]
        GroupMatter.objects.bulk_create(links, batch_size=5000)

        # A horizon running into a year the statutory data does not know yet would stop slot generation
        # (fail closed): publish that year as plain Monday-to-Friday for the benchmark.
        next_year = timezone.localdate().year + 1
        try:
            WorkCalendar().is_workday(dt.date(next_year, 1, 2))
        except CalendarUnknown:
            PublishedYear.objects.get_or_create(year=next_year, defaults={"note": "bench: Monday to Friday"})

    slots = slots_generate()
    with connection.cursor() as cursor:
        # Some places taken, some slots full: the query must skip those.
        cursor.execute("UPDATE booking_slot SET booked = floor(random() * (capacity + 1))::int")
        cursor.execute("ANALYZE")
    served = list(GroupMatter.objects.values_list("group__hall_id", "matter_code").distinct())
    say(
        f"loaded {len(matters)} matters, {args.halls} halls, {len(links)} group-matter links, {slots} slots "
        f"in {time.monotonic() - started:.1f} s"
    )
    return {"slots": Slot.objects.count(), "group_matters": len(links), "served": served}


def count_queries(served: list[tuple[int, str]]) -> dict:
    """Queries of one request for two matters at one hall with different numbers of open slots."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=harness.LOOPBACK)
    by_hall: dict[int, list[str]] = {}
    for hall, matter in served:
        by_hall.setdefault(hall, []).append(matter)
    hall, matters = max(by_hall.items(), key=lambda item: len(item[1]))
    measured: dict[int, tuple[str, int]] = {}  # slots in the answer -> (matter, queries)
    for matter in matters:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SLOTS_PATH, {"hall": hall, "matter": matter})
        if response.status_code != 200:
            raise RuntimeError(f"GET {SLOTS_PATH} answered {response.status_code}: {response.content[:200]!r}")
        measured.setdefault(len(response.json()), (matter, len(queries)))
        if len(measured) >= 2:
            break
    if len(measured) < 2:
        raise RuntimeError("no two matters with different numbers of open slots at one hall")
    (few, (_, few_queries)), (many, (_, many_queries)) = sorted(measured.items())[:2]
    connection.close()
    return {"slots": [few, many], "queries": [few_queries, many_queries]}


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    figures = harness.machine()
    with Cleanup() as cleanup:
        database, env = harness.prepared_site("availability", cleanup)
        data = load(args)
        queries = count_queries(data["served"])

        server = harness.Gunicorn(
            "govservice.wsgi:application",
            env,
            name="availability",
            worker_class=args.worker_class,
            workers=args.workers,
            threads=args.threads,
        ).start(cleanup)
        rng = random.Random(args.seed)
        sizes: Counter[int] = Counter()

        async def get(client: loadgen.Client, pair: tuple[int, str]) -> None:
            hall, matter = pair
            status, body = await client.request(
                "GET", f"{SLOTS_PATH}?hall={hall}&matter={matter}", {"Accept": "application/json"}
            )
            if status == 200:
                sizes[body.count(b'"id":')] += 1

        pairs = data["served"]
        tally, cpu = harness.timed_load(
            server,
            database,
            pairs,
            get,
            requests=args.requests,
            connections=args.connections,
            rng=rng,
            after_warm_up=sizes.clear,
        )
        errors = server.log_errors()
        server.stop()

    constant = queries["queries"][0] == queries["queries"][1]
    figures |= {
        "matters": args.matters,
        "halls": args.halls,
        "p95_ms": harness.ms(harness.percentile(tally.latencies, 95)),
        "queries_per_request": max(queries["queries"]),
        "queries_constant": constant,
        "queries_measured": {f"{n} slots": q for n, q in zip(queries["slots"], queries["queries"], strict=True)},
        "targets_met": {"p95_30ms": harness.percentile(tally.latencies, 95) < 0.03, "queries_constant": constant},
        "p50_ms": harness.ms(harness.percentile(tally.latencies, 50)),
        "p99_ms": harness.ms(harness.percentile(tally.latencies, 99)),
        "max_ms": harness.ms(max(tally.latencies, default=0.0)),
        "cpu_ms_per_request": cpu,
        "requests": tally.requests,
        "connections": args.connections,
        "statuses": dict(sorted(tally.statuses.items())),
        "slots_per_answer_avg": round(sum(n * c for n, c in sizes.items()) / max(1, sizes.total()), 1),
        "slots": data["slots"],
        "group_matters": data["group_matters"],
        "server_errors_logged": len(errors),
        "gunicorn": server.config,
        "total_s": round(time.monotonic() - started, 1),
    }

    def lines():
        yield (
            f"availability  {tally.requests} requests in {tally.elapsed:.1f} s on {args.connections} connection(s): "
            f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; "
            f"{figures['slots_per_answer_avg']} slots per answer on average"
        )
        yield f"cpu/req       {cpu} ms (server workers, PostgreSQL backends, load generator)"
        yield (
            f"queries       {queries['queries'][0]} for {queries['slots'][0]} slots, "
            f"{queries['queries'][1]} for {queries['slots'][1]} slots: {'constant' if constant else 'NOT CONSTANT'}"
        )
        for line in errors[:5]:
            yield f"server log: {line}"

    harness.emit(figures, lines)
    return 0 if constant and tally.unanswered == 0 and tally.statuses.get("200", 0) == tally.requests else 1


if __name__ == "__main__":
    sys.exit(main())
