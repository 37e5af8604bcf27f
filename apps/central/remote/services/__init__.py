"""Central's remote sessions, written here: their lifecycle (sessions.py) and what passes while they are live
(live.py). Import from here."""

from .live import (
    KINDS,
    form_update,
    hall_session,
    identity_confirm,
    note_save,
    pointer_set,
    poll,
    scan_receive,
    scan_request,
    signal_send,
    staff_session,
)
from .recordings import recording_receive
from .sessions import (
    REGISTRY_PURPOSE,
    case_opened,
    event_record,
    session_answer,
    session_conclude,
    session_end,
    session_open,
    sessions_end_abandoned,
    sessions_expire,
    staff_department_id,
    staff_label,
)

__all__ = [
    "KINDS",
    "REGISTRY_PURPOSE",
    "case_opened",
    "event_record",
    "form_update",
    "hall_session",
    "identity_confirm",
    "note_save",
    "pointer_set",
    "poll",
    "recording_receive",
    "scan_receive",
    "scan_request",
    "session_answer",
    "session_conclude",
    "session_end",
    "session_open",
    "sessions_end_abandoned",
    "sessions_expire",
    "signal_send",
    "staff_department_id",
    "staff_label",
    "staff_session",
]
