"""Quiet hours (21:00–08:00 local, a setting): non-urgent SMS held to the morning, urgent ones at once."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from apps.front.notifications.models import Channel, DeliveryStatus
from apps.front.notifications.services import notification_deliver, notifications_send_due, notify
from apps.front.notifications.services.schedule import quiet_hours_end

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def quiet(settings):
    settings.NOTIFY_QUIET_HOURS = "21:00-08:00"
    settings.NOTIFY_QUIET_CHANNELS = ["sms"]


@pytest.mark.parametrize(
    "moment, end",
    [
        (at(2, 20, 59), None),
        (at(2, 21, 0), at(3, 8)),
        (at(2, 23, 30), at(3, 8)),
        (at(3, 0, 0), at(3, 8)),
        (at(3, 7, 59), at(3, 8)),
        (at(3, 8, 0), None),
        (at(3, 12, 0), None),
    ],
)
def test_it_knows_when_the_quiet_hours_end(settings, moment, end):
    assert quiet_hours_end(moment) == end


def test_it_handles_quiet_hours_that_do_not_wrap_midnight(settings):
    settings.NOTIFY_QUIET_HOURS = "12:00-14:00"
    assert quiet_hours_end(at(2, 12, 30)) == at(2, 14)
    assert quiet_hours_end(at(2, 23, 0)) is None
    settings.NOTIFY_QUIET_HOURS = ""
    assert quiet_hours_end(at(2, 23, 0)) is None


@pytest.mark.django_db
class TestQuietHours:
    def test_it_holds_a_non_urgent_sms_until_eight_and_sends_it_then(self, citizen, case, settings):
        sms_file = settings.SMS_FILE_PATH
        with time_machine.travel(at(2, 22, 15), tick=False):
            with transaction.atomic():
                rows = {n.channel: n for n in notify(recipient=citizen, event="case.accepted", case=case)}
            sms = rows[Channel.SMS]
            assert sms.next_attempt_at == at(3, 8)
            # The inbox has it at once, and e-mail is not held (it disturbs no one).
            assert rows[Channel.INBOX].status == DeliveryStatus.DELIVERED
            assert rows[Channel.EMAIL].next_attempt_at == timezone.now()
            # A stray task or the periodic sender during the night sends nothing.
            assert notification_deliver(notification_id=sms.id) == DeliveryStatus.CREATED
        with time_machine.travel(at(3, 7, 59), tick=False):
            notifications_send_due()
            sms.refresh_from_db()
            assert sms.status == DeliveryStatus.CREATED and sms.attempts == 0
        with time_machine.travel(
            at(
                3,
                8,
                0,
            ),
            tick=False,
        ):
            notifications_send_due()
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED and sms.attempts == 1
        assert case.number in Path(sms_file).read_text(encoding="utf-8")

    def test_it_sends_an_urgent_message_at_once_in_the_night(self, citizen):
        context = {
            "reason": "停电",
            "hall": "副中心大厅",
            "time": "12月3日 09:00",
            "matter": "换领身份证",
            "code": "Q7",
            "slots": "12月4日 09:00",
        }
        with time_machine.travel(at(2, 23, 0), tick=False):
            with transaction.atomic():
                sms = next(
                    n
                    for n in notify(recipient=citizen, event="booking.cancelled_by_hall", context=context)
                    if n.channel == Channel.SMS
                )
            assert sms.urgent and sms.next_attempt_at == timezone.now()
            assert notification_deliver(notification_id=sms.id) == DeliveryStatus.DELIVERED

    def test_a_caller_may_mark_any_event_urgent(self, citizen, case):
        with time_machine.travel(at(2, 23, 0), tick=False):
            with transaction.atomic():
                sms = next(
                    n
                    for n in notify(recipient=citizen, event="case.accepted", case=case, urgent=True)
                    if n.channel == Channel.SMS
                )
            assert notification_deliver(notification_id=sms.id) == DeliveryStatus.DELIVERED

    def test_a_retry_falling_in_the_quiet_hours_waits_for_the_morning(self, citizen, case, settings):
        settings.SMS_FILE_PATH = "/proc/forbidden/sms.jsonl"
        with time_machine.travel(
            at(
                2,
                20,
                59,
            ),
            tick=False,
        ):
            with transaction.atomic():
                sms = next(
                    n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS
                )
            assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        sms.refresh_from_db()
        assert sms.next_attempt_at == at(3, 8)


@pytest.mark.django_db
def test_the_citizen_sees_that_a_message_is_held_for_the_morning(client, citizen, case):
    with time_machine.travel(at(2, 22, 15), tick=False):
        with transaction.atomic():
            notify(recipient=citizen, event="case.accepted", case=case)
        client.force_login(citizen)
        html = client.get("/me/notifications/").content.decode()
    assert "夜间免打扰，将于12月3日 08:00发送" in html


def test_every_urgent_event_has_a_text():
    from apps.front.notifications.messages import MESSAGES
    from apps.front.notifications.services import URGENT_EVENTS

    assert URGENT_EVENTS - set(MESSAGES) == set()
