"""The sending side: outbox rows, delivery, retries with backoff, dead letters and re-drive."""

import datetime as dt
import socket

import pytest
from django.db import transaction
from django.utils import timezone

from apps.exchange.models import InboxMessage, OutboxMessage, OutboxStatus, Peer, PeerKey
from apps.exchange.services import backoff_seconds, outbox_enqueue, outbox_redrive, outbox_relay_due
from apps.intake.models import Case, CaseStatus


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def self_peer(db, live_server):
    """The front site sending to itself stands in for the other site: the same code path, real HTTP."""
    peer = Peer.objects.create(code="loop", name="loopback", base_url=live_server.url)
    PeerKey.objects.create(peer=peer, key_id="loop-k1", secret="loop-secret")
    return peer


@pytest.fixture
def in_review(citizen, hall, matter, clerk):
    return Case.objects.create(
        number="TZ2026112400009", query_password_hash="x", citizen=citizen, matter=matter, hall=hall, clerk=clerk,
        status=CaseStatus.IN_REVIEW, accepted_at=timezone.now(),
    )


def enqueue_decision(peer, number):
    with transaction.atomic():
        return outbox_enqueue(
            peer=peer, kind="case.decided",
            payload={"number": number, "decision": "approved", "reason": "", "decided_at": timezone.now().isoformat()},
            actor="审批人员 刘洋 (approver)",
        )


@pytest.mark.django_db(transaction=True)
def test_it_delivers_over_http_and_the_receiver_applies_it_once(self_peer, in_review):
    message = enqueue_decision(self_peer, in_review.number)
    assert outbox_relay_due() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 1
    # Received once, attributed to the platform, its key and the person who acted.
    inbox = InboxMessage.objects.get(id=message.id)
    assert (inbox.peer, inbox.key_id, inbox.actor) == (self_peer, "loop-k1", "审批人员 刘洋 (approver)")
    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.DECIDED
    # A second sweep finds nothing due.
    assert outbox_relay_due() == 0


@pytest.mark.django_db(transaction=True)
def test_it_retries_when_the_peer_is_down_then_dead_letters_and_redrives(settings, in_review):
    settings.EXCHANGE_MAX_ATTEMPTS = 3
    peer = Peer.objects.create(code="down", name="down", base_url=f"http://127.0.0.1:{closed_port()}")
    PeerKey.objects.create(peer=peer, key_id="down-k1", secret="s")
    message = enqueue_decision(peer, in_review.number)
    for attempt in (1, 2):
        OutboxMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
        outbox_relay_due()
        message.refresh_from_db()
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == attempt
        assert "ConnectionError" in message.last_error
        assert message.next_attempt_at > timezone.now() - dt.timedelta(seconds=1)
    OutboxMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
    outbox_relay_due()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert outbox_redrive(message_id=message.id)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_it_dead_letters_a_message_the_receiver_refuses(self_peer):
    with transaction.atomic():
        message = outbox_enqueue(peer=self_peer, kind="case.unheard_of", payload={"number": "X"})
    outbox_relay_due()
    message.refresh_from_db()
    # A 422 is permanent: the same bytes can never succeed, so an operator must look, not a retry loop.
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 1
    assert "422" in message.last_error
    assert message.response["code"] == "unknown_kind"


def test_it_backs_off_exponentially_with_full_jitter_and_a_cap(settings):
    settings.EXCHANGE_BACKOFF_BASE_SECONDS = 2
    settings.EXCHANGE_BACKOFF_CAP_SECONDS = 60
    samples = [backoff_seconds(10) for _ in range(200)]
    assert all(0 <= s <= 60 for s in samples)
    assert max(samples) > 30  # the cap, not the exponent, bounds attempt 10
    assert all(0 <= backoff_seconds(1) <= 2 for _ in range(50))


@pytest.mark.django_db
def test_it_refuses_to_enqueue_outside_a_transaction(self_peer):
    with pytest.raises(RuntimeError):
        outbox_enqueue(peer=self_peer, kind="x", payload={})
