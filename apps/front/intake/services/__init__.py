"""The front's case, written here: the window's intake (window.py; materials.py: uploads checked, stored, reused from the vault), what every acceptance puts in place
(acceptance.py), the cases the hall holds and the acceptance by law (held.py), the 容缺 follow-up
(commitments.py), what the applicant starts or changes (applicant.py), fully online applications and their
pre-review (online.py), the one visit to see their originals (originals.py), the periodic jobs (jobs.py), and the case a remote-window session concluded
(remote.py). Import from here."""

from .applicant import case_prefile, case_start_assisted, case_supplement, case_withdraw, cases_prefiling_lapse
from .commitments import case_commitment_supply, cases_commitment_enforce, cases_commitment_remind
from .held import (
    case_deem_accepted,
    case_hold_supplement,
    case_notify_received,
    case_refuse_received,
    cases_deem_accepted,
    cases_notice_lapse,
)
from .jobs import cases_close_finished, cases_fill_open_dates, cases_intake_deadline_warn, cases_reconcile
from .materials import Reuse, Upload, upload_check
from .online import (
    StoredUpload,
    case_online_resubmit,
    case_prereview_accept,
    case_prereview_notice,
    case_prereview_refuse,
    case_receive_online,
)
from .originals import (
    original_mark,
    original_visit_book,
    original_visit_cancel,
    originals_check_for_ticket,
    originals_to_see,
)
from .remote import RemoteLine, case_conclude_remote
from .window import (
    WAITING_ON_CENTRAL,
    appointment_lineage,
    case_accept,
    case_accept_received,
    case_notify_missing,
    case_receive,
    case_refuse,
    case_transition,
    prefiled_for_ticket,
    ticket_served,
)

__all__ = [
    "WAITING_ON_CENTRAL",
    "RemoteLine",
    "Reuse",
    "StoredUpload",
    "Upload",
    "appointment_lineage",
    "case_accept",
    "case_accept_received",
    "case_commitment_supply",
    "case_conclude_remote",
    "case_deem_accepted",
    "case_hold_supplement",
    "case_notify_missing",
    "case_notify_received",
    "case_online_resubmit",
    "case_prefile",
    "case_prereview_accept",
    "case_prereview_notice",
    "case_prereview_refuse",
    "case_receive",
    "case_receive_online",
    "case_refuse",
    "case_refuse_received",
    "case_start_assisted",
    "case_supplement",
    "case_transition",
    "case_withdraw",
    "cases_close_finished",
    "cases_commitment_enforce",
    "cases_commitment_remind",
    "cases_deem_accepted",
    "cases_fill_open_dates",
    "cases_intake_deadline_warn",
    "cases_notice_lapse",
    "cases_prefiling_lapse",
    "cases_reconcile",
    "original_mark",
    "original_visit_book",
    "original_visit_cancel",
    "originals_check_for_ticket",
    "originals_to_see",
    "prefiled_for_ticket",
    "ticket_served",
    "upload_check",
]
