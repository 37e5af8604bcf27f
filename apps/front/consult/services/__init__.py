"""Writes on consultation tickets: one atomic service per transition (STYLE.md "State changes").

Each service locks the ticket (or claims it with a conditional UPDATE), checks TICKET_TRANSITIONS,
saves the changed fields and writes a TicketEvent in the same transaction; notifications are created
in it too and delivered after commit by apps.front.notifications.
"""

from .asking import ticket_ask, ticket_ask_at_terminal, ticket_log_call, ticket_open_for_callback
from .faq import faq_publish, faq_unpublish
from .handling import (
    ticket_claim,
    ticket_close_by_citizen,
    ticket_close_by_staff,
    ticket_extend,
    ticket_follow_up,
    ticket_phone_reveal,
    ticket_rate,
    ticket_reply,
    ticket_route,
)
from .records import supervises
from .reminders import tickets_remind_and_escalate

__all__ = [
    "faq_publish",
    "faq_unpublish",
    "supervises",
    "ticket_ask",
    "ticket_ask_at_terminal",
    "ticket_claim",
    "ticket_close_by_citizen",
    "ticket_close_by_staff",
    "ticket_extend",
    "ticket_follow_up",
    "ticket_log_call",
    "ticket_open_for_callback",
    "ticket_phone_reveal",
    "ticket_rate",
    "ticket_reply",
    "ticket_route",
    "tickets_remind_and_escalate",
]
