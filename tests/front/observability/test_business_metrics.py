"""The front's business metrics, scraped from /metrics after making the things they count: a hall's queue
and its waits, a booking refused for a full slot, a text that could not be sent, the outbox's backlog,
its oldest message and a dead letter. Counters live in Redis (govservice/lib/metrics.py), so the counts of
this process are what any node of the site would show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from apps.front.booking.services import appointment_book
from apps.front.floor.models import TicketStatus
from apps.front.notifications.models import Channel, Notification
from apps.front.notifications.services import notification_deliver
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage, OutboxStatus
from apps.shared.exchange.services import outbox_enqueue
from govservice.lib.errors import DomainError
from tests.factories import make_user
from tests.front.floor.factories import make_ticket
from tests.observability_helpers import scraped, value
from tests.personas_front import make_slot

pytestmark = pytest.mark.django_db


def test_queue_length_and_waits_per_hall(client, hall, other_hall, matter):
    group = hall.groups.get()
    now = timezone.now()
    make_ticket(group, matter, checked_in_at=now - dt.timedelta(minutes=10))
    make_ticket(group, matter, checked_in_at=now - dt.timedelta(minutes=2))
    called = make_ticket(group, matter, checked_in_at=now - dt.timedelta(minutes=30))
    called.status, called.called_at = TicketStatus.CALLED, called.checked_in_at + dt.timedelta(minutes=6)
    called.save(update_fields=["status", "called_at"])

    families = scraped(client)
    assert value(families, "cloudwindow_hall_queue_length", hall="TZ") == 2
    oldest = value(families, "cloudwindow_hall_queue_oldest_wait_seconds", hall="TZ")
    assert 600 <= oldest < 700
    assert value(families, "cloudwindow_hall_wait_seconds_avg", hall="TZ") == pytest.approx(360)
    assert value(families, "cloudwindow_hall_queue_length", hall="YS") is None  # no ticket there today


def test_booking_refusals_are_counted_by_code(client, hall, matter, citizen, other_citizen):
    slot = make_slot(hall, capacity=1)
    appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
    for _ in range(2):
        with pytest.raises(DomainError) as refused:
            appointment_book(citizen=other_citizen, slot_id=slot.id, matter_code=matter.code)
        assert refused.value.code == "slot_full"
    with pytest.raises(DomainError) as duplicate:
        appointment_book(citizen=citizen, slot_id=make_slot(hall, hour=10).id, matter_code=matter.code)

    families = scraped(client)
    assert value(families, "cloudwindow_booking_refusals_total", code="slot_full") == 2
    assert value(families, "cloudwindow_booking_refusals_total", code=duplicate.value.code) == 1


def test_notification_failures_by_channel(client, db):
    nobody = make_user("no_phone", phone="")
    message = Notification.objects.create(
        recipient=nobody, event="test", channel=Channel.SMS, subject="s", body="b", next_attempt_at=timezone.now()
    )
    assert notification_deliver(notification_id=message.id) == "permanent-failure"

    families = scraped(client)
    assert value(families, "cloudwindow_notification_failures_total", channel="sms", status="permanent-failure") == 1
    assert value(families, "cloudwindow_notifications_retrying", channel="sms") == 0


def test_outbox_backlog_age_and_dead_letters_per_peer(client, central_peer):
    with transaction.atomic():
        for number in ("TZ1", "TZ2", "TZ3"):
            outbox_enqueue(peer=central_peer, payload=contract.CaseResync(numbers=[number]))
    first, _, third = OutboxMessage.objects.order_by("created_at")
    OutboxMessage.objects.filter(id=first.id).update(created_at=timezone.now() - dt.timedelta(minutes=15))
    OutboxMessage.objects.filter(id=third.id).update(status=OutboxStatus.DEAD)

    families = scraped(client)
    assert value(families, "cloudwindow_outbox_backlog", peer="central") == 2
    assert value(families, "cloudwindow_outbox_dead_letters", peer="central") == 1
    assert 900 <= value(families, "cloudwindow_outbox_oldest_age_seconds", peer="central") < 1000
