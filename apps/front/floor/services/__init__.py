"""Hall services: issuing tickets at the door, calling them at the windows. Other apps import from here."""

from ..selectors import people_ahead
from .applicants import ticket_applicant_set
from .calling import (
    ticket_call_next,
    ticket_finish,
    ticket_get_for_clerk,
    ticket_mark_missed,
    ticket_park,
    ticket_recall,
    ticket_resume,
    ticket_start,
    ticket_transfer,
    ticket_transition,
)
from .events import ticket_event_record
from .hours import walk_in_hours_check
from .issuing import (
    NOT_FOR_PERSONS_AT_KIOSK,
    checkin_by_code,
    daily_counter_next,
    ticket_walk_in,
    todays_appointment_code,
)
from .terminals import terminal_authenticate, terminal_token_issue

__all__ = [
    "NOT_FOR_PERSONS_AT_KIOSK",
    "checkin_by_code",
    "daily_counter_next",
    "people_ahead",
    "terminal_authenticate",
    "terminal_token_issue",
    "ticket_applicant_set",
    "ticket_call_next",
    "ticket_event_record",
    "ticket_finish",
    "ticket_get_for_clerk",
    "ticket_mark_missed",
    "ticket_park",
    "ticket_recall",
    "ticket_resume",
    "ticket_start",
    "ticket_transfer",
    "ticket_transition",
    "ticket_walk_in",
    "todays_appointment_code",
    "walk_in_hours_check",
]
