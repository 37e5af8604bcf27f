"""DOMAIN.md §8: no ID number, phone or full name in a provider reference or a log line."""

import logging

import pytest
import time_machine
from django.db import transaction

from apps.front.notifications.models import Channel, DeliveryAttempt, Notification
from apps.front.notifications.services import notification_deliver, notifications_send_due, notify

from .conftest import signed_callback


@pytest.mark.django_db
def test_no_personal_data_in_references_or_log_lines(citizen, case, gateway, client, caplog, settings):
    caplog.set_level(logging.DEBUG)
    secrets = [citizen.id_number, citizen.phone, citizen.real_name, citizen.email]
    gateway.script((500, {"code": "busy", "detail": f"cannot reach {citizen.phone}"}), (202, {"id": "gw-9"}))
    with transaction.atomic():
        rows = notify(recipient=citizen, event="case.accepted", case=case)
    for n in rows:
        notification_deliver(notification_id=n.id)
    sms = next(n for n in rows if n.channel == Channel.SMS)
    sms.refresh_from_db()
    with time_machine.travel(sms.next_attempt_at, tick=False):
        notifications_send_due()
    signed_callback(
        client, {"reference": str(sms.reference), "status": "temporary-failure", "code": "absent"}, message_id="a"
    )
    signed_callback(client, {"reference": str(sms.reference), "status": "bogus"}, message_id="b")
    signed_callback(client, {"reference": str(sms.reference), "status": "delivered"}, message_id="c", key="wrong")
    # The flow really ran: the gateway saw two requests, the receipts were logged.
    assert len(gateway.requests) == 2 and "gateway reports temporary-failure" in caplog.text
    references = [r["body"]["reference"] for r in gateway.requests] + [
        r["headers"]["X-GS-Message-Id"] for r in gateway.requests
    ]
    references += [str(n.reference) for n in Notification.objects.all()]
    references += list(DeliveryAttempt.objects.values_list("provider_reference", flat=True))
    references += list(Notification.objects.values_list("last_error", flat=True))
    references += list(DeliveryAttempt.objects.values_list("error", flat=True))
    lines = [record.getMessage() for record in caplog.records]
    assert lines, "nothing was logged: the check below would prove nothing"
    for secret in secrets:
        assert secret
        for text in references + lines:
            assert secret not in text, (secret, text)
    # The masked name, which messages do carry, is what the SMS shows.
    assert "王**" in sms.body and citizen.real_name not in sms.body


@pytest.mark.django_db
def test_a_person_without_a_real_name_is_not_greeted_by_a_user_name_that_is_a_phone(settings):
    from tests.factories import make_user

    user = make_user("13912345678", role="hall_supervisor", real_name="", phone="13912345678", email="")
    with transaction.atomic():
        rows = notify(recipient=user, event="booking.confirmed", context={"code": "Z1"})
    assert rows and all("13912345678" not in n.body and "用户您好" in n.body for n in rows)
