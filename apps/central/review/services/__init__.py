"""Central's review, written here: who works on a case (claiming.py), the review's steps, corrections,
special procedures, decision and result (steps.py), the clock's extension (clock.py), the review as the
front sees it and the front's messages applied (wire.py), and the periodic jobs (jobs.py). Import from here."""

from .claiming import case_assign, case_claim, case_release
from .clock import EXTENSION_WORKDAYS, case_extend
from .jobs import overdue_digest_send
from .steps import (
    case_decide,
    case_end_special_procedure,
    case_issue_result,
    case_request_correction,
    case_start_special_procedure,
    case_step,
)
from .wire import cases_resync, delivery_choice_apply, delivery_record, supplement_apply, withdrawal_apply

__all__ = [
    "EXTENSION_WORKDAYS",
    "case_assign",
    "case_claim",
    "case_decide",
    "case_end_special_procedure",
    "case_extend",
    "case_issue_result",
    "case_release",
    "case_request_correction",
    "case_start_special_procedure",
    "case_step",
    "cases_resync",
    "delivery_choice_apply",
    "delivery_record",
    "overdue_digest_send",
    "supplement_apply",
    "withdrawal_apply",
]
