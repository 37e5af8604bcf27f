"""The hall's side of a remote session (issue 14): sessions.py starts it (a kiosk for a citizen, or a clerk with
the ticket served), relays what the hall does to central with the join ticket and follows central's state;
outcomes.py applies its end as central tells it (the case made, or a call-back when nobody answered)."""

from .outcomes import session_concluded, session_ended
from .sessions import (
    remote_matters,
    session_form,
    session_hangup,
    session_poll,
    session_scan,
    session_signal,
    session_start_at_kiosk,
    session_start_at_window,
)

__all__ = [
    "remote_matters",
    "session_concluded",
    "session_ended",
    "session_form",
    "session_hangup",
    "session_poll",
    "session_scan",
    "session_signal",
    "session_start_at_kiosk",
    "session_start_at_window",
]
