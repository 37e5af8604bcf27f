"""Places and people for 好差评 tests: a decided case, a served ticket, the unit's staff and a supervisor.

Time is frozen on Monday 2 March 2026, 10:00 in Beijing (no holiday that week or the next), so the limits
are easy to read: reply due Monday 9 March (7 natural days), appeal until Thursday 5 March (3 working days),
SMS link valid until Monday 9 March (5 working days)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.booking.models import StaffPost, Window, WindowGroup
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case, CaseStatus
from apps.shared.accounts.models import Role
from tests.factories import make_user

MONDAY = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def travel(day: dt.date, hour: int = 10, minute: int = 0):
    return time_machine.travel(at(day, hour, minute), tick=False)


@pytest.fixture
def frozen():
    with travel(MONDAY) as traveller:
        yield traveller


@pytest.fixture
def supervisor(db, hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管", phone="13700007777")
    StaffPost.objects.create(user=user, hall=hall)
    return user


@pytest.fixture
def colleague(db, hall):
    """A second clerk of the same unit (window group A, window 2)."""
    window = Window.objects.create(hall=hall, group=hall.groups.get(), number=2)
    user = make_user("clerk2", Role.CLERK, real_name="周窗口")
    StaffPost.objects.create(user=user, hall=hall, window=window)
    return user


@pytest.fixture
def other_unit_clerk(db, hall):
    """A clerk of the same hall, another window group."""
    group = WindowGroup.objects.create(hall=hall, letter="B", name="不动产登记")
    window = Window.objects.create(hall=hall, group=group, number=9)
    user = make_user("clerk_b", Role.CLERK, real_name="吴窗口")
    StaffPost.objects.create(user=user, hall=hall, window=window)
    return user


@pytest.fixture
def decided_case(frozen, citizen, hall, matter, clerk):
    now = timezone.now()
    return Case.objects.create(
        number="TZ2026030200042",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.DECIDED,
        accepted_at=now - dt.timedelta(days=5),
        promised_date=timezone.localdate(),
        decision="approved",
        decided_at=now,
    )


def make_ticket(
    hall, matter, *, citizen=None, number: int = 1, finished_at=None, status=TicketStatus.DONE, window=None
) -> Ticket:
    finished_at = finished_at or timezone.now()
    return Ticket.objects.create(
        hall=hall,
        group=hall.groups.get(letter="A"),
        service_date=timezone.localdate(finished_at),
        number=number,
        matter=matter,
        citizen=citizen,
        display_name="王*" if citizen else "",
        status=status,
        prefix="A",
        checked_in_at=finished_at - dt.timedelta(minutes=20),
        called_at=finished_at - dt.timedelta(minutes=12),
        started_at=finished_at - dt.timedelta(minutes=10),
        finished_at=finished_at if status == TicketStatus.DONE else None,
        window=window or hall.windows.get(number=1),
    )


@pytest.fixture
def served_ticket(frozen, hall, matter, citizen, clerk):
    return make_ticket(hall, matter, citizen=citizen, finished_at=timezone.now() - dt.timedelta(minutes=2))
