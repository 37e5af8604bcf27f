"""Call-next's one statement (apps/front/floor/fastpath.py claim_next) is held to the ORM reference
(claim_next_reference: SKIP LOCKED claim, conditional UPDATE, ticket_event_record → TicketEvent.objects.create):
from the same queue both call the same ticket and leave the same ticket and event rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.floor.fastpath import claim_next, claim_next_reference
from apps.front.floor.models import Priority, Ticket, TicketEvent
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from tests.factories import make_user
from tests.front.floor.factories import make_ticket

pytestmark = pytest.mark.django_db

PATHS = {"fast": claim_next, "orm": claim_next_reference}


def _rows() -> dict[str, Any]:
    return {
        "tickets": list(Ticket.objects.order_by("id").values()),
        "events": list(
            TicketEvent.objects.order_by("id").values(
                *[f.attname for f in TicketEvent._meta.concrete_fields if not f.primary_key]
            )
        ),
    }


def _call(claim, clerk) -> tuple[Any, dict[str, Any]]:
    """One call from the queue as it is, then undone: what it answered and the rows it left."""
    now = timezone.now()
    with transaction.atomic():
        try:
            ticket = claim(clerk=clerk, now=now, day=timezone.localdate())
            answer: Any = (
                None if ticket is None else (ticket.id, ticket.status, ticket.window.number, ticket.matter.name)
            )
        except DomainError as error:
            answer = (error.code, status_for(error))
        rows = _rows()
        transaction.set_rollback(True)
    return answer, rows


def _both(clerk) -> tuple[Any, dict[str, Any]]:
    (fast_answer, fast_rows), (orm_answer, orm_rows) = (_call(claim, clerk) for claim in PATHS.values())
    assert fast_answer == orm_answer
    assert fast_rows == orm_rows
    return fast_answer, fast_rows


def test_it_calls_the_ticket_and_writes_the_event_create_writes(clerk, hall, matter):
    group = hall.groups.get()
    with time_machine.travel(timezone.now(), tick=False):
        walk_in = make_ticket(group, matter)
        booked = make_ticket(
            group, matter, priority=Priority.BOOKED, booked_start=timezone.now() + dt.timedelta(hours=1)
        )
        green = make_ticket(group, matter, priority=Priority.GREEN_CHANNEL)
        before = _rows()
        answer, rows = _both(clerk)
    assert answer == (green.id, "called", 1, matter.name)
    called = next(row for row in rows["tickets"] if row["id"] == green.id)
    assert (called["window_id"], called["served_by_id"], called["recalls"]) == (clerk.post.window_id, clerk.id, 0)
    assert [row for row in rows["tickets"] if row["id"] != green.id] == [
        row for row in before["tickets"] if row["id"] != green.id
    ]  # the others untouched: booked and walk-in still waiting
    assert {booked.id, walk_in.id} <= {row["id"] for row in rows["tickets"] if row["status"] == "waiting"}
    (event,) = rows["events"]
    assert (event["ticket_id"], event["action"], event["actor_id"], event["window_id"]) == (
        green.id,
        "call",
        clerk.id,
        called["window_id"],
    )
    assert (event["from_status"], event["to_status"], event["note"], event["at"]) == (
        "waiting",
        "called",
        "",
        called["called_at"],
    )


def test_it_skips_other_groups_and_other_days(clerk, hall, matter):
    group = hall.groups.get()
    yesterday = make_ticket(group, matter, priority=Priority.GREEN_CHANNEL)
    Ticket.objects.filter(id=yesterday.id).update(service_date=timezone.localdate() - dt.timedelta(days=1))
    today = make_ticket(group, matter)
    with time_machine.travel(timezone.now(), tick=False):
        answer, _rows_after = _both(clerk)
    assert answer[0] == today.id


def test_an_empty_queue_calls_nobody_and_writes_nothing(clerk, hall, matter):
    with time_machine.travel(timezone.now(), tick=False):
        answer, rows = _both(clerk)
    assert answer is None and rows["events"] == []


@pytest.mark.parametrize("post", ["no window", "no post"])
def test_a_clerk_at_no_window_is_refused_alike(post, hall, matter):
    clerk = make_user("clerk_nowin", Role.CLERK)
    if post == "no window":
        StaffPost.objects.create(user=clerk, hall=hall, window=None)
    make_ticket(hall.groups.get(), matter)
    with time_machine.travel(timezone.now(), tick=False):
        answer, rows = _both(clerk)
    assert answer == ("no_window", 403) and rows["events"] == []
