"""Hand-off benchmark (DESIGN.md §8, issue 5): accepted cases flow from the front to central, an automatic
approver decides each through central's API, and the decisions flow back; then the same under faults.

Everything is real: the sites under gunicorn on fresh databases, a Celery worker with beat each, a private
redis-server, and the fault proxy of tests/faults on each direction of the wire (tests/e2e/servers.py,
tests/faults/). Cases are made at the front by tests/faults/casefactory.py: the intake transaction with
its ``case.submitted`` outbox message, as a clerk's accept writes it.

With ``--fronts 2`` (the default, DESIGN.md §8) two front platforms send at once to the one central — the
Sub-center's (BJ-TZ) and the municipal centre's (BJ-SZ), each with its own database, key, worker and proxy —
and every phase's cases are split between them. With ``--centrals 2`` the partner region's central (TJ, its own
database, worker, approver and proxy) decides half of the Sub-center's cases (a Tianjin matter, routed there by
the front's routing table) while central decides the rest; ``central_down`` then takes down central only, and
the partner's cases flow on. The figures are also given per peer (``per_peer``: each front and each central,
with its cases sent, delivered, lost, duplicated, misrouted, dead letters, clean-phase throughput and latency).

Phases:

1. **clean**: ``--cases`` cases at once, no fault. Throughput = cases / (last decision applied at the front
   − first case accepted); latency per case = its decision applied at the front − its acceptance.
2. **faults**, one after another, each on a fresh batch of ``--fault-cases`` cases:
   ``central_down`` (the proxy refuses central's port for ``--down-seconds``), ``worker_killed`` (the front
   worker and its pool SIGKILLed while sending, a new one started at once), ``redis_restarted`` (Redis
   stopped with its queue lost, back after 5 s), ``response_lost`` (both proxies drop every answer after the
   receiver committed, for 10 s), ``duplicated`` (every request delivered twice while the batch flows).
   Recovery = from the end of the fault until every case of its batch is decided at the front and both
   outboxes hold nothing pending.

The figures end with one JSON line: cases, faults, lost, duplicated, throughput_cps, p50_ms, p95_ms,
recovery_s (the worst), recovery_by_fault_s, per_peer, and more. The run fails (exit 1) when a case is lost,
duplicated or misrouted, in all or at any peer.

Run: ``make bench-handoff`` (BENCH_ARGS="--cases 200 --fault-cases 50" for a short run).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ("central_down", "worker_killed", "redis_restarted", "response_lost", "duplicated")
# The partner region's demo matter its central decides (apps/shared/catalog/demo_catalog_tj.json), and who.
PARTNER_MATTER = "12000015000000000000-001501-01"  # 住房公积金缴存证明开具（京津冀通办）
PARTNER_APPROVER = "approver_tj"


def say(message: str) -> None:
    print(f"bench-handoff: {message}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases in the clean phase")
    parser.add_argument("--idle-cases", type=int, default=10, help="cases sent one at a time first (idle latency)")
    parser.add_argument("--fault-cases", type=int, default=None, help="cases per fault (default: cases / 5)")
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"comma-separated, of {', '.join(FAULTS)}; '' for none"
    )
    parser.add_argument("--down-seconds", type=float, default=20.0, help="how long central is down")
    parser.add_argument("--fronts", type=int, choices=(1, 2), default=2, help="front platforms sending at once")
    parser.add_argument(
        "--centrals",
        type=int,
        choices=(1, 2),
        default=1,
        help="centrals deciding: 2 adds the partner region's, deciding half of the Sub-center's cases",
    )
    parser.add_argument("--producers", type=int, default=2, help="processes making cases in parallel, per front")
    parser.add_argument("--approvers", type=int, default=4, help="threads deciding through central's API")
    # The product's defaults (govservice/settings/), not the e2e harness's short test values.
    parser.add_argument("--lease", type=int, default=120, help="EXCHANGE_LEASE_SECONDS")
    parser.add_argument("--backoff-base", type=int, default=2, help="EXCHANGE_BACKOFF_BASE_SECONDS")
    parser.add_argument("--backoff-cap", type=int, default=600, help="EXCHANGE_BACKOFF_CAP_SECONDS")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for a phase to finish")
    parser.add_argument("--keep-logs", action="store_true", help="leave the servers' logs in the temporary folder")
    args = parser.parse_args()
    if args.fault_cases is None:
        args.fault_cases = max(1, args.cases // len(FAULTS))
    args.faults = [f for f in args.faults.split(",") if f]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")
    return args


def django_setup() -> None:
    """This process reads the server's address from Django's settings (tests/e2e/servers.py) and imports the
    demo password; it never opens the sites' databases through the ORM."""
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("bench-handoff: DATABASE_URL and REDIS_URL must be set; run it through make (make bench-handoff)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govservice.settings")
    os.environ.setdefault("SITE_ROLE", "front")
    os.environ.setdefault("DEV_MODE", "1")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Phase:
    name: str
    numbers: list[str] = field(default_factory=list)
    fault_ended: float | None = None  # time.time()
    done_at: float | None = None
    created_in: float = 0.0
    details: dict[str, object] = field(default_factory=dict)

    @property
    def recovery_s(self) -> float | None:
        if self.fault_ended is None or self.done_at is None:
            return None
        return round(max(0.0, self.done_at - self.fault_ended), 1)


@dataclass
class Front:
    """One front platform of the run: its site, its hall (whose prefix starts its case numbers), the proxy
    central reaches it through, and its peer code at central."""

    site: object
    hall: str
    proxy: object
    code: str


@dataclass
class Outcome:
    """Where one case went: its front, the central it was handed to (the front's record), how many times that
    central holds it from that front (``at``: 1 when right), how many times another central or under another
    platform (``wrong``), and how many decisions its front applied (``decided``: 1 when right)."""

    front: str
    central: str
    decided: int
    at: int = 0
    wrong: int = 0


@dataclass
class Central:
    """One central of the run: its site, its peer code at the fronts, the proxy the fronts reach it through, and
    the approver who decides its cases."""

    site: object
    code: str
    proxy: object
    approver: str
    approver_threads: int


class Bench:
    def __init__(self, wire, args: argparse.Namespace, fronts: list[Front], centrals: list[Central]):
        from tests.faults import wire as wiring

        self.wire = wire
        self.args = args
        self.w = wiring
        self.fronts = fronts
        self.centrals = centrals
        self.proxies = [*(c.proxy for c in centrals), *(f.proxy for f in fronts)]
        self.stop = threading.Event()
        self.decide_errors: dict[int, int] = {}

    def of(self, front: Front, numbers: list[str]) -> list[str]:
        """The numbers of ``front``'s cases (each begins with its hall's prefix)."""
        return [n for n in numbers if n.startswith(front.hall)]

    def reset_proxies(self) -> None:
        for proxy in self.proxies:
            proxy.pass_through()

    # --- Making cases -----------------------------------------------------------------------------

    def create(self, count: int) -> tuple[list[str], float]:
        """``count`` cases, split between the fronts, from ``--producers`` processes per front, all at once;
        (numbers, seconds)."""
        started = time.monotonic()
        producers = len(self.fronts) * self.args.producers
        shares = [
            (
                self.fronts[i % len(self.fronts)],
                count // producers + (1 if i < count % producers else 0),
                self.matter_of(i),
            )
            for i in range(producers)
        ]
        with ThreadPoolExecutor(len(shares)) as pool:
            batches = list(
                pool.map(
                    lambda share: (
                        self.w.create_cases(share[0].site, share[1], hall_code=share[0].hall, matter_code=share[2])
                        if share[1]
                        else None
                    ),
                    shares,
                )
            )
        numbers = [number for batch in batches if batch for number in batch.numbers]
        return numbers, time.monotonic() - started

    def matter_of(self, producer: int) -> str:
        """The matter producer ``producer`` makes cases of ("": the demo approver's, decided by central): with two
        centrals, every other producer of the Sub-center's sends the partner region's matter."""
        front = self.fronts[producer % len(self.fronts)]
        if len(self.centrals) > 1 and front.code == "BJ-TZ" and (producer // len(self.fronts)) % 2 == 1:
            return PARTNER_MATTER
        return ""

    # --- The automatic approver -------------------------------------------------------------------

    def approve_forever(self, central: Central, index: int) -> None:
        """Decide every case in review at ``central`` whose id falls to this thread, through the real API."""
        approver = self.w.Approver(central.site, central.approver)
        while not self.stop.is_set():
            try:
                ids = [
                    row[0]
                    for row in central.site.sql(
                        "SELECT id FROM review_reviewcase WHERE status = 'in_review' AND id %% %s = %s ORDER BY id LIMIT 50",
                        (central.approver_threads, index),
                    )
                ]
            except Exception as exc:
                say(f"approver {index}: {exc}")
                ids = []
            for case_id in ids:
                if self.stop.is_set():
                    return
                try:
                    # Claim, pass the steps, decide: central follows its own steps (issue 13).
                    response = self.w.decide_through_steps(
                        approver.session, f"{central.site.url}/api/v1/cases/{case_id}"
                    )
                    status = response.status_code
                except Exception:
                    status = 0
                if status != 200:
                    self.decide_errors[status] = self.decide_errors.get(status, 0) + 1
            if not ids:
                self.stop.wait(0.3)

    # --- Waiting ----------------------------------------------------------------------------------

    def decided(self, numbers: list[str]) -> int:
        return sum(
            front.site.sql(
                "SELECT count(DISTINCT c.id) FROM intake_case c JOIN intake_caseevent e ON e.case_id = c.id "
                "AND e.to_status = 'decided' WHERE c.number = ANY(%s)",
                (self.of(front, numbers),),
            )[0][0]
            for front in self.fronts
        )

    @property
    def sites(self) -> list:
        return [*(f.site for f in self.fronts), *(c.site for c in self.centrals)]

    def pending(self) -> int:
        return sum(
            site.sql("SELECT count(*) FROM exchange_outboxmessage WHERE status = 'pending'")[0][0]
            for site in self.sites
        )

    def wait_done(self, phase: Phase) -> None:
        deadline = time.monotonic() + self.args.timeout
        last_report = 0.0
        while time.monotonic() < deadline:
            decided = self.decided(phase.numbers)
            if decided == len(phase.numbers) and self.pending() == 0:
                phase.done_at = time.time()
                return
            if time.monotonic() - last_report > 15:
                say(
                    f"{phase.name}: {decided}/{len(phase.numbers)} decided at the front, {self.pending()} messages pending"
                )
                last_report = time.monotonic()
            time.sleep(0.25)
        say(f"{phase.name}: not finished within {self.args.timeout:.0f}s; still pending:")
        for site in self.sites:
            for row in site.sql(
                "SELECT kind, attempts, next_attempt_at - now(), left(last_error, 120) FROM exchange_outboxmessage "
                "WHERE status = 'pending' ORDER BY created_at LIMIT 10"
            ):
                say(f"  {site.label}: {row}")
        self.diagnose()

    def diagnose(self) -> None:
        """What a stuck run needs looked at: the broker's queues, the proxies, the workers."""
        import redis

        broker = redis.Redis.from_url(self.wire.redis.url)
        try:
            for site in self.sites:
                queue = site.env["CELERY_QUEUE"]
                say(f"  {site.label}: queue {queue} holds {broker.llen(queue)} tasks, unacked {broker.hlen('unacked')}")
        except redis.RedisError as exc:
            say(f"  redis: {exc}")
        finally:
            broker.close()
        for proxy in self.proxies:
            say(
                f"  proxy :{proxy.port} -> {proxy.target[1]}: mode {proxy.mode}, open {proxy.active}, {dict(proxy.stats)}"
            )
        for site in self.sites:
            say(f"  {site.label} workers alive: {[w.poll() is None for w in site.workers]}")

    # --- Phases -----------------------------------------------------------------------------------

    def idle(self) -> Phase:
        """Cases 3 s apart, each with the wire to itself: the latency of one case, without a backlog."""
        phase = Phase("idle")
        batch = self.w.create_cases(self.wire.front, self.args.idle_cases, pause=3.0)
        phase.numbers = batch.numbers
        self.wait_done(phase)
        return phase

    def clean(self) -> Phase:
        phase = Phase("clean")
        phase.numbers, phase.created_in = self.create(self.args.cases)
        say(f"clean: {len(phase.numbers)} cases made in {phase.created_in:.1f}s")
        self.wait_done(phase)
        return phase

    def fault(self, name: str) -> Phase:
        phase = Phase(name)
        run: Callable[[Phase], None] = getattr(self, f"fault_{name}")
        run(phase)
        say(f"{name}: fault over; waiting for its {len(phase.numbers)} cases")
        self.wait_done(phase)
        say(f"{name}: recovered in {phase.recovery_s}s")
        return phase

    def fault_central_down(self, phase: Phase) -> None:
        self.wire.to_central.refuse()
        began = time.monotonic()
        phase.numbers, phase.created_in = self.create(self.args.fault_cases)
        time.sleep(max(0.0, self.args.down_seconds - (time.monotonic() - began)))
        self.wire.to_central.pass_through()
        phase.fault_ended = time.time()

    def fault_worker_killed(self, phase: Phase) -> None:
        made: dict[str, tuple[list[str], float]] = {}
        producer = threading.Thread(target=lambda: made.update(batch=self.create(self.args.fault_cases)))
        producer.start()
        # Kill while the relay is busy: messages claimed (leased) and in flight.
        started = time.monotonic()
        while time.monotonic() - started < 60 and not self.claimed():
            time.sleep(0.02)
        [worker] = self.wire.front.workers
        self.wire.front.kill_worker(worker)
        phase.details["claimed_when_killed"] = claimed = self.claimed()
        say(f"worker_killed: SIGKILL with {claimed} messages claimed; they wait out the {self.args.lease}s lease")
        self.wire.front.start_worker(self.wire.logs, own_schedule=True, own_group=True)
        phase.fault_ended = time.time()
        producer.join()
        phase.numbers, phase.created_in = made["batch"]

    def claimed(self) -> int:
        """Front messages under a lease right now (claimed by a relay, the outcome not recorded yet)."""
        return self.wire.front.sql(
            "SELECT count(*) FROM exchange_outboxmessage WHERE status = 'pending' AND attempts = 0 AND next_attempt_at > now() + interval '5 seconds'"
        )[0][0]

    def fault_redis_restarted(self, phase: Phase) -> None:
        phase.numbers, phase.created_in = self.create(self.args.fault_cases)
        # Kicks are queued and the relay is busy: the broker goes away and comes back empty.
        self.wire.redis.restart(down_for=5)
        phase.fault_ended = time.time()

    def fault_response_lost(self, phase: Phase) -> None:
        dropped = sum(p.stats["replies_dropped"] for p in self.proxies)
        for proxy in self.proxies:
            proxy.no_reply()
        began = time.monotonic()
        phase.numbers, phase.created_in = self.create(self.args.fault_cases)
        time.sleep(max(0.0, 10 - (time.monotonic() - began)))
        self.reset_proxies()
        phase.fault_ended = time.time()
        phase.details["replies_dropped"] = sum(p.stats["replies_dropped"] for p in self.proxies) - dropped

    def fault_duplicated(self, phase: Phase) -> None:
        for proxy in self.proxies:
            proxy.duplicate()
        phase.numbers, phase.created_in = self.create(self.args.fault_cases)
        # Nothing to recover from: "recovery" here is how long the batch takes once made, every message of
        # it delivered twice (the proxies go back to passing when the whole batch is decided).
        phase.fault_ended = time.time()
        deadline = time.monotonic() + self.args.timeout
        while time.monotonic() < deadline and self.decided(phase.numbers) < len(phase.numbers):
            time.sleep(0.25)
        phase.details["copies_sent"] = sum(p.stats["copies_sent"] for p in self.proxies)
        self.reset_proxies()

    # --- Figures ----------------------------------------------------------------------------------

    def latencies_ms(self, numbers: list[str], fronts: list[Front] | None = None) -> list[float]:
        values: list[float] = []
        for front in fronts or self.fronts:
            rows = front.site.sql(
                "SELECT extract(epoch FROM e.at - c.accepted_at) * 1000 FROM intake_case c "
                "JOIN intake_caseevent e ON e.case_id = c.id AND e.to_status = 'decided' WHERE c.number = ANY(%s)",
                (self.of(front, numbers),),
            )
            values += [float(r[0]) for r in rows]
        return values

    def throughput(self, numbers: list[str], fronts: list[Front] | None = None) -> float:
        spans = []
        for front in fronts or self.fronts:
            [(first, last)] = front.site.sql(
                "SELECT min(c.accepted_at), max(e.at) FROM intake_case c "
                "JOIN intake_caseevent e ON e.case_id = c.id AND e.to_status = 'decided' WHERE c.number = ANY(%s)",
                (self.of(front, numbers),),
            )
            if first is not None:
                spans.append((first, last))
        if not spans:
            return 0.0
        first, last = min(s[0] for s in spans), max(s[1] for s in spans)
        return len(numbers) / max((last - first).total_seconds(), 1e-3)

    def outcomes(self, numbers: list[str]) -> dict[str, Outcome]:
        """Each case by number, with where it went."""
        found: dict[str, Outcome] = {}
        for front in self.fronts:
            mine = self.of(front, numbers)
            central_of = dict(
                front.site.sql(
                    "SELECT c.number, p.code FROM intake_case c JOIN exchange_peer p ON p.id = c.central_id "
                    "WHERE c.number = ANY(%s)",
                    (mine,),
                )
            )
            decided = self.w.decided_at_front(front.site, mine)
            for number in mine:
                found[number] = Outcome(front.code, central_of.get(number, "?"), decided.get(number, 0))
        for central in self.centrals:
            rows = central.site.sql(
                "SELECT r.front_number, p.code FROM review_reviewcase r JOIN exchange_peer p ON p.id = r.platform_id "
                "WHERE r.front_number = ANY(%s)",
                (list(found),),
            )
            for number, platform in rows:
                case = found[number]
                if central.code == case.central and platform == case.front:
                    case.at += 1
                else:
                    case.wrong += 1
        return found

    def dead_letters(self) -> dict[tuple[str, str], int]:
        """Dead letters by link, as (front code, central code), in either direction."""
        dead: dict[tuple[str, str], int] = {}
        for front in self.fronts:
            for peer, count in front.site.sql(
                "SELECT p.code, count(*) FROM exchange_outboxmessage o JOIN exchange_peer p ON p.id = o.peer_id "
                "WHERE o.status = 'dead' GROUP BY p.code"
            ):
                dead[(front.code, peer)] = dead.get((front.code, peer), 0) + count
        for central in self.centrals:
            for peer, count in central.site.sql(
                "SELECT p.code, count(*) FROM exchange_outboxmessage o JOIN exchange_peer p ON p.id = o.peer_id "
                "WHERE o.status = 'dead' GROUP BY p.code"
            ):
                dead[(peer, central.code)] = dead.get((peer, central.code), 0) + count
        return dead

    def losses(
        self, numbers: list[str], *, peer: str | None = None, outcomes: dict[str, Outcome] | None = None
    ) -> dict[str, int]:
        """Sent, delivered, lost, duplicated and misrouted cases, in all or of one peer (a front's code or a
        central's): each case must be at the central of its matter once, from its own platform, and its decision
        applied once at its own front."""
        found = outcomes if outcomes is not None else self.outcomes(numbers)
        cases = [
            found[n] for n in numbers if n in found and (peer is None or peer in (found[n].front, found[n].central))
        ]
        dead = sum(count for link, count in self.dead_letters().items() if peer is None or peer in link)
        return {
            "sent": len(cases),
            "delivered": sum(1 for c in cases if c.at and c.decided),
            "lost": sum(1 for c in cases if not c.at or not c.decided),
            "lost_before_central": sum(1 for c in cases if not c.at),
            "duplicated": sum(1 for c in cases if c.at > 1 or c.decided > 1),
            "misrouted": sum(1 for c in cases if c.wrong),
            "dead_letters": dead,
        }

    def per_peer(self, numbers: list[str], clean: list[str]) -> dict[str, dict[str, object]]:
        """The figures of each front platform and each central: its cases over the whole run, its losses, and the
        clean phase's throughput and latency for its cases."""
        found = self.outcomes(numbers)
        figures: dict[str, dict[str, object]] = {}
        peers = [(f.code, "front") for f in self.fronts] + [(c.code, "central") for c in self.centrals]
        for code, role in peers:
            theirs = [n for n in clean if n in found and getattr(found[n], role) == code]
            latencies = self.latencies_ms(theirs)
            figures[code] = {
                "role": role,
                **self.losses(numbers, peer=code, outcomes=found),
                "throughput_cps": round(self.throughput(theirs), 1) if theirs else 0.0,
                "p50_ms": round(percentile(latencies, 0.50)) if latencies else None,
                "p95_ms": round(percentile(latencies, 0.95)) if latencies else None,
            }
        return figures


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # run the clean-up: servers stopped, databases dropped


def main() -> int:
    args = parse_args()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    django_setup()
    from django.db import connections

    from tests.e2e.servers import RedisServer, clean, drop_database, make_sites, platform_site, prepare_sites
    from tests.faults.proxy import FaultProxy
    from tests.faults.wire import Wire

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-handoff-"))
    logs = tmp / "logs"
    logs.mkdir()
    redis = RedisServer(tmp / "redis")
    redis.start()
    extra_env = {
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "EXCHANGE_LEASE_SECONDS": str(args.lease),
        "EXCHANGE_BACKOFF_BASE_SECONDS": str(args.backoff_base),
        "EXCHANGE_BACKOFF_CAP_SECONDS": str(args.backoff_cap),
    }
    front, central = make_sites(tmp, extra_env=extra_env)
    to_central = FaultProxy(("127.0.0.1", central.port)).start()
    to_front = FaultProxy(("127.0.0.1", front.port)).start()
    wire = Wire(front=front, central=central, to_central=to_central, to_front=to_front, redis=redis, logs=logs)
    fronts = [Front(front, "TZ", to_front, "BJ-TZ")]
    tag = uuid.uuid4().hex[:8]
    if args.fronts == 2:
        # The municipal centre's platform (apps/shared/exchange/demo.py), sending to the same central at once.
        second = platform_site(
            tmp, "front-sz", "front", "BJ-SZ", tag=tag, central_port=central.port, extra_env=extra_env
        )
        fronts.append(Front(second, "SZ", FaultProxy(("127.0.0.1", second.port)).start(), "BJ-SZ"))
    centrals = [Central(central, "central", to_central, "approver", args.approvers)]
    if args.centrals == 2:
        # The partner region's central (TJ), deciding the Tianjin matters the Sub-center's hall receives.
        partner = platform_site(
            tmp, "central-tj", "central", "TJ", tag=tag, central_port=central.port, extra_env=extra_env
        )
        centrals.append(
            Central(
                partner,
                "TJ",
                FaultProxy(("127.0.0.1", partner.port)).start(),
                PARTNER_APPROVER,
                max(1, args.approvers // 2),
            )
        )
    sites = [*(f.site for f in fronts), *(c.site for c in centrals)]
    bench = Bench(wire, args, fronts, centrals)
    approvers: list[threading.Thread] = []
    phases: list[Phase] = []
    idle = Phase("idle")
    try:
        say(f"preparing {len(sites)} sites (logs in {logs})")
        prepare_sites(*sites)
        for f in fronts:
            for c in centrals:
                # Each front reaches each central it is linked to through that central's proxy, and back.
                f.site.sql("UPDATE exchange_peer SET base_url = %s WHERE code = %s", (c.proxy.url, c.code))
                c.site.sql("UPDATE exchange_peer SET base_url = %s WHERE code = %s", (f.proxy.url, f.code))
        for site in sites:
            site.start(logs)
        for site in sites:
            site.wait_ready()
        # The front's worker in its own process group, so a SIGKILL takes its pool children too.
        wire.replace_front_worker()
        say(f"sites up in {time.monotonic() - started:.0f}s")
        approvers = [
            threading.Thread(target=bench.approve_forever, args=(c, i), daemon=True)
            for c in centrals
            for i in range(c.approver_threads)
        ]
        for thread in approvers:
            thread.start()

        if args.idle_cases:
            idle = bench.idle()
            say(f"idle: {len(idle.numbers)} lone cases done")
        phases.append(bench.clean())
        for name in args.faults:
            phases.append(bench.fault(name))
    finally:
        bench.stop.set()
        for thread in approvers:
            thread.join(timeout=30)
        try:
            clean_phase = phases[0] if phases else Phase("clean")
            all_numbers = idle.numbers + [n for p in phases for n in p.numbers]
            latencies = bench.latencies_ms(clean_phase.numbers) if clean_phase.numbers else []
            idle_latencies = bench.latencies_ms(idle.numbers) if idle.numbers else []
            fault_latencies = bench.latencies_ms([n for p in phases[1:] for n in p.numbers]) if len(phases) > 1 else []
            losses = (
                bench.losses(all_numbers) if all_numbers else {"sent": 0, "delivered": 0, "lost": 0, "duplicated": 0}
            )
            per_peer = bench.per_peer(all_numbers, clean_phase.numbers) if all_numbers else {}
            recovery = {p.name: p.recovery_s for p in phases[1:]}
            figures = {
                "cases": len(all_numbers),
                "delivered": losses.get("delivered", 0),
                "clean_cases": len(clean_phase.numbers),
                "faults": [p.name for p in phases[1:]],
                "lost": losses["lost"],
                "duplicated": losses["duplicated"],
                "lost_before_central": losses.get("lost_before_central", 0),
                "dead_letters": losses.get("dead_letters", 0),
                "misrouted": losses.get("misrouted", 0),
                "fronts": len(fronts),
                "centrals": len(centrals),
                "per_peer": per_peer,
                "throughput_cps": round(bench.throughput(clean_phase.numbers), 1) if clean_phase.numbers else 0.0,
                "p50_ms": round(percentile(latencies, 0.50)) if latencies else None,
                "p95_ms": round(percentile(latencies, 0.95)) if latencies else None,
                "idle_p50_ms": round(percentile(idle_latencies, 0.50)) if idle_latencies else None,
                "idle_p95_ms": round(percentile(idle_latencies, 0.95)) if idle_latencies else None,
                "p95_ms_under_faults": round(percentile(fault_latencies, 0.95)) if fault_latencies else None,
                "recovery_s": max((v for v in recovery.values() if v is not None), default=None),
                "recovery_by_fault_s": recovery,
                "fault_details": {p.name: p.details for p in phases[1:] if p.details},
                "creation_s": {p.name: round(p.created_in, 1) for p in phases},
                "decide_errors": bench.decide_errors,
                "lease_s": args.lease,
                "seconds": round(time.monotonic() - started),
            }
        finally:
            for site in sites:
                site.stop()
            for proxy in bench.proxies:
                proxy.stop()
            redis.stop()
            connections.close_all()
            for site in sites:
                drop_database(site)
            if args.keep_logs:
                say(f"logs kept in {logs}")
            else:
                clean(tmp)
    for key in (
        "throughput_cps",
        "p50_ms",
        "p95_ms",
        "recovery_by_fault_s",
        "lost",
        "duplicated",
        "per_peer",
        "seconds",
    ):
        say(f"{key}: {figures[key]}")
    print(json.dumps(figures, ensure_ascii=False))
    failed = [
        f"{peer}: {key} {value}"
        for peer, peer_figures in {"all": figures, **figures["per_peer"]}.items()
        for key, value in peer_figures.items()
        if key in ("lost", "duplicated", "misrouted") and value
    ]
    if failed:
        say("FAILED: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
