"""Central's review, written here: who works on a case (claiming.py), the review's steps, corrections,
special procedures, decision and result (steps.py), the clock's extension with the head's approval
(clock.py), transfers, voids and closures without correction (exits.py), the suspension for deferred items owed and its
ends (suspension.py), the review as the front sees it
and the front's messages applied (wire.py), and the periodic jobs (jobs.py). Import from here."""

from .claiming import case_assign, case_claim, case_release, case_take_over
from .clock import (
    EXTENSION_WORKDAYS,
    case_extension_approve,
    case_extension_refuse,
    case_extension_request,
    extension_in_time,
)
from .exits import case_close_uncorrected, case_transfer, case_void, correction_last_day
from .jobs import cases_close_suspended, cases_close_uncorrected, overdue_digest_send
from .posts import approver_post_end, approver_post_set
from .steps import (
    case_decide,
    case_end_special_procedure,
    case_issue_result,
    case_request_correction,
    case_start_special_procedure,
    case_step,
)
from .wire import (
    cases_resync,
    delivery_choice_apply,
    delivery_record,
    supplement_apply,
    supplement_too_late,
    withdrawal_apply,
)

__all__ = [
    "EXTENSION_WORKDAYS",
    "approver_post_end",
    "approver_post_set",
    "case_assign",
    "case_claim",
    "case_close_uncorrected",
    "case_decide",
    "case_end_special_procedure",
    "case_extension_approve",
    "case_extension_refuse",
    "case_extension_request",
    "case_issue_result",
    "case_release",
    "case_request_correction",
    "case_start_special_procedure",
    "case_step",
    "case_take_over",
    "case_transfer",
    "case_void",
    "cases_close_suspended",
    "cases_close_uncorrected",
    "cases_resync",
    "correction_last_day",
    "delivery_choice_apply",
    "delivery_record",
    "extension_in_time",
    "overdue_digest_send",
    "supplement_apply",
    "supplement_too_late",
    "withdrawal_apply",
]
