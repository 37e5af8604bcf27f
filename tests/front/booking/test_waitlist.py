"""Waitlist for full days (DOMAIN.md §3): a freed place is offered to the first waiting citizen with a short
hold, nobody else can take it meanwhile, an unanswered offer passes to the next, and accepting books it
through the normal booking service."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import Appointment, AppointmentStatus, Slot, WaitlistEntry, WaitlistStatus
from apps.front.booking.services import (
    appointment_book,
    appointment_cancel,
    waitlist_accept,
    waitlist_join,
    waitlist_leave,
    waitlist_sweep,
)
from apps.front.notifications.models import Notification
from govservice.api import DomainError
from tests.factories import make_user
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


def code_of(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    assert str(caught.value.detail)[0] >= "\u4e00"  # Chinese first
    return caught.value.error_code


@pytest.fixture
def full_day(hall, matter, citizen):
    """The day after tomorrow has one slot with one place, and the citizen holds it (two days ahead, so that
    an offer's hold never reaches the day itself, whatever the hour the tests run at)."""
    slot = make_slot(hall, days_ahead=2, hour=9, capacity=1)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    return slot, appointment


class TestJoining:
    def test_only_a_full_day_can_be_waited_for(self, hall, matter, other_citizen):
        slot = make_slot(hall, days_ahead=2, hour=9, capacity=1)
        assert (
            code_of(
                lambda: waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
            )
            == "not_full"
        )
        assert (
            code_of(
                lambda: waitlist_join(
                    citizen=other_citizen,
                    matter_code=matter.code,
                    hall_id=hall.id,
                    date=slot.date + dt.timedelta(days=5),
                )
            )
            == "not_bookable_day"
        )

    def test_join_once_and_not_with_an_appointment_for_the_matter(self, full_day, hall, matter, citizen, other_citizen):
        slot, _ = full_day
        entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        assert entry.status == WaitlistStatus.WAITING
        assert (
            code_of(
                lambda: waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
            )
            == "duplicate"
        )
        assert (
            code_of(lambda: waitlist_join(citizen=citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date))
            == "duplicate"
        )

    def test_over_the_api(self, api, full_day, hall, matter, other_citizen):
        slot, _ = full_day
        response = api(other_citizen).post(
            "/api/v1/waitlist/", {"matter": matter.code, "hall": hall.id, "date": slot.date.isoformat()}, format="json"
        )
        assert response.status_code == 201, response.content
        assert api(other_citizen).get("/api/v1/waitlist/").json()[0]["status"] == "waiting"
        again = api(other_citizen).post(
            "/api/v1/waitlist/", {"matter": matter.code, "hall": hall.id, "date": slot.date.isoformat()}, format="json"
        )
        assert again.status_code == 409 and again.json()["code"] == "duplicate"
        assert api(None).get("/api/v1/waitlist/").status_code in (401, 403)


class TestHandOver:
    def test_a_freed_place_goes_to_the_first_in_line_and_then_to_the_next(
        self, full_day, hall, matter, citizen, other_citizen
    ):
        slot, appointment = full_day
        second, third = make_user("waiter2"), make_user("waiter3")
        first_entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        second_entry = waitlist_join(citizen=second, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        assert waitlist_sweep() == {"expired": 0, "unfilled": 0, "offered": 0}  # nothing free yet

        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        now = timezone.now()
        assert waitlist_sweep(now=now) == {"expired": 0, "unfilled": 0, "offered": 1}
        first_entry.refresh_from_db()
        assert first_entry.status == WaitlistStatus.OFFERED and first_entry.offered_slot_id == slot.id
        assert first_entry.offer_expires_at == now + dt.timedelta(minutes=30)
        held = Slot.objects.get(id=slot.id)
        # The offer took the place from the resale hold: held for the waiting citizen, for nobody else.
        assert (held.booked, held.waitlist_held, held.resale_held) == (0, 1, 0)
        offer = Notification.objects.get(recipient=other_citizen, event="waitlist.offer", channel="inbox")
        assert (
            "社会保障卡申领" in offer.body and f"{timezone.localtime(first_entry.offer_expires_at):%H:%M}" in offer.body
        )
        assert code_of(lambda: appointment_book(citizen=third, slot_id=slot.id, matter_code=matter.code)) == "slot_full"
        assert WaitlistEntry.objects.get(id=second_entry.id).status == WaitlistStatus.WAITING

        # Nobody answered: at the expiry the offer passes to the next in line.
        assert waitlist_sweep(now=first_entry.offer_expires_at - dt.timedelta(seconds=1)) == {
            "expired": 0,
            "unfilled": 0,
            "offered": 0,
        }
        assert waitlist_sweep(now=first_entry.offer_expires_at) == {"expired": 1, "unfilled": 0, "offered": 1}
        assert WaitlistEntry.objects.get(id=first_entry.id).status == WaitlistStatus.EXPIRED
        second_entry.refresh_from_db()
        assert second_entry.status == WaitlistStatus.OFFERED and Slot.objects.get(id=slot.id).waitlist_held == 1

        # The second accepts: a normal booking, the hold becomes the place.
        booked = waitlist_accept(citizen=second, entry_id=second_entry.id)
        assert booked.status == AppointmentStatus.BOOKED and booked.slot_id == slot.id
        done = Slot.objects.get(id=slot.id)
        assert (done.booked, done.waitlist_held) == (1, 0)
        assert WaitlistEntry.objects.get(id=second_entry.id).status == WaitlistStatus.ACCEPTED
        # The first one's offer is gone.
        assert code_of(lambda: waitlist_accept(citizen=other_citizen, entry_id=first_entry.id)) == "offer_expired"

    def test_an_offer_accepted_after_its_hold_is_refused(self, full_day, hall, matter, citizen, other_citizen):
        slot, appointment = full_day
        entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        waitlist_sweep()
        WaitlistEntry.objects.filter(id=entry.id).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))
        assert code_of(lambda: waitlist_accept(citizen=other_citizen, entry_id=entry.id)) == "offer_expired"
        assert not Appointment.objects.filter(citizen=other_citizen).exists()
        assert Slot.objects.get(id=slot.id).waitlist_held == 1  # until the sweep expires it

    def test_declining_passes_the_place_on_and_accepting_keeps_every_rule(
        self, full_day, hall, matter, citizen, other_citizen
    ):
        slot, appointment = full_day
        second = make_user("waiter2")
        first_entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        second_entry = waitlist_join(citizen=second, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        waitlist_sweep()
        waitlist_leave(citizen=other_citizen, entry_id=first_entry.id)
        assert Slot.objects.get(id=slot.id).waitlist_held == 0
        waitlist_sweep()
        second_entry.refresh_from_db()
        assert second_entry.status == WaitlistStatus.OFFERED
        # The second meanwhile booked the matter elsewhere: accepting is refused by the normal rules, and
        # nothing changes (the offer stays until it expires).
        other_slot = make_slot(hall, days_ahead=3, hour=9, capacity=1)
        appointment_book(citizen=second, slot_id=other_slot.id, matter_code=matter.code)
        assert code_of(lambda: waitlist_accept(citizen=second, entry_id=second_entry.id)) == "duplicate"
        assert WaitlistEntry.objects.get(id=second_entry.id).status == WaitlistStatus.OFFERED
        assert Slot.objects.get(id=slot.id).waitlist_held == 1

    def test_another_citizen_cannot_accept_or_see_an_offer(self, api, full_day, hall, matter, citizen, other_citizen):
        slot, appointment = full_day
        entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        waitlist_sweep()
        response = api(citizen).post(f"/api/v1/waitlist/{entry.id}/accept/")
        assert response.status_code == 404
        assert api(other_citizen).post(f"/api/v1/waitlist/{entry.id}/accept/").status_code == 201


class TestPages:
    def test_a_full_day_offers_the_waitlist_and_the_offer_is_accepted_on_the_page(
        self, full_day, hall, matter, citizen, other_citizen
    ):
        slot, appointment = full_day
        page = Client()
        page.force_login(other_citizen)
        html = page.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
        assert "已约满的日期：可登记候补" in html
        response = page.post("/waitlist/", {"matter": matter.code, "hall": hall.id, "date": slot.date.isoformat()})
        assert response.status_code == 302
        entry = WaitlistEntry.objects.get(citizen=other_citizen)
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        waitlist_sweep()
        html = page.get("/waitlist/").content.decode()
        assert "已为您保留名额" in html
        response = page.post(f"/waitlist/{entry.id}/accept/", {"idempotency_key": f"waitlist-{entry.id}"})
        new = Appointment.objects.get(citizen=other_citizen)
        assert response.status_code == 302 and response["Location"] == f"/appointments/{new.code}/"


def test_a_retried_accept_returns_the_first_appointment(api, full_day, hall, matter, citizen, other_citizen):
    slot, appointment = full_day
    entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
    appointment_cancel(citizen=citizen, appointment_id=appointment.id)
    waitlist_sweep()
    client = api(other_citizen)
    first = client.post(f"/api/v1/waitlist/{entry.id}/accept/", HTTP_IDEMPOTENCY_KEY="accept-1")
    again = client.post(f"/api/v1/waitlist/{entry.id}/accept/", HTTP_IDEMPOTENCY_KEY="accept-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"]
    assert Slot.objects.get(id=slot.id).booked == 1
    # Without the key, a second accept is told the offer is over.
    late = client.post(f"/api/v1/waitlist/{entry.id}/accept/")
    assert late.status_code == 409 and late.json()["code"] == "offer_expired"


def test_an_offer_made_in_the_quiet_hours_is_held_until_they_end_plus_the_hold(
    settings, full_day, hall, matter, citizen, other_citizen
):
    settings.NOTIFY_QUIET_HOURS = "21:00-08:00"
    settings.NOTIFY_QUIET_CHANNELS = ["sms"]
    slot, appointment = full_day
    entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
    appointment_cancel(citizen=citizen, appointment_id=appointment.id)
    tz = timezone.get_current_timezone()
    night = dt.datetime.combine(timezone.localdate(), dt.time(23, 0), tzinfo=tz)
    waitlist_sweep(now=night)
    entry.refresh_from_db()
    morning = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(8, 30), tzinfo=tz)
    assert entry.status == WaitlistStatus.OFFERED and entry.offer_expires_at == morning


class TestTheDayItself:
    """No same-day booking: an offer must be answerable before its day begins, and whoever still waits
    when the day comes is told the waiting has ended."""

    @pytest.fixture
    def tomorrow_full(self, hall, matter, citizen, other_citizen):
        slot = make_slot(hall, hour=9, capacity=1)
        appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        with time_machine.travel(
            self.at(timezone.localdate(), 12), tick=False
        ):  # joined at noon, whatever the hour now
            entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
        appointment_cancel(citizen=citizen, appointment_id=appointment.id)
        return slot, entry

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())

    def test_no_offer_whose_hold_would_run_into_the_day(self, tomorrow_full):
        slot, entry = tomorrow_full
        today = slot.date - dt.timedelta(days=1)
        # 23:45 + a 30-minute hold ends at 00:15 on the day itself: nobody could accept it.
        assert waitlist_sweep(now=self.at(today, 23, 45)) == {"expired": 0, "unfilled": 0, "offered": 0}
        assert WaitlistEntry.objects.get(id=entry.id).status == WaitlistStatus.WAITING
        assert Slot.objects.get(id=slot.id).waitlist_held == 0
        # 23:30 + 30 minutes ends exactly at midnight: still answerable.
        assert waitlist_sweep(now=self.at(today, 23, 30)) == {"expired": 0, "unfilled": 0, "offered": 1}
        assert WaitlistEntry.objects.get(id=entry.id).offer_expires_at == self.at(slot.date, 0)

    def test_in_the_quiet_hours_the_evening_before_no_offer_is_made(self, settings, tomorrow_full):
        settings.NOTIFY_QUIET_HOURS = "21:00-08:00"
        slot, entry = tomorrow_full
        # The SMS could only go at 08:00 on the day itself: the hold would end at 08:30, too late to book.
        assert waitlist_sweep(now=self.at(slot.date - dt.timedelta(days=1), 22, 0))["offered"] == 0
        assert WaitlistEntry.objects.get(id=entry.id).status == WaitlistStatus.WAITING

    def test_when_the_day_comes_the_waiting_ends_and_the_citizen_is_told_once(self, tomorrow_full, other_citizen):
        slot, entry = tomorrow_full
        assert waitlist_sweep(now=self.at(slot.date, 0, 1)) == {"expired": 0, "unfilled": 1, "offered": 0}
        assert WaitlistEntry.objects.get(id=entry.id).status == WaitlistStatus.UNFILLED
        told = Notification.objects.get(recipient=other_citizen, event="waitlist.unfilled", channel="inbox")
        assert "社会保障卡申领" in told.body and f"{slot.date:%Y年%m月%d日}" in told.body
        assert waitlist_sweep(now=self.at(slot.date, 0, 2))["unfilled"] == 0
        assert (
            Notification.objects.filter(recipient=other_citizen, event="waitlist.unfilled", channel="inbox").count()
            == 1
        )
        # It has left the citizen's list of waiting entries.
        client = Client()
        client.force_login(other_citizen)
        listing = client.get("/waitlist/")
        assert listing.status_code == 200 and "候补" in listing.content.decode()
        assert f"waitlist-{entry.id}" not in listing.content.decode()


def test_no_offer_the_minimum_notice_would_make_unacceptable(full_day, hall, matter, citizen, other_citizen):
    """With a 24-hour notice at the window group, a place is offered only while it can still be booked when
    the hold ends; accepting would otherwise be refused and the place wasted for everyone."""
    from apps.front.booking.models import WindowGroup

    slot, appointment = full_day
    WindowGroup.objects.filter(id=slot.group_id).update(min_notice_hours=24)
    entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
    appointment_cancel(citizen=citizen, appointment_id=appointment.id)
    hold = dt.timedelta(minutes=30)
    too_late = slot.start - dt.timedelta(hours=24) - hold + dt.timedelta(seconds=1)
    assert waitlist_sweep(now=too_late)["offered"] == 0
    assert WaitlistEntry.objects.get(id=entry.id).status == WaitlistStatus.WAITING
    just_in_time = slot.start - dt.timedelta(hours=24) - hold
    assert waitlist_sweep(now=just_in_time)["offered"] == 1


def test_joining_is_refused_once_no_offer_could_be_answered_in_time(full_day, hall, matter, other_citizen):
    slot, _ = full_day
    day_before = slot.date - dt.timedelta(days=1)
    late = dt.datetime.combine(day_before, dt.time(23, 45), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(late, tick=False):
        assert (
            code_of(
                lambda: waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
            )
            == "waitlist_closed"
        )
    assert not WaitlistEntry.objects.filter(citizen=other_citizen).exists()


def test_a_waiting_citizen_leaves_the_list(api, full_day, hall, matter, other_citizen):
    """Every edge of the waitlist's lifecycle made by a test (issue 13): leaving while still waiting."""
    slot, _appointment = full_day
    entry = waitlist_join(citizen=other_citizen, matter_code=matter.code, hall_id=hall.id, date=slot.date)
    assert api(other_citizen).post(f"/api/v1/waitlist/{entry.id}/leave/").status_code == 200
    assert WaitlistEntry.objects.get(id=entry.id).status == WaitlistStatus.CANCELLED
