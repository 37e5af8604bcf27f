"""The event row every ticket change writes, in the same transaction as the change."""

from __future__ import annotations

from apps.front.booking.models import Window
from apps.shared.accounts.models import User

from ..models import Ticket, TicketEvent


def ticket_event_record(
    *,
    ticket: Ticket,
    action: str,
    actor: User | None,
    from_status: str,
    note: str = "",
    window: Window | None = None,
) -> TicketEvent:
    """One row: who, when, which action, from which status to which, why; the window for calls."""
    return TicketEvent.objects.create(
        ticket=ticket,
        hall_id=ticket.hall_id,
        action=action,
        actor=actor,
        window=window,
        from_status=from_status,
        to_status=ticket.status,
        note=note[:200],
    )
