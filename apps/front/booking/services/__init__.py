"""Writes for booking (DOMAIN.md §3, DESIGN.md §6): slots, appointments, penalties, closures, waitlist and
the appointment messages. Callers import from here."""

from .appointments import (
    appointment_cancel,
    appointment_cancel_by_hall,
    appointment_mark_no_show,
    appointment_move_by_hall,
    appointment_reschedule,
    appointment_transition,
    message_context,
    no_shows_mark,
)
from .booking import appointment_book, appointment_book_by_staff
from .closures import closure_create, hall_for_supervisor
from .penalties import penalty_waive
from .reminders import appointment_messages_send
from .rules import slot_refusal
from .slots import SESSIONS, capacity_split, sessions_for, slots_generate
from .waitlist import waitlist_accept, waitlist_join, waitlist_leave, waitlist_sweep

__all__ = [
    "SESSIONS",
    "appointment_book",
    "appointment_book_by_staff",
    "appointment_cancel",
    "appointment_cancel_by_hall",
    "appointment_mark_no_show",
    "appointment_messages_send",
    "appointment_move_by_hall",
    "appointment_reschedule",
    "appointment_transition",
    "capacity_split",
    "closure_create",
    "hall_for_supervisor",
    "message_context",
    "no_shows_mark",
    "penalty_waive",
    "sessions_for",
    "slot_refusal",
    "slots_generate",
    "waitlist_accept",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_sweep",
]
