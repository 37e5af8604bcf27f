import json
from pathlib import Path

import pytest
from django.db import transaction

from apps.front.intake.models import Case, CaseStatus
from apps.front.notifications.models import DeliveryAttempt, DeliveryStatus, Notification
from apps.front.notifications.services import notification_deliver, notifications_send_due, notify, preference_update


@pytest.mark.django_db
class TestNotifications:
    def test_it_sends_one_message_per_channel_without_personal_data(self, settings, citizen, case, mailoutbox):
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.accepted", case=case)
        assert {n.channel for n in rows} == {"inbox", "sms", "email"}
        for n in rows:
            assert notification_deliver(notification_id=n.id) == DeliveryStatus.DELIVERED
        sms = [json.loads(line) for line in Path(settings.SMS_FILE_PATH).read_text(encoding="utf-8").splitlines()]
        assert len(sms) == 1 and sms[0]["to"] == citizen.phone
        assert case.number in sms[0]["text"] and "王**" in sms[0]["text"]
        assert citizen.id_number not in sms[0]["text"] and citizen.phone not in sms[0]["reference"]
        assert len(mailoutbox) == 1 and case.number in mailoutbox[0].body
        # Delivering again changes nothing: each message goes out once.
        sms_row = next(n for n in rows if n.channel == "sms")
        assert notification_deliver(notification_id=sms_row.id) == DeliveryStatus.DELIVERED
        assert len(Path(settings.SMS_FILE_PATH).read_text(encoding="utf-8").splitlines()) == 1
        assert DeliveryAttempt.objects.filter(notification=sms_row).count() == 1

    def test_it_puts_the_inbox_message_there_at_once_with_one_log_row(self, citizen, case):
        with transaction.atomic():
            inbox = next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == "inbox")
        inbox.refresh_from_db()
        assert inbox.status == DeliveryStatus.DELIVERED and inbox.next_attempt_at is None and inbox.delivered_at
        assert list(inbox.delivery_attempts.values_list("number", "status")) == [(1, DeliveryStatus.DELIVERED)]

    def test_it_retries_a_technical_failure_later(self, settings, citizen, case):
        settings.SMS_FILE_PATH = "/proc/forbidden/sms.jsonl"
        preference_update(user=citizen, sms=True, email=False, language="zh-hans")
        with transaction.atomic():
            sms = next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == "sms")
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        sms.refresh_from_db()
        assert sms.next_attempt_at is not None and sms.last_error
        # Not due yet: the periodic sender leaves it alone.
        assert notifications_send_due() == 0
        Notification.objects.filter(id=sms.id).update(next_attempt_at=sms.created_at)
        settings.SMS_FILE_PATH = str(settings.MEDIA_ROOT.parent / "sms-ok.jsonl")
        assert notifications_send_due() == 1
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED and sms.attempts == 2
        assert list(sms.delivery_attempts.values_list("number", "status")) == [
            (1, DeliveryStatus.TECHNICAL_FAILURE),
            (2, DeliveryStatus.DELIVERED),
        ]

    def test_it_takes_back_a_message_whose_worker_died_mid_send(self, citizen, case):
        with transaction.atomic():
            sms = next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == "sms")
        # A worker claimed it and died before writing down the outcome; its lease has run out.
        Notification.objects.filter(id=sms.id).update(
            status=DeliveryStatus.SENDING, attempts=1, next_attempt_at=sms.created_at
        )
        DeliveryAttempt.objects.create(notification=sms, number=1)
        notifications_send_due()
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.TECHNICAL_FAILURE and sms.last_error == "lease expired"
        assert sms.next_attempt_at is not None and sms.attempts == 1


@pytest.mark.django_db
def test_it_keeps_an_audit_row_for_every_status_change_even_bulk_updates(case):
    Case.objects.filter(id=case.id).update(status=CaseStatus.IN_REVIEW)
    statuses = list(case.audit_trail.order_by("pgh_id").values_list("status", flat=True))
    assert statuses == [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW]


@pytest.mark.django_db
def test_it_refuses_an_event_without_a_text(citizen):
    with pytest.raises(KeyError, match=r"no\.such\.event"):
        notify(recipient=citizen, event="no.such.event")
