"""Walk-in tickets only while the hall is open: working days (调休 Saturdays too, holidays not), from half an
hour before the first session to the end of the last (the lunch break included), never during a closure."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.booking.models import HallClosure, OpeningSession, WindowGroup
from apps.front.floor.models import Ticket
from apps.front.floor.services import ticket_walk_in
from govservice.api import DomainError
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _opening_hours_on(settings):
    settings.HALL_WALK_IN_OPENING_HOURS_ONLY = True


def at(day: dt.date, hour: int, minute: int = 0):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))), tick=False)


def walk_in(terminal, matter) -> str:
    """The outcome: "ok" or the refusal's code."""
    try:
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    except DomainError as refused:
        assert str(refused.detail)[0] >= "\u4e00"  # Chinese first
        return refused.error_code
    return "ok"


@pytest.mark.parametrize(
    "day, hour, minute, outcome",
    [
        (MONDAY, 8, 29, "outside_hours"),  # the default sessions: 9:00–12:00, 13:30–17:00
        (MONDAY, 8, 30, "ok"),  # half an hour before opening
        (MONDAY, 12, 30, "ok"),  # the lunch break: the queue waits for the afternoon
        (MONDAY, 16, 59, "ok"),
        (MONDAY, 17, 0, "outside_hours"),
        (dt.date(2026, 11, 29), 10, 0, "hall_closed"),  # a Sunday
        (dt.date(2026, 10, 1), 10, 0, "hall_closed"),  # National Day
        (dt.date(2026, 10, 10), 10, 0, "ok"),  # a 调休 Saturday is a working day
    ],
)
def test_tickets_are_issued_while_the_hall_is_open(terminal, matter, day, hour, minute, outcome):
    with at(day, hour, minute):
        assert walk_in(terminal, matter) == outcome
    assert Ticket.objects.count() == (1 if outcome == "ok" else 0)


def test_the_hall_s_own_sessions_and_the_kiosk_page_say_when(client, terminal, hall, matter):
    OpeningSession.objects.create(hall=hall, weekday=0, start=dt.time(8, 30), end=dt.time(12, 0))
    OpeningSession.objects.create(hall=hall, weekday=0, start=dt.time(14, 0), end=dt.time(18, 0))
    with at(MONDAY, 7, 59):
        assert walk_in(terminal, matter) == "outside_hours"
    with at(MONDAY, 17, 59):
        assert walk_in(terminal, matter) == "ok"
    with at(MONDAY, 18, 0):
        client.post("/terminal/", {"token": TERMINAL_TOKEN})
        page = client.post("/terminal/walk-in/", {"matter": matter.code, "green_channel": ""})
    assert page.status_code == 409 and "今日取号时间为08:00至18:00" in page.content.decode()


def test_no_tickets_while_the_hall_or_the_group_is_closed(terminal, hall, matter):
    HallClosure.objects.create(hall=hall, date=MONDAY, start=dt.time(10, 0), end=dt.time(11, 0), reason="系统升级")
    other = WindowGroup.objects.create(hall=hall, letter="B", name="不动产登记")
    HallClosure.objects.create(
        hall=hall, group=other, date=MONDAY, start=dt.time(14, 0), end=dt.time(15, 0), reason="培训"
    )
    with at(MONDAY, 10, 30):
        assert walk_in(terminal, matter) == "hall_closed"
    with at(MONDAY, 11, 0):
        assert walk_in(terminal, matter) == "ok"
    with at(MONDAY, 14, 30):  # another group's closure does not stop this group's tickets
        assert walk_in(terminal, matter) == "ok"


def test_it_can_be_switched_off(settings, terminal, matter):
    settings.HALL_WALK_IN_OPENING_HOURS_ONLY = False
    with at(dt.date(2026, 11, 29), 23, 0):
        assert walk_in(terminal, matter) == "ok"


@pytest.mark.unpublished_calendar
def test_an_unpublished_year_does_not_turn_citizens_away_on_weekdays(terminal, matter):
    with at(dt.date(2027, 3, 3), 10):  # a Wednesday of a year nobody has published
        assert walk_in(terminal, matter) == "ok"
    with at(dt.date(2027, 3, 6), 10):  # a Saturday
        assert walk_in(terminal, matter) == "hall_closed"
