"""The booking path's statements written once (apps/front/booking/fastpath.py): the facts' read PREPAREd once
per database connection, and the plain online booking's insert, event row and conditional UPDATE (compiled
once per process from the ORM expression, take_online; insert) instead of compiled by the ORM on every
booking. The UPDATE must take a place exactly when the ORM's condition (online_free_q, bookable from
tomorrow, the notice) says one is free, in every state a slot can be in."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection, transaction
from django.db.models import ExpressionWrapper, Value
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.front.booking import fastpath
from apps.front.booking.models import Appointment, AppointmentEvent, Slot
from apps.front.booking.selectors import online_free_q
from tests.personas_front import make_slot

HOUR = dt.timedelta(hours=1)
_HOURS = itertools.cycle(range(8, 17))  # slots of one group must not start at the same time

# name -> changes to a fresh slot of capacity 2 starting tomorrow at 09:00 (released an hour ago).
STATES: dict[str, dict] = {
    "free": {},
    "full": {"booked": 2},
    "one left": {"booked": 1},
    "closed": {"closed": True},
    "not released": {"release_at": "future"},
    "held for a waitlist offer": {"booked": 1, "waitlist_held": 1},
    "held back after a cancellation": {"booked": 1, "resale_held": 1, "resale_until": "future"},
    "hold expired": {"booked": 1, "resale_held": 1, "resale_until": "past"},
    "today": {"days_ahead": 0},
}


def _slot(hall, state: dict) -> Slot:
    changes = dict(state)
    slot = make_slot(hall, capacity=2, days_ahead=changes.pop("days_ahead", 1), hour=next(_HOURS))
    now = timezone.now()
    for field, value in changes.items():
        if value == "future":
            value = now + HOUR
        elif value == "past":
            value = now - HOUR
        setattr(slot, field, value)
    slot.save()
    return slot


def _orm_would_take(slot: Slot, notice: int) -> bool:
    base = Slot.objects.filter(id=slot.id, date__gt=timezone.localdate())
    if notice:
        start = ExpressionWrapper(Now() + Value(dt.timedelta(hours=notice)), output_field=Slot._meta.get_field("start"))
        base = base.filter(start__gte=start)
    return base.filter(online_free_q()).exists()


def _sql_takes(slot: Slot, notice: int) -> bool:
    """Runs the UPDATE and undoes it: the answer is whether it took a place (and only one)."""
    before = Slot.objects.get(id=slot.id).booked
    with transaction.atomic():
        taken = fastpath.take_online(slot_id=slot.id, today=timezone.localdate(), notice=notice)
        if taken:
            assert Slot.objects.get(id=slot.id).booked == before + 1
        transaction.set_rollback(True)
    return bool(taken)


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(STATES))
def test_the_written_out_update_takes_a_place_exactly_when_the_orm_condition_holds(hall, state):
    slot = _slot(hall, STATES[state])
    for notice in (0, 2, 72):
        assert _sql_takes(slot, notice) == _orm_would_take(slot, notice), (state, notice)


@pytest.mark.django_db
def test_the_cases_differ(hall):
    """The comparison above is not trivially true: free places are taken, the others are not."""
    assert _sql_takes(_slot(hall, STATES["free"]), 0)
    assert _sql_takes(_slot(hall, STATES["hold expired"]), 0)
    assert not _sql_takes(_slot(hall, STATES["held back after a cancellation"]), 0)
    assert not _sql_takes(_slot(hall, STATES["free"]), 72)


@pytest.mark.django_db
def test_a_booking_writes_the_rows_the_orm_wrote(api, citizen, slot, matter):
    """The appointment and its event, inserted by statements written once: every column as create() set it."""
    response = api(citizen).post(
        "/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201, response.json()
    appointment = Appointment.objects.get(citizen=citizen)
    assert (appointment.status, appointment.quota, appointment.strike, appointment.green_category) == (
        "booked",
        "online",
        "",
        "",
    )
    assert (appointment.idempotency_key, appointment.matter_code, appointment.slot_id) == ("k-1", matter.code, slot.id)
    assert appointment.hall_id == slot.hall_id and appointment.rescheduled_from_id is None
    assert abs(appointment.created_at - timezone.now()) < dt.timedelta(minutes=1)
    assert abs(appointment.updated_at - appointment.created_at) < dt.timedelta(seconds=1)
    assert response.json()["code"] == appointment.code
    event = AppointmentEvent.objects.get(appointment=appointment)
    assert (event.actor_id, event.from_status, event.to_status, event.note) == (citizen.id, "", "booked", "")
    assert Slot.objects.get(id=slot.id).booked == 1


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_the_facts_read_is_prepared_once_per_connection_and_recovers_from_a_failed_first_use(
    api, citizen, hall, matter
):
    full = make_slot(hall, capacity=1)
    Slot.objects.filter(id=full.id).update(booked=1)
    client = api(citizen)

    def refused() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/api/v1/appointments/", {"slot": full.id, "matter": matter.code}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "slot_full")
        return len(queries)

    assert refused() == 1  # first use on this connection or not: PREPARE and EXECUTE are one call
    assert "booking_facts_early" in _prepared_names()
    assert refused() == 1
    # A first use that failed leaves it unknown whether the statement exists: the next first use starts over.
    state = fastpath.prepared_in_session()
    state.names.clear()
    state.unsure = True
    assert refused() == 1
    assert (
        "booking_facts_early" in _prepared_names() and state.names == {"booking_facts_early"} and state.unsure is False
    )
    # Kept per connection: a new connection (CONN_MAX_AGE, a broken one replaced) is another object.
    assert fastpath._SESSIONS[connection.connection] is state
