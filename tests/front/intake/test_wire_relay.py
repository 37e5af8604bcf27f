"""The sending side: outbox rows, delivery, retries with backoff, dead letters and re-drive."""

import datetime as dt
import socket
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from apps.shared.exchange import contract
from apps.shared.exchange.models import InboxMessage, OutboxMessage, OutboxStatus, Peer, PeerKey
from apps.shared.exchange.services import (
    OutgoingFile,
    backoff_seconds,
    outbox_claim_due,
    outbox_enqueue,
    outbox_redrive,
    outbox_relay_due,
    outbox_sweep,
)


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
        number="TZ2026112400009",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )


def enqueue_decision(peer, number):
    with transaction.atomic():
        return outbox_enqueue(
            peer=peer,
            payload=contract.CaseDecided(
                number=number, decision=contract.Decision.APPROVED, reason="", decided_at=timezone.now()
            ),
            actor="审批人员 刘洋 (approver)",
        )


def message_of_a_kind_unknown_here(peer, payload):
    """A message of a kind this site's contract does not know, as a newer peer's outbox would hold it
    (outbox_enqueue refuses to write one)."""
    return OutboxMessage.objects.create(
        peer=peer, kind="case.unheard_of", payload=payload, ordering_key=payload.get("number", "")
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
    message = message_of_a_kind_unknown_here(self_peer, {"number": "X"})
    outbox_relay_due()
    message.refresh_from_db()
    # A 422 is permanent: the same bytes can never succeed, so an operator must look, not a retry loop.
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 1
    assert "422" in message.last_error
    assert message.response["code"] == "unknown_kind"


@pytest.mark.django_db(transaction=True)
def test_it_dead_letters_a_payload_the_receiver_finds_off_the_contract_with_its_reason(self_peer, in_review):
    # Written by a sender whose idea of case.decided differs (no decision): the receiver refuses it before
    # its handler runs, and the dead letter carries the reason an operator can act on.
    message = OutboxMessage.objects.create(
        peer=self_peer,
        kind="case.decided",
        payload={"number": in_review.number, "decided_at": ""},
        ordering_key=in_review.number,
    )
    outbox_relay_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
    assert message.response["code"] == "invalid_payload"
    assert "HTTP 422" in message.last_error and "审批决定（decision）" in message.last_error
    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.IN_REVIEW


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
        outbox_enqueue(peer=self_peer, payload=contract.CaseReviewStarted(number="TZ2026112400009"))


@pytest.mark.django_db(transaction=True)
def test_it_reads_due_and_lease_on_the_database_clock_not_the_workers(self_peer, in_review):
    # A relay whose own clock is 10 minutes slow still sees the message as due at once (DESIGN.md §5).
    message = enqueue_decision(self_peer, in_review.number)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=10), tick=True):
        claimed = outbox_claim_due()
        assert [m.id for m in claimed] == [message.id]
    # The lease was written on the database clock too: about EXCHANGE_LEASE_SECONDS from the database's now.
    with connection.cursor() as cursor:
        cursor.execute("SELECT next_attempt_at - now() FROM exchange_outboxmessage WHERE id = %s", [message.id])
        [(lease,)] = cursor.fetchall()
    assert dt.timedelta(seconds=100) < lease <= dt.timedelta(seconds=120)


@pytest.mark.django_db(transaction=True)
def test_it_counts_a_message_it_could_not_even_prepare_as_an_attempt(settings, self_peer, in_review):
    settings.EXCHANGE_MAX_ATTEMPTS = 2
    with transaction.atomic():
        message = outbox_enqueue(
            peer=self_peer,
            payload=contract.CaseReviewStarted(number=in_review.number),
            files=[
                OutgoingFile(
                    name="a.pdf", path="exchange/missing/a.pdf", sha256="0" * 64, content_type="application/pdf"
                )
            ],
        )
    assert outbox_relay_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.last_error.startswith("not sent: FileNotFoundError")
    OutboxMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
    outbox_relay_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 2)
    assert not InboxMessage.objects.filter(id=message.id).exists()


@pytest.mark.django_db(transaction=True)
def test_it_retries_a_signature_the_receiver_does_not_accept_yet(self_peer, in_review):
    # The receiver does not (yet) know this platform's key: 401. Clocks and key rotations heal, so the
    # message waits with backoff instead of going straight to the dead letters.
    Peer.objects.filter(id=self_peer.id).update(active=False)
    message = enqueue_decision(self_peer, in_review.number)
    outbox_relay_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "HTTP 401" in message.last_error
    Peer.objects.filter(id=self_peer.id).update(active=True)
    OutboxMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
    outbox_relay_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 2)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_everything_due_and_stops_at_its_time_budget(in_review):
    peer = Peer.objects.create(code="down", name="down", base_url=f"http://127.0.0.1:{closed_port()}")
    PeerKey.objects.create(peer=peer, key_id="down-k1", secret="s")
    messages = [enqueue_decision(peer, f"TZ20261124{n:05d}") for n in range(3)]  # three cases: no order between them
    # No time left: nothing is claimed, so nothing sits under a lease it will not be sent within.
    assert outbox_sweep(budget_seconds=0) == 0
    assert OutboxMessage.objects.filter(id__in=[m.id for m in messages], attempts=0).count() == 3
    # Time enough: each due message is tried once; the failed ones are not due again within this sweep.
    assert outbox_sweep(budget_seconds=30) == 3
    assert OutboxMessage.objects.filter(id__in=[m.id for m in messages], attempts=1).count() == 3


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_order_of_one_cases_messages_whatever_the_retries_do(settings, self_peer, in_review):
    # The first message about a case cannot be sent (its file is gone); the case's later message waits
    # behind it, while another case's message goes at once.
    with transaction.atomic():
        first = outbox_enqueue(
            peer=self_peer,
            payload=contract.CaseReviewStarted(number=in_review.number),
            files=[
                OutgoingFile(
                    name="a.pdf", path="exchange/missing/a.pdf", sha256="0" * 64, content_type="application/pdf"
                )
            ],
        )
    later = enqueue_decision(self_peer, in_review.number)
    other = enqueue_decision(self_peer, "TZ2026112499999")
    outbox_relay_due()
    first.refresh_from_db(), later.refresh_from_db(), other.refresh_from_db()
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert (later.status, later.attempts) == (OutboxStatus.PENDING, 0)
    assert other.attempts == 1  # refused by the receiver (no such case there), but sent
    # Not even the fast path for exactly this message sends it out of order.
    assert outbox_relay_due(message_id=str(later.id)) == 0
    # A dead letter holds its case's later messages too, until an operator re-drives it.
    OutboxMessage.objects.filter(id=first.id).update(status=OutboxStatus.DEAD)
    assert outbox_relay_due() == 0
    # Once the first is through, the next one of the case follows in the same relay run.
    OutboxMessage.objects.filter(id=first.id).update(
        status=OutboxStatus.PENDING, files=[], next_attempt_at=timezone.now()
    )
    assert outbox_relay_due() == 2
    first.refresh_from_db(), later.refresh_from_db()
    assert first.status == later.status == OutboxStatus.DELIVERED
    assert first.delivered_at <= later.delivered_at
    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.DECIDED


@pytest.mark.django_db(transaction=True)
def test_a_case_s_order_is_kept_on_the_database_clock_whatever_the_writers_clocks_say(self_peer, in_review):
    # The case's second message is written by a host whose clock is 5 minutes behind: it still comes after
    # the first, which goes out first while the second waits behind it.
    first = enqueue_decision(self_peer, in_review.number)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=5), tick=True):
        later = enqueue_decision(self_peer, in_review.number)
    assert later.created_at > first.created_at  # read back from the insert (RETURNING)
    assert [m.id for m in outbox_claim_due()] == [first.id]
    # Two messages written in one transaction are ordered too (clock_timestamp(), not the transaction's now()).
    with transaction.atomic():
        a = outbox_enqueue(peer=self_peer, payload=contract.CaseReviewStarted(number="TZ2026112400077"))
        b = outbox_enqueue(peer=self_peer, payload=contract.CaseWithdrawn(number="TZ2026112400077"))
    assert a.created_at < b.created_at


@pytest.mark.django_db(transaction=True)
def test_the_sweep_counts_the_messages_a_claim_let_through(self_peer, in_review):
    # One claim (the case's first message) sends its later one in the same run: both are counted.
    first = enqueue_decision(self_peer, in_review.number)
    later = enqueue_decision(self_peer, in_review.number)
    assert outbox_sweep(budget_seconds=30) == 2
    assert set(OutboxMessage.objects.filter(id__in=[first.id, later.id]).values_list("status", flat=True)) == {
        OutboxStatus.DELIVERED
    }


@pytest.mark.django_db(transaction=True)
def test_a_case_s_waiting_messages_follow_only_while_the_budget_lasts(self_peer, in_review):
    # Past the deadline the follow-on sends stop: the later message stays due for the next sweep, so a
    # long queue of one case cannot carry a task past Celery's soft time limit.
    first = enqueue_decision(self_peer, in_review.number)
    later = enqueue_decision(self_peer, in_review.number)
    assert outbox_relay_due(message_id=str(first.id), limit=1, deadline=time.monotonic() - 1) == 1
    first.refresh_from_db(), later.refresh_from_db()
    assert (first.status, later.status, later.attempts) == (OutboxStatus.DELIVERED, OutboxStatus.PENDING, 0)
    assert outbox_sweep(budget_seconds=30) == 1
    later.refresh_from_db()
    assert later.status == OutboxStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_messages_about_no_case_keep_no_order_between_them(self_peer):
    # No "number" in the payload: no ordering key, so a message stuck before it does not hold it back.
    with transaction.atomic():
        stuck = outbox_enqueue(
            peer=self_peer,
            payload=contract.CaseResync(numbers=[]),
            files=[
                OutgoingFile(
                    name="a.pdf", path="exchange/missing/a.pdf", sha256="0" * 64, content_type="application/pdf"
                )
            ],
        )
        free = outbox_enqueue(peer=self_peer, payload=contract.CaseResync(numbers=[]))
    assert stuck.ordering_key == free.ordering_key == ""
    assert outbox_relay_due() == 2
    stuck.refresh_from_db(), free.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (OutboxStatus.PENDING, 1)
    assert free.attempts == 1  # sent (the receiver refuses the kind, which is beside the point here)
