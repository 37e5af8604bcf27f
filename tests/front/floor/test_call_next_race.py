"""Eight windows calling next at once on one queue, with real threads on real PostgreSQL (DESIGN.md §6)."""

import datetime as dt
import itertools
import random
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from apps.front.booking.models import StaffPost, Window
from apps.front.floor.models import Priority, Ticket, TicketAction, TicketEvent, TicketStatus
from apps.front.floor.services import ticket_call_next
from apps.shared.accounts.models import Role
from tests.factories import make_user
from tests.front.floor.factories import make_ticket

WINDOWS = 8
TICKETS = 40
ROUNDS = 3
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _sort_key(ticket: Ticket) -> tuple:
    return (ticket.priority, ticket.booked_start or FAR_FUTURE, ticket.checked_in_at, ticket.id)


def _queue(group, matter, rng: random.Random) -> list[Ticket]:
    """Forty tickets in shuffled arrival order: green channel, booked (various slots) and walk-ins."""
    now = timezone.now()
    kinds = [Priority.GREEN_CHANNEL] * 8 + [Priority.BOOKED] * 12 + [Priority.WALK_IN] * (TICKETS - 20)
    rng.shuffle(kinds)
    tickets = []
    for n, priority in enumerate(kinds):
        booked = now + dt.timedelta(minutes=30 * rng.randint(0, 3)) if priority == Priority.BOOKED else None
        tickets.append(
            make_ticket(
                group,
                matter,
                priority=priority,
                booked_start=booked,
                checked_in_at=now - dt.timedelta(seconds=TICKETS - n),
            )
        )
    return tickets


def _windows_call_until_empty(clerks) -> list[list[tuple[int, float, float]]]:
    """Each clerk's window calls next in its own thread and connection, all released at once by a
    barrier, until the queue is empty. Returns each window's claims in its order: (ticket id, when the
    call began, when it returned)."""
    barrier = threading.Barrier(len(clerks))
    claims: list[list[tuple[int, float, float]]] = [[] for _ in clerks]
    errors: list[BaseException] = []

    def window_calls(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            while True:
                began = time.monotonic()
                ticket = ticket_call_next(clerk=clerks[index])
                if ticket is None:
                    break
                claims[index].append((ticket.id, began, time.monotonic()))
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=window_calls, args=(i,)) for i in range(len(clerks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    return claims


@pytest.mark.django_db(transaction=True)
def test_it_calls_each_ticket_exactly_once_and_in_order_from_eight_windows(hall, matter):
    group = hall.groups.get()
    clerks = []
    for n in range(WINDOWS):
        window = Window.objects.create(hall=hall, group=group, number=11 + n)
        clerk = make_user(f"race_clerk_{n}", Role.CLERK, real_name=f"窗口{n}")
        StaffPost.objects.create(user=clerk, hall=hall, window=window)
        clerks.append(clerk)
    rng = random.Random(20261124)

    for round_ in range(ROUNDS):
        tickets = {t.id: t for t in _queue(group, matter, rng)}
        claims = _windows_call_until_empty(clerks)

        # Exactly once: every ticket claimed by one window, one CALL event each, none left waiting.
        claimed = [tid for tid, _began, _ended in itertools.chain.from_iterable(claims)]
        assert sorted(claimed) == sorted(tickets), f"round {round_}: lost or doubled {len(claimed)} of {len(tickets)}"
        calls = TicketEvent.objects.filter(ticket_id__in=tickets, action=TicketAction.CALL)
        assert calls.count() == TICKETS and calls.values("ticket_id").distinct().count() == TICKETS
        assert not Ticket.objects.filter(id__in=tickets, status=TicketStatus.WAITING).exists()
        window_of = dict(calls.values_list("ticket_id", "window_id"))
        for clerk, window_claims in zip(clerks, claims, strict=True):
            assert {window_of[tid] for tid, _b, _e in window_claims} <= {clerk.post.window_id}

        # In priority order per claim: when one call had returned before another began, the first took the
        # better ticket. (A better ticket a window skipped was locked by a call in flight, which took it.)
        # Calls that overlapped in time may finish in either order; nothing is asserted about those.
        flat = list(itertools.chain.from_iterable(claims))
        for first, _began, first_ended in flat:
            for second, second_began, _ended in flat:
                if first_ended < second_began:
                    assert _sort_key(tickets[first]) < _sort_key(tickets[second]), (
                        f"round {round_}: ticket {second} was called after the worse ticket {first}"
                    )
        # All windows took part: the claim did not serialise behind one of them.
        assert sum(1 for ids in claims if ids) > 1
