"""Phone / on-site booking by hall staff on the reserved share of a slot (DOMAIN.md §3 quotas)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.front.booking.models import Appointment, BookingStanding, Quota, Slot
from apps.front.booking.services import appointment_book, appointment_cancel
from tests.factories import make_user
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_slot(hall, matter):
    """One online place and one reserved for phone / on-site booking."""
    slot = make_slot(hall, capacity=1)
    Slot.objects.filter(id=slot.id).update(reserved=1)
    return slot


def book_by_phone(api, clerk, citizen, slot, matter, **headers):
    return api(clerk).post(
        "/api/v1/workbench/appointments/",
        {"id_number": citizen.id_number, "slot": slot.id, "matter": matter.code},
        format="json",
        **headers,
    )


def test_staff_book_the_reserved_share_and_online_cannot(api, clerk, citizen, other_citizen, split_slot, matter):
    appointment_book(citizen=other_citizen, slot_id=split_slot.id, matter_code=matter.code)
    response = book_by_phone(api, clerk, citizen, split_slot, matter)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quota"] == "reserved" and body["citizen"] == "王**"
    assert citizen.id_number not in response.content.decode()
    slot = Slot.objects.get(id=split_slot.id)
    assert (slot.booked, slot.reserved_booked) == (1, 1)
    # The reserved share is taken: a third citizen, with no booking of the matter, is refused for that.
    third = make_user("citizen3", real_name="李三")
    again = book_by_phone(api, clerk, third, split_slot, matter)
    assert (again.status_code, again.json()["code"]) == (409, "slot_full") and "预留名额已满" in again.json()["detail"]
    # And one who already holds the matter online is told that.
    twice = book_by_phone(api, clerk, other_citizen, split_slot, matter)
    assert (twice.status_code, twice.json()["code"]) == (409, "duplicate")
    # Cancelling gives the reserved place back to the reserved share, with no resale hold.
    appointment_cancel(citizen=citizen, appointment_id=Appointment.objects.get(code=body["code"]).id)
    slot.refresh_from_db()
    assert (slot.booked, slot.reserved_booked, slot.resale_held) == (1, 0, 0)


def test_a_blocked_citizen_may_still_book_by_phone_but_the_limits_hold(api, clerk, citizen, split_slot, matter):
    BookingStanding.objects.create(citizen=citizen, blocked_until=timezone.now() + dt.timedelta(days=10))
    assert book_by_phone(api, clerk, citizen, split_slot, matter, HTTP_IDEMPOTENCY_KEY="p1").status_code == 201
    assert book_by_phone(api, clerk, citizen, split_slot, matter, HTTP_IDEMPOTENCY_KEY="p1").status_code == 201
    assert Appointment.objects.filter(citizen=citizen).count() == 1
    assert Appointment.objects.get(citizen=citizen).quota == Quota.RESERVED
    other = make_slot(split_slot.hall, hour=11, capacity=1)
    Slot.objects.filter(id=other.id).update(reserved=1)
    duplicate = book_by_phone(api, clerk, citizen, other, matter)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"


def test_only_staff_of_the_slots_hall(api, other_hall_clerk, citizen, split_slot, matter):
    response = book_by_phone(api, other_hall_clerk, citizen, split_slot, matter)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api(citizen).post("/api/v1/workbench/appointments/", {}, format="json").status_code == 403
    unknown = api(other_hall_clerk).post(
        "/api/v1/workbench/appointments/",
        {"id_number": "110105199001011237", "slot": split_slot.id, "matter": matter.code},
        format="json",
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "citizen_not_found"
    assert not Appointment.objects.exists()
