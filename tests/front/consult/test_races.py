"""首问负责 under contention: two clerks press 受理 at the same moment; exactly one owns the ticket.
Real threads, each with its own PostgreSQL connection, released together by a barrier."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from apps.front.booking.models import StaffPost
from apps.front.consult.models import ConsultTicket, TicketAction, TicketStatus
from apps.front.consult.services import ticket_claim
from apps.shared.accounts.models import Role
from govservice.api import DomainError
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clerks_at_once_make_one_owner(ask, hall, clerk):
    rival = make_user("clerk_rival", Role.CLERK, real_name="冯窗口")
    StaffPost.objects.create(user=rival, hall=hall)
    overlapped = 0
    for _round in range(5):
        ticket = ask()
        barrier = threading.Barrier(2)
        outcomes: dict[str, tuple[str, float, float]] = {}

        def take(user, ticket=ticket, barrier=barrier, outcomes=outcomes):
            try:
                connection.ensure_connection()
                barrier.wait()
                started = time.monotonic()
                try:
                    ticket_claim(clerk=user, code=ticket.code)
                    result = "ok"
                except DomainError as exc:
                    result = exc.error_code
                outcomes[user.username] = (result, started, time.monotonic())
            finally:
                connection.close()

        threads = [threading.Thread(target=take, args=(user,)) for user in (clerk, rival)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        results = sorted(result for result, _, _ in outcomes.values())
        assert results == ["already_claimed", "ok"], outcomes
        (_, s1, e1), (_, s2, e2) = outcomes.values()
        overlapped += s1 < e2 and s2 < e1
        ticket.refresh_from_db()
        winner = next(name for name, (result, _, _) in outcomes.items() if result == "ok")
        assert ticket.owner.username == winner and ticket.status == TicketStatus.CLAIMED
        assert ticket.events.filter(action=TicketAction.CLAIM).count() == 1
    assert ConsultTicket.objects.filter(owner__isnull=True).count() == 0
    # At least some rounds had both calls in flight together: a race, not only calls in a row.
    assert overlapped >= 1
