"""The gateway's delivery-receipt callback: signed, idempotent, allowed transitions only."""

import json
import time

import pytest
from django.db import transaction

from apps.front.notifications.models import Channel, DeliveryStatus, GatewayCallback, Notification
from apps.front.notifications.services import notification_deliver, notify

from .conftest import signed_callback


@pytest.fixture
def sent_sms(citizen, case, gateway):
    with transaction.atomic():
        sms = next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS)
    assert notification_deliver(notification_id=sms.id) == DeliveryStatus.SENDING
    return sms


def _status(notification: Notification) -> str:
    notification.refresh_from_db()
    return notification.status


@pytest.mark.django_db
class TestCallback:
    def test_it_applies_a_good_receipt_once_and_answers_a_repeat_with_the_first_answer(self, client, sent_sms):
        payload = {"reference": str(sent_sms.reference), "status": "delivered", "id": "gw-1"}
        first = signed_callback(client, payload, message_id="receipt-1")
        assert first.status_code == 200
        assert first.json() == {"reference": str(sent_sms.reference), "status": "delivered", "changed": True}
        repeat = signed_callback(client, payload, message_id="receipt-1")
        assert repeat.status_code == 200 and repeat.json()["duplicate"] is True
        # A second receipt (new id) saying the same thing changes nothing either.
        again = signed_callback(client, payload, message_id="receipt-2")
        assert again.status_code == 200 and again.json()["changed"] is False
        assert _status(sent_sms) == DeliveryStatus.DELIVERED
        assert sent_sms.audit_trail.filter(status=DeliveryStatus.DELIVERED).count() == 1

    def test_it_refuses_a_bad_signature_with_a_clear_message(self, client, sent_sms):
        response = signed_callback(
            client, {"reference": str(sent_sms.reference), "status": "delivered"}, message_id="r", key="not-the-key"
        )
        assert response.status_code == 401
        assert response.json() == {"code": "bad_signature", "detail": "签名校验失败。 Signature does not match."}
        assert _status(sent_sms) == DeliveryStatus.SENDING
        assert not GatewayCallback.objects.exists()

    def test_it_refuses_an_unsigned_receipt(self, client, sent_sms):
        body = json.dumps({"reference": str(sent_sms.reference), "status": "delivered"})
        response = client.post("/api/v1/notifications/callbacks/sms/", data=body, content_type="application/json")
        assert response.status_code == 401 and response.json()["code"] == "signature_missing"
        assert "请求缺少签名信息" in response.json()["detail"]
        assert _status(sent_sms) == DeliveryStatus.SENDING

    def test_it_refuses_a_stale_receipt(self, client, sent_sms):
        response = signed_callback(
            client, {"reference": str(sent_sms.reference), "status": "delivered"}, message_id="r", now=time.time() - 600
        )
        assert response.status_code == 401 and response.json()["code"] == "stale_signature"
        assert _status(sent_sms) == DeliveryStatus.SENDING

    def test_it_refuses_a_body_changed_after_signing(self, client, sent_sms):
        from govservice.lib import signing

        from .conftest import GATEWAY_KEY

        path = "/api/v1/notifications/callbacks/sms/"
        signed = json.dumps({"reference": str(sent_sms.reference), "status": "temporary-failure"}).encode()
        headers = signing.sign(
            key_id="gateway", secret=GATEWAY_KEY, method="POST", path=path, message_id="r", body=signed
        )
        tampered = json.dumps({"reference": str(sent_sms.reference), "status": "delivered"})
        response = client.post(
            path,
            data=tampered,
            content_type="application/json",
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        )
        assert response.status_code == 401 and response.json()["code"] == "bad_signature"

    def test_it_answers_404_for_an_unknown_reference(self, client, sent_sms):
        response = signed_callback(
            client, {"reference": "00000000-0000-4000-8000-000000000000", "status": "delivered"}, message_id="r"
        )
        assert response.status_code == 404 and response.json()["code"] == "unknown_reference"
        assert "未找到" in response.json()["detail"]

    def test_it_refuses_an_illegal_transition_and_changes_nothing(self, client, sent_sms):
        assert (
            signed_callback(
                client, {"reference": str(sent_sms.reference), "status": "delivered"}, message_id="r1"
            ).status_code
            == 200
        )
        response = signed_callback(
            client, {"reference": str(sent_sms.reference), "status": "temporary-failure"}, message_id="r2"
        )
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "illegal_transition" and body["status"] == "delivered"
        assert body["detail"].startswith("短信当前状态为“已送达”，不能变为“暂时失败”。")
        sent_sms.refresh_from_db()
        assert sent_sms.status == DeliveryStatus.DELIVERED and sent_sms.next_attempt_at is None

    def test_it_refuses_a_message_id_reused_for_another_body(self, client, sent_sms):
        signed_callback(client, {"reference": str(sent_sms.reference), "status": "delivered"}, message_id="r1")
        response = signed_callback(
            client, {"reference": str(sent_sms.reference), "status": "permanent-failure"}, message_id="r1"
        )
        assert response.status_code == 422 and response.json()["code"] == "message_id_reused"
        assert _status(sent_sms) == DeliveryStatus.DELIVERED

    @pytest.mark.parametrize(
        "payload, fragment",
        [
            (b"not json", "不是有效的JSON"),
            (b"[1]", "JSON对象"),
            (json.dumps({"reference": "n12", "status": "delivered"}).encode(), "引用号"),
            (
                json.dumps({"reference": "00000000-0000-4000-8000-000000000000", "status": "sent"}).encode(),
                "回执状态无效",
            ),
        ],
    )
    def test_it_explains_a_malformed_receipt(self, client, sent_sms, payload, fragment):
        response = signed_callback(client, payload, message_id="bad")
        assert response.status_code == 400 and fragment in response.json()["detail"]
        assert _status(sent_sms) == DeliveryStatus.SENDING

    def test_a_late_delivered_receipt_stops_the_retries(self, client, citizen, case, gateway):
        """A send that timed out may still have reached the phone: the late receipt wins, no resend."""
        gateway.script((504, {}))
        with transaction.atomic():
            sms = next(
                n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS
            )
        assert notification_deliver(notification_id=sms.id) == DeliveryStatus.TECHNICAL_FAILURE
        response = signed_callback(client, {"reference": str(sms.reference), "status": "delivered"}, message_id="late")
        assert response.status_code == 200
        sms.refresh_from_db()
        assert sms.status == DeliveryStatus.DELIVERED and sms.next_attempt_at is None and not sms.last_error


@pytest.mark.django_db(transaction=True)
def test_a_receipt_that_overtakes_the_gateways_answer_is_kept(citizen, case, gateway):
    """A fast gateway reports delivery before our worker has written down that it accepted the message:
    the worker must not put the message back to sending."""
    from django.db import connection

    from apps.front.notifications.services import gateway_callback_receive
    from govservice.lib import signing

    from .conftest import GATEWAY_KEY

    answers = []

    def receipt_first(body):
        path = "/api/v1/notifications/callbacks/sms/"
        payload = json.dumps({"reference": body["reference"], "status": "delivered", "id": "gw-fast"}).encode()
        headers = signing.sign(
            key_id="gateway", secret=GATEWAY_KEY, method="POST", path=path, message_id="fast", body=payload
        )
        try:
            answers.append(gateway_callback_receive(headers=headers, method="POST", path=path, body=payload))
        finally:
            connection.close()  # this server thread's own connection

    gateway.before_answer = receipt_first
    gateway.script((202, {"id": "gw-fast"}))
    with transaction.atomic():
        sms = next(n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS)
    assert notification_deliver(notification_id=sms.id) == DeliveryStatus.DELIVERED
    assert [a.status_code for a in answers] == [200]
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.DELIVERED and sms.next_attempt_at is None and sms.delivered_at
    assert list(sms.delivery_attempts.values_list("number", "status", "provider_reference")) == [
        (1, DeliveryStatus.DELIVERED, "gw-fast")
    ]


@pytest.mark.django_db
def test_a_receipt_for_an_email_reference_is_unknown(client, citizen, case, gateway):
    with transaction.atomic():
        mail = next(
            n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.EMAIL
        )
    response = signed_callback(
        client, {"reference": str(mail.reference), "status": "permanent-failure"}, message_id="m"
    )
    assert response.status_code == 404
    assert _status(mail) == DeliveryStatus.CREATED


@pytest.mark.django_db
def test_a_delivered_receipt_after_a_temporary_failure_stops_the_retry(client, sent_sms):
    """Every edge of the delivery log made by a test (issue 13): the gateway reports a temporary failure, then
    that the message arrived after all; it is not sent again."""
    first = signed_callback(
        client, {"reference": str(sent_sms.reference), "status": "temporary-failure"}, message_id="t1"
    )
    assert first.status_code == 200, first.content
    assert _status(sent_sms) == DeliveryStatus.TEMPORARY_FAILURE
    arrived = signed_callback(client, {"reference": str(sent_sms.reference), "status": "delivered"}, message_id="t2")
    assert arrived.status_code == 200, arrived.content
    sent_sms.refresh_from_db()
    assert sent_sms.status == DeliveryStatus.DELIVERED and sent_sms.next_attempt_at is None
    assert sent_sms.delivery_attempts.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db
def test_a_signed_receipt_nested_too_deep_is_refused_not_a_server_error(client, gateway):
    deep = b"[" * 100_000 + b"]" * 100_000  # Python's own reader gives up (RecursionError) long before
    response = signed_callback(client, deep, message_id="receipt-deep")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
