"""DOMAIN.md §3's defaults as a hall gets them when nobody has changed a setting: the horizon is the next working
day to +10 working days (调休 Saturday counted, the National Day holiday skipped), slots are 30 minutes, each
day's slots open at 08:30, and a citizen holds at most 3 active appointments; the check-in window's two ends;
a citizen blocked online may still walk in. The other §3 rules are proved in test_rules.py, test_booking.py, test_hall_config.py and tests/front/floor
(see the README's table)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from apps.front.booking.models import BookingStanding, Slot
from apps.front.booking.services import appointment_book, slots_generate
from apps.front.floor.services import ticket_walk_in
from tests.front.booking.test_rules import more_matters, refusal
from tests.personas_front import TERMINAL_TOKEN, make_slot

pytestmark = pytest.mark.django_db

# 2026: Oct 1–7 National Day holiday; Oct 10 (Saturday) is a 调休 working day.
BEFORE_HOLIDAY = dt.date(2026, 9, 30)
TEN_WORKING_DAYS = [
    dt.date(2026, 10, 8),
    dt.date(2026, 10, 9),
    dt.date(2026, 10, 10),
    dt.date(2026, 10, 12),
    dt.date(2026, 10, 13),
    dt.date(2026, 10, 14),
    dt.date(2026, 10, 15),
    dt.date(2026, 10, 16),
    dt.date(2026, 10, 19),
    dt.date(2026, 10, 20),
]


def test_the_default_horizon_is_the_next_working_day_to_ten_working_days_ahead(hall, matter):
    group = hall.groups.get()
    assert group.horizon_workdays in (None, 0)  # the hall-wide default applies
    slots_generate(today=BEFORE_HOLIDAY)
    days = sorted(set(Slot.objects.filter(group=group).values_list("date", flat=True)))
    # No same-day slot (Sep 30 itself), nothing in the holiday, the 调休 Saturday in, and ten days in all.
    assert days == TEN_WORKING_DAYS


def test_default_slots_are_thirty_minutes_and_open_at_half_past_eight(hall, matter):
    group = hall.groups.get()
    assert group.slot_minutes in (None, 0) and group.release_time is None
    slots_generate(today=BEFORE_HOLIDAY)
    slots = list(Slot.objects.filter(group=group, date=dt.date(2026, 10, 8)).order_by("start"))
    assert slots and all(s.end - s.start == dt.timedelta(minutes=30) for s in slots)
    assert all(b.start - a.start >= dt.timedelta(minutes=30) for a, b in itertools.pairwise(slots))
    releases = {timezone.localtime(s.release_at).time() for s in Slot.objects.filter(group=group)}
    assert releases == {dt.time(8, 30)}
    # Released before the day it serves, on a working day.
    assert all(timezone.localtime(s.release_at).date() < s.date for s in Slot.objects.filter(group=group))


# Check-in window (DOMAIN.md §3): from start − 30 min to start + 15 min, both ends included; later arrivals
# join the walk-in queue (tests/front/floor/test_walk_in.py::TestLateArrival).
@pytest.mark.parametrize(
    ("start_in", "answer"),
    [
        (dt.timedelta(minutes=30, seconds=1), "too_early"),
        (dt.timedelta(minutes=30), 201),
        (dt.timedelta(minutes=-15), 201),
        (dt.timedelta(minutes=-15, seconds=-1), "too_late"),
    ],
    ids=["30m01s-before", "30m-before", "15m-after", "15m01s-after"],
)
def test_the_check_in_window_is_start_minus_30_to_start_plus_15(api, citizen, slot, matter, terminal, start_in, answer):
    booked = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    assert booked.status_code == 201, booked.content
    now = timezone.now().replace(microsecond=0)
    Slot.objects.filter(id=slot.id).update(
        start=now + start_in, end=now + start_in + dt.timedelta(minutes=30), date=timezone.localdate(now)
    )
    with time_machine.travel(now, tick=False):
        response = api(None).post(
            "/api/v1/terminal/checkin/",
            {"code": booked.json()["code"]},
            format="json",
            HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
        )
    if answer == 201:
        assert response.status_code == 201, response.content
    else:
        assert response.json()["code"] == answer


def test_the_default_limit_is_three_active_appointments_in_all(hall, matter, citizen):
    codes = more_matters(hall, 3)
    for i, code in enumerate([matter.code, *codes[:2]]):
        appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=9 + i).id, matter_code=code)
    error = refusal(
        lambda: appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=13).id, matter_code=codes[2])
    )
    assert error.error_code == "limit_reached" and "最多同时持有3个" in str(error.detail)


def test_a_citizen_blocked_online_may_still_walk_in(hall, matter, citizen, terminal):
    """The penalty blocks online booking only: walk-in stays allowed (DOMAIN.md §3)."""
    BookingStanding.objects.create(citizen=citizen, blocked_until=timezone.now() + dt.timedelta(days=60))
    refused = refusal(lambda: appointment_book(citizen=citizen, slot_id=make_slot(hall).id, matter_code=matter.code))
    assert refused.error_code == "blocked"
    ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=citizen.id_number)
    assert ticket.citizen_id == citizen.id and ticket.status == "waiting"
