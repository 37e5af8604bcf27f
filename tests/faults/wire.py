"""Both sites with a fault proxy on each direction of the wire, and what every fault test (and
bench/handoff.py) does with them: make accepted cases, decide them at central, and check that each case
exists at central once, each decision was applied at the front once, and both outboxes drained."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.servers import RedisServer, Site

from .proxy import FaultProxy

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
# Python's time.sleep() fails with EINVAL under libfaketime 0.9.10 when the monotonic clock is left real
# (its clock_nanosleep wrapper mangles absolute monotonic deadlines); and faking the monotonic clock too
# makes every timed wait on a condition variable last the whole offset. This sitecustomize gives the
# skewed process a select()-based sleep, so only its wall clock is off, as on a host with a wrong clock.
SKEW_SITE = Path(__file__).with_name("skewed")


@dataclass
class Wire:
    front: Site
    central: Site
    to_central: FaultProxy  # the front's Peer "central" points here
    to_front: FaultProxy  # central's Peer "BJ-TZ" points here
    redis: RedisServer
    logs: Path
    front_worker_env: dict[str, str] = field(default_factory=dict)

    def reset_proxies(self) -> None:
        for proxy in (self.to_central, self.to_front):
            proxy.pass_through()

    def replace_front_worker(self, extra_env: dict[str, str] | None = None):
        """Stop the front's workers (warm shutdown) and start one with ``extra_env``; it gets its own beat
        schedule (a skewed or killed beat's file would delay the next) and its own process group."""
        for proc in list(self.front.workers):
            self.front.stop_worker(proc)
        self.front_worker_env = dict(extra_env or {})
        return self.front.start_worker(self.logs, extra_env=extra_env, own_schedule=True, own_group=True)


def skewed_env(offset: str) -> dict[str, str]:
    """Environment that runs a process with its wall clock ``offset`` off (libfaketime, e.g. "+4m")."""
    return {
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME": offset,
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SKEW_SITE), os.environ.get("PYTHONPATH", "")])),
    }


# --- Making and deciding cases ----------------------------------------------------------------------


@dataclass
class Batch:
    numbers: list[str]
    message_ids: list[str]  # their case.submitted messages in the front's outbox
    seconds: float  # how long making them took


def create_cases(front: Site, count: int, *, pause: float = 0.0, hall_code: str = "TZ", matter_code: str = "") -> Batch:
    """``count`` accepted cases at the front's hall ``hall_code``, each leaving for the central of its matter (the
    demo approver's, or ``matter_code``) through the outbox (``pause`` seconds apart)."""
    tag = uuid.uuid4().hex[:6].upper()
    code = (
        "from tests.faults.casefactory import main; "
        f"main(count={count}, tag={tag!r}, pause={pause!r}, hall_code={hall_code!r}, matter_code={matter_code!r})"
    )
    out = front.manage("shell", "-c", code)
    made = json.loads(out.strip().splitlines()[-1])
    return Batch(numbers=made["numbers"], message_ids=made["message_ids"], seconds=made["seconds"])


# Central's review steps before a decision (初审, 复审; apps.central.review.models.DECISION_STEP).
STEPS_BEFORE_DECISION = 2


def decide_through_steps(session: requests.Session, case_url: str, *, decision: str = "approved") -> requests.Response:
    """Claim, pass the review steps in order, decide (issue 13: central follows its own steps). A claim or a
    pass already done by an earlier try answers 409 and is skipped; the decision's answer is returned."""
    session.post(f"{case_url}/claim/", timeout=30)
    for _ in range(STEPS_BEFORE_DECISION):
        session.post(f"{case_url}/pass/", json={}, timeout=30)
    return session.post(
        f"{case_url}/decide/", json={"decision": decision, "reason": "材料齐全，符合条件。"}, timeout=30
    )


class Approver:
    """The demo approver at central, deciding through the real API."""

    def __init__(self, central: Site, username: str = "approver"):
        self.central = central
        response = requests.post(
            f"{central.url}/api/v1/auth/token/", data={"username": username, "password": DEMO_PASSWORD}, timeout=20
        )
        response.raise_for_status()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {response.json()['token']}"

    def central_id(self, number: str) -> int | None:
        rows = self.central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (number,))
        return rows[0][0] if rows else None

    def decide(self, number: str, decision: str = "approved") -> requests.Response:
        case_id = self.central_id(number)
        assert case_id is not None, f"{number} is not at central"
        return decide_through_steps(self.session, f"{self.central.url}/api/v1/cases/{case_id}", decision=decision)

    def decide_all(self, numbers: list[str]) -> None:
        for number in numbers:
            response = self.decide(number)
            assert response.status_code == 200, (number, response.status_code, response.text)


# --- Waiting and checking ---------------------------------------------------------------------------


def eventually(check: Callable[[], Any], *, timeout: float = 60, interval: float = 0.5, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met within {timeout}s (last: {value!r})")
        time.sleep(interval)


def at_central(central: Site, numbers: list[str]) -> dict[str, int]:
    """front number -> how many cases central holds for it."""
    rows = central.sql(
        "SELECT front_number, count(*) FROM review_reviewcase WHERE front_number = ANY(%s) GROUP BY front_number",
        (numbers,),
    )
    return dict(rows)


def decided_at_front(front: Site, numbers: list[str]) -> dict[str, int]:
    """front number -> how many 'decided' events its case has."""
    rows = front.sql(
        "SELECT c.number, count(e.id) FROM intake_case c "
        "LEFT JOIN intake_caseevent e ON e.case_id = c.id AND e.to_status = 'decided' "
        "WHERE c.number = ANY(%s) GROUP BY c.number",
        (numbers,),
    )
    return dict(rows)


def outbox_backlog(site: Site) -> dict[str, int]:
    """Messages not delivered yet, by status (pending, dead)."""
    return dict(
        site.sql("SELECT status, count(*) FROM exchange_outboxmessage WHERE status <> 'delivered' GROUP BY status")
    )


OUTBOX_COLUMNS = (
    "id",
    "kind",
    "status",
    "attempts",
    "last_error",
    "response",
    "next_attempt_at",
    "delivered_at",
    "created_at",
)


def outbox_rows(
    site: Site, *, ids: list[str] | None = None, kind: str | None = None, since: Any = None
) -> list[dict[str, Any]]:
    """Outbox messages by id, or by kind and creation time (the payload is encrypted at rest, so it cannot
    be searched for a case number)."""
    query = f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM exchange_outboxmessage WHERE true"
    params: list[Any] = []
    if ids is not None:
        query += " AND id::text = ANY(%s)"
        params.append(list(ids))
    if kind is not None:
        query += " AND kind = %s"
        params.append(kind)
    if since is not None:
        query += " AND created_at >= %s"
        params.append(since)
    rows = site.sql(query + " ORDER BY created_at", tuple(params))
    return [dict(zip(OUTBOX_COLUMNS, row, strict=True)) for row in rows]


def wait_until_at_central(central: Site, numbers: list[str], timeout: float = 60) -> None:
    eventually(
        lambda: set(at_central(central, numbers)) == set(numbers),
        timeout=timeout,
        what=f"{len(numbers)} cases at central",
    )


def wait_until_decided(front: Site, numbers: list[str], timeout: float = 60) -> None:
    eventually(
        lambda: all(decided_at_front(front, numbers).get(n) for n in numbers),
        timeout=timeout,
        what=f"{len(numbers)} decisions applied at the front",
    )


def wait_drained(wire: Wire, timeout: float = 60) -> None:
    eventually(
        lambda: not outbox_backlog(wire.front) and not outbox_backlog(wire.central),
        timeout=timeout,
        what="both outboxes drained",
    )


def assert_exactly_once(wire: Wire, numbers: list[str], *, decided: bool = True) -> None:
    """DESIGN.md §5: every case at central exactly once, every decision at the front exactly once."""
    duplicated = wire.central.sql(
        "SELECT platform_id, front_number, count(*) FROM review_reviewcase GROUP BY 1, 2 HAVING count(*) > 1"
    )
    assert duplicated == [], f"cases duplicated at central: {duplicated}"
    assert at_central(wire.central, numbers) == dict.fromkeys(numbers, 1)
    if decided:
        assert decided_at_front(wire.front, numbers) == dict.fromkeys(numbers, 1)
        statuses = dict(wire.front.sql("SELECT number, status FROM intake_case WHERE number = ANY(%s)", (numbers,)))
        assert set(statuses.values()) == {"decided"}, statuses
