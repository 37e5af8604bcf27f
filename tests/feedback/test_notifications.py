import json
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.feedback.models import DeliveryStatus
from apps.feedback.services import notification_deliver, notifications_send_due, notify
from apps.intake.models import Case, CaseStatus


@pytest.fixture
def case(citizen, hall, matter, clerk):
    return Case.objects.create(
        number="TZ2026112400077", query_password_hash="x", citizen=citizen, matter=matter, hall=hall, clerk=clerk,
        status=CaseStatus.ACCEPTED, accepted_at=timezone.now(), promised_date=timezone.localdate(),
    )


@pytest.mark.django_db
class TestNotifications:
    def test_it_sends_one_message_per_channel_without_personal_data(self, settings, citizen, case):
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.accepted", case=case)
        assert {n.channel for n in rows} == {"inbox", "sms", "email"}
        for n in rows:
            assert notification_deliver(notification_id=n.id) == DeliveryStatus.DELIVERED
        sms = [json.loads(line) for line in Path(settings.SMS_FILE_PATH).read_text(encoding="utf-8").splitlines()]
        assert len(sms) == 1 and sms[0]["to"] == citizen.phone
        assert case.number in sms[0]["text"] and "王**" in sms[0]["text"]
        assert citizen.id_number not in sms[0]["text"] and citizen.phone not in sms[0]["reference"]
        assert len(mail.outbox) == 1 and case.number in mail.outbox[0].body
        # Delivering again changes nothing: each message goes out once.
        assert notification_deliver(notification_id=rows[1].id) == DeliveryStatus.DELIVERED
        assert len(Path(settings.SMS_FILE_PATH).read_text(encoding="utf-8").splitlines()) == 1

    def test_it_retries_a_technical_failure_later(self, settings, citizen, case):
        settings.SMS_FILE_PATH = "/proc/forbidden/sms.jsonl"
        with transaction.atomic():
            sms = next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == "sms")
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        settings.SMS_FILE_PATH = str(settings.MEDIA_ROOT.parent / "sms-ok.jsonl")
        notifications_send_due()
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED and sms.attempts == 2


@pytest.mark.django_db
def test_it_keeps_an_audit_row_for_every_status_change_even_bulk_updates(case):
    Case.objects.filter(id=case.id).update(status=CaseStatus.IN_REVIEW)
    statuses = list(case.audit_trail.order_by("pgh_id").values_list("status", flat=True))
    assert statuses == [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW]
