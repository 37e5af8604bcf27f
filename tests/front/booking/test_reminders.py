"""Appointment messages (DOMAIN.md §3): the confirmation, the reminder the day before and the one an hour
before, each sent exactly once by the periodic job however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.front.booking.models import Appointment
from apps.front.booking.services import appointment_book, appointment_cancel, appointment_messages_send
from apps.front.notifications.models import Notification
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


def sent(citizen, event: str) -> int:
    return Notification.objects.filter(recipient=citizen, event=event, channel="inbox").count()


def test_each_message_goes_once_at_its_time(hall, matter, citizen):
    slot = make_slot(hall, days_ahead=2, hour=9)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    # Booked more than a day ahead, so it also gets the day-before reminder.
    Appointment.objects.filter(id=appointment.id).update(created_at=slot.start - dt.timedelta(days=2))
    start = slot.start
    assert appointment_messages_send(now=timezone.now()) == {"confirmed": 1, "day_before": 0, "hour_before": 0}
    assert appointment_messages_send(now=timezone.now())["confirmed"] == 0
    confirmation = Notification.objects.get(recipient=citizen, event="booking.confirmed", channel="sms")
    assert appointment.code in confirmation.body and hall.name in confirmation.body

    assert appointment_messages_send(now=start - dt.timedelta(hours=24, seconds=1))["day_before"] == 0
    assert appointment_messages_send(now=start - dt.timedelta(hours=24))["day_before"] == 1
    assert appointment_messages_send(now=start - dt.timedelta(hours=20))["day_before"] == 0
    assert appointment_messages_send(now=start - dt.timedelta(hours=1, seconds=1))["hour_before"] == 0
    assert appointment_messages_send(now=start - dt.timedelta(hours=1)) == {
        "confirmed": 0,
        "day_before": 0,
        "hour_before": 1,
    }
    assert appointment_messages_send(now=start - dt.timedelta(minutes=30))["hour_before"] == 0
    assert (sent(citizen, "booking.reminder"), sent(citizen, "booking.reminder_hour")) == (1, 1)
    reminder = Notification.objects.get(recipient=citizen, event="booking.reminder", channel="inbox")
    assert f"{timezone.localtime(start):%Y年%m月%d日 %H:%M}" in reminder.body and "13800001111" not in reminder.body


def test_a_booking_made_within_the_last_day_gets_no_day_before_reminder(hall, matter, citizen):
    slot = make_slot(hall, days_ahead=1, hour=9)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    Appointment.objects.filter(id=appointment.id).update(created_at=slot.start - dt.timedelta(hours=20))
    result = appointment_messages_send(now=slot.start - dt.timedelta(hours=12))
    assert result == {"confirmed": 1, "day_before": 0, "hour_before": 0}


def test_a_cancelled_appointment_is_not_reminded(hall, matter, citizen):
    slot = make_slot(hall, days_ahead=2, hour=9)
    appointment = appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    appointment_cancel(citizen=citizen, appointment_id=appointment.id)
    assert appointment_messages_send(now=slot.start - dt.timedelta(minutes=59)) == {
        "confirmed": 0,
        "day_before": 0,
        "hour_before": 0,
    }
