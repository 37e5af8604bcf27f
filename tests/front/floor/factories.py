"""Small builders for hall tests (also used by the browser tests of the hall)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.front.booking.models import WindowGroup
from apps.front.floor.models import Priority, Ticket
from apps.front.floor.services import daily_counter_next
from tests.personas_front import TERMINAL_TOKEN

TERMINAL = {"HTTP_AUTHORIZATION": f"Terminal {TERMINAL_TOKEN}"}


def make_ticket(
    group: WindowGroup,
    matter,
    *,
    priority: int = Priority.WALK_IN,
    booked_start: dt.datetime | None = None,
    checked_in_at: dt.datetime | None = None,
    display_name: str = "",
) -> Ticket:
    """A waiting ticket of today, numbered like the kiosk numbers them (for queues built in bulk)."""
    today = timezone.localdate()
    return Ticket.objects.create(
        hall=group.hall,
        group=group,
        service_date=today,
        number=daily_counter_next(scope=f"ticket:{group.id}", day=today),
        prefix=group.letter,
        matter=matter,
        priority=priority,
        booked_start=booked_start,
        checked_in_at=checked_in_at or timezone.now(),
        display_name=display_name,
    )
