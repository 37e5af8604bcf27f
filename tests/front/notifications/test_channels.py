"""Each channel against a real local provider that fails, then succeeds: retries with backoff, one
delivery log row per attempt, a final state after the last attempt, never a second delivery."""

import datetime as dt
import email
import json
from email import policy
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from apps.front.notifications.conf import notifications_conf
from apps.front.notifications.models import Channel, DeliveryStatus, Notification
from apps.front.notifications.services import notification_deliver, notifications_send_due, notify, preference_update

from .conftest import signed_callback


def _sms(citizen, case) -> Notification:
    # SMS only (and the inbox): the periodic sender's counts below are about this one message.
    preference_update(user=citizen, sms=True, email=False, language="zh-hans")
    with transaction.atomic():
        return next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS)


def _attempts(notification: Notification) -> list[tuple[int, str, str, str]]:
    return list(
        notification.delivery_attempts.order_by("number").values_list("number", "status", "provider_reference", "error")
    )


def _later(notification: Notification) -> dt.datetime:
    """A moment after the message's next attempt is due."""
    notification.refresh_from_db()
    return notification.next_attempt_at + dt.timedelta(seconds=1)


@pytest.mark.django_db
class TestHttpSmsGateway:
    def test_it_retries_after_a_gateway_error_then_the_receipt_says_delivered(
        self, citizen, case, gateway, client, settings
    ):
        gateway.script((503, {"code": "busy"}), (202, {"id": "gw-42"}))
        sms = _sms(citizen, case)
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        sms.refresh_from_db()
        assert sms.last_error == "HTTP 503 busy" and sms.next_attempt_at > timezone.now()
        # Backoff: at least the base delay, at most the first ceiling.
        delay = (sms.next_attempt_at - timezone.now()).total_seconds()
        assert (
            notifications_conf.NOTIFY_BACKOFF_BASE_SECONDS - 5
            <= delay
            <= notifications_conf.NOTIFY_BACKOFF_BASE_SECONDS + 1
        )
        with time_machine.travel(_later(sms), tick=False):
            assert notifications_send_due() == 1
        sms.refresh_from_db()
        # Accepted by the gateway: sending until its receipt comes back.
        assert sms.status == DeliveryStatus.SENDING and sms.next_attempt_at is None and sms.sent_at
        assert _attempts(sms) == [
            (1, DeliveryStatus.TECHNICAL_FAILURE, "", "HTTP 503 busy"),
            (2, DeliveryStatus.SENDING, "gw-42", ""),
        ]
        # Both requests carried our signature, the same reference and the citizen's phone as addressee.
        assert gateway.signature_errors == []
        assert [r["body"]["reference"] for r in gateway.requests] == [str(sms.reference)] * 2
        assert gateway.requests[0]["body"]["to"] == citizen.phone
        assert gateway.requests[0]["body"]["callback_url"].endswith("/api/v1/notifications/callbacks/sms/")
        response = signed_callback(
            client, {"reference": str(sms.reference), "status": "delivered", "id": "gw-42"}, message_id="r-1"
        )
        assert response.status_code == 200, response.content
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED and sms.delivered_at
        assert _attempts(sms)[-1][:2] == (2, DeliveryStatus.DELIVERED)
        # Never sent again: the sweep and a stray task both leave it alone.
        assert notifications_send_due() == 0
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.DELIVERED
        assert len(gateway.requests) == 2

    def test_it_retries_when_the_receipt_says_temporary_failure(self, citizen, case, gateway, client):
        gateway.script((202, {"id": "gw-1"}), (200, {"id": "gw-2", "status": "delivered"}))
        sms = _sms(citizen, case)
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.SENDING
        response = signed_callback(
            client,
            {"reference": str(sms.reference), "status": "temporary-failure", "code": "phone_off"},
            message_id="r-1",
        )
        assert response.status_code == 200
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.TEMPORARY_FAILURE and sms.next_attempt_at > timezone.now()
        with time_machine.travel(_later(sms), tick=False):
            assert notifications_send_due() == 1
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED and sms.attempts == 2
        assert _attempts(sms) == [
            (1, DeliveryStatus.TEMPORARY_FAILURE, "gw-1", "gateway: phone_off"),
            (2, DeliveryStatus.DELIVERED, "gw-2", ""),
        ]

    def test_it_gives_up_after_the_last_attempt_with_a_final_state(self, citizen, case, gateway, settings):
        settings.NOTIFY_MAX_ATTEMPTS = 3
        gateway.script((500, {}))
        sms = _sms(citizen, case)
        notification_deliver(notification_id=sms.id)
        for _ in range(2):
            with time_machine.travel(_later(sms), tick=False):
                notifications_send_due()
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.TECHNICAL_FAILURE and sms.attempts == 3
        assert sms.next_attempt_at is None and sms.is_final
        assert len(gateway.requests) == 3 and len(_attempts(sms)) == 3
        with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
            assert notifications_send_due() == 0
        assert len(gateway.requests) == 3

    def test_it_does_not_retry_what_the_gateway_refused_for_good(self, citizen, case, gateway):
        gateway.script((400, {"code": "invalid_number", "detail": "13800001111 is not a mobile number"}))
        sms = _sms(citizen, case)
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.PERMANENT_FAILURE
        sms.refresh_from_db()
        assert sms.next_attempt_at is None and sms.last_error == "HTTP 400 invalid_number"
        # The gateway's free text (which here echoes the phone) is not kept.
        assert citizen.phone not in json.dumps(_attempts(sms))

    def test_it_treats_an_unreachable_gateway_as_a_technical_failure(self, citizen, case, settings):
        settings.SMS_BACKEND = "apps.front.notifications.channels.HttpSmsBackend"
        settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = "http://127.0.0.1:9/sms", "k"
        sms = _sms(citizen, case)
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        sms.refresh_from_db()
        assert sms.last_error.startswith("gateway unreachable") and sms.next_attempt_at is not None


@pytest.mark.django_db
class TestFileSms:
    def test_it_fails_then_records_the_message(self, citizen, case, settings):
        settings.SMS_FILE_PATH = "/proc/forbidden/sms.jsonl"
        sms = _sms(citizen, case)
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        good = Path(settings.MEDIA_ROOT).parent / "sms-ok.jsonl"
        settings.SMS_FILE_PATH = str(good)
        with time_machine.travel(_later(sms), tick=False):
            assert notifications_send_due() == 1
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED
        assert [json.loads(line)["reference"] for line in good.read_text().splitlines()] == [str(sms.reference)]


@pytest.mark.django_db
class TestEmail:
    def test_it_retries_a_refused_connection_then_sends_text_and_html(self, citizen, case, smtp):
        smtp.accept.extend([False, True])
        preference_update(user=citizen, sms=False, email=True, language="zh-hans")
        with transaction.atomic():
            mail = next(
                n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.EMAIL
            )
        assert notification_deliver(notification_id=mail.id) == DeliveryStatus.TECHNICAL_FAILURE
        mail.refresh_from_db()
        assert mail.last_error.startswith("mail: SMTP") and smtp.messages == []
        with time_machine.travel(_later(mail), tick=False):
            assert notifications_send_due() == 1
        mail.refresh_from_db()
        assert mail.status == DeliveryStatus.DELIVERED and mail.attempts == 2
        assert len(smtp.messages) == 1
        message = email.message_from_bytes(smtp.messages[0], policy=policy.default)
        assert message["To"] == citizen.email and message["Subject"] == "您的办件已受理"
        assert message["X-Notification-Reference"] == str(mail.reference)
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert case.number in text and "请勿直接回复" in text
        assert case.number in html and "<h1" in html and "您的办件已受理" in html

    def test_it_writes_the_email_in_english_for_an_english_reader(self, citizen, case, mailoutbox):
        preference_update(user=citizen, sms=False, email=True, language="en")
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.accepted", case=case)
        assert {n.channel for n in rows} == {Channel.INBOX, Channel.EMAIL}
        mail = next(n for n in rows if n.channel == Channel.EMAIL)
        notification_deliver(notification_id=mail.id)
        sent = mailoutbox[0]
        assert sent.subject == "Your application has been accepted"
        html = sent.alternatives[0][0]
        assert 'lang="en"' in html and "please do not reply" in html and "Cloud Window" in html


@pytest.mark.django_db
def test_a_message_without_a_receipt_fails_for_good_after_the_timeout_and_is_not_resent(
    citizen, case, gateway, settings
):
    settings.NOTIFY_RECEIPT_TIMEOUT_HOURS = 72
    sms = _sms(citizen, case)
    assert notification_deliver(notification_id=sms.id) == DeliveryStatus.SENDING
    with time_machine.travel(timezone.now() + dt.timedelta(hours=71), tick=False):
        notifications_send_due()
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENDING
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73), tick=False):
        notifications_send_due()
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.TECHNICAL_FAILURE and sms.next_attempt_at is None and sms.is_final
    assert sms.last_error == "no delivery receipt" and len(gateway.requests) == 1
    assert _attempts(sms) == [(1, DeliveryStatus.TECHNICAL_FAILURE, "gw-1", "no delivery receipt")]
