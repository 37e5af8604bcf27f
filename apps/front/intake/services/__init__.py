"""The front's case, written here: the window's intake (window.py), what the applicant starts or changes
(applicant.py), and the periodic jobs (jobs.py). Import from here."""

from .applicant import case_prefile, case_start_assisted, case_supplement, case_withdraw
from .jobs import cases_fill_open_dates, cases_intake_deadline_warn, cases_reconcile
from .remote import RemoteLine, case_conclude_remote
from .window import (
    WAITING_ON_CENTRAL,
    Reuse,
    Upload,
    case_accept,
    case_accept_received,
    case_notify_missing,
    case_receive,
    case_refuse,
    case_transition,
    prefiled_for_ticket,
    upload_check,
)

__all__ = [
    "WAITING_ON_CENTRAL",
    "RemoteLine",
    "Reuse",
    "Upload",
    "case_accept",
    "case_accept_received",
    "case_conclude_remote",
    "case_notify_missing",
    "case_prefile",
    "case_receive",
    "case_refuse",
    "case_start_assisted",
    "case_supplement",
    "case_transition",
    "case_withdraw",
    "cases_fill_open_dates",
    "cases_intake_deadline_warn",
    "cases_reconcile",
    "prefiled_for_ticket",
    "upload_check",
]
