"""中止 for a broken 容缺受理 commitment (DOMAIN.md §4, §5; issue 13), and its lawful ends.

The applicant was accepted on a written promise to bring minor items by a deadline and let it pass. No decision
is taken on a case whose materials are still owed, so the review is suspended: its clock stops and it waits, for
REVIEW_SUSPENSION_WORKDAYS working days from the suspension (a setting), for the items. Either they come
(deferred.py: the review resumes, the clock runs again, the front is told the new promised date), the applicant
withdraws, or the period passes: then the case is closed by a job as an application whose materials were never
completed (CLOSED_NO_CORRECTION, the same end DOMAIN.md §5 gives an unanswered correction: 申请材料不齐全且逾期
未补正的，终止办理), the front told over the wire and the applicant by the front.

A breach reported while the case is away from review (in a correction, a special procedure, or transferred)
changes nothing there; the case is suspended when it comes back to review (:func:`case_suspend_if_owed`), since
the items are still owed then. A suspended case may still be voided or transferred by a supervisor
(services/exits.py); a transferred one keeps its suspension until it is taken up or the items come.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.shared.accounts.models import User
from apps.shared.exchange import contract
from apps.shared.workcalendar.selectors import add_workdays_or_none, calendar_get
from govservice.lib.workdays import WorkCalendar

from ..conf import review_conf
from ..models import DeferredCommitment, ReviewCase, ReviewStatus
from ..selectors import clock_of
from .clock import _due, extension_lapse
from .moves import _clock_fields, _move, _tell_front


def _owed(case: ReviewCase) -> list[str]:
    commitment = DeferredCommitment.objects.filter(
        case=case, broken_at__isnull=False, fulfilled_at__isnull=True
    ).first()
    return list(commitment.outstanding or commitment.items) if commitment is not None else []


def _suspended_payload(case: ReviewCase, outstanding: list[str]) -> contract.CaseReviewSuspended:
    return contract.CaseReviewSuspended(
        number=case.front_number, outstanding=outstanding or ["容缺材料"], deadline=case.suspension_deadline
    )


def case_suspend(case: ReviewCase, *, note: str, actor: User | None = None) -> None:
    """Suspend a case under review (locked by the caller) for the deferred items owed: the clock stops, the last
    day for the items is fixed, the front is told. Nothing when no item is owed."""
    outstanding = _owed(case)
    if not outstanding or case.status != ReviewStatus.IN_REVIEW:
        return
    today = timezone.localdate()
    calendar = calendar_get()
    clock = clock_of(case).pause(today, calendar)
    if case.suspended_on is not None:
        # Suspended before a transfer, taken up by the new department: the same suspension, the same last day.
        suspended_on, deadline = case.suspended_on, case.suspension_deadline
    else:
        suspended_on = today
        deadline = add_workdays_or_none(today, review_conf.REVIEW_SUSPENSION_WORKDAYS, calendar)
    until = f"，须于{deadline:%Y-%m-%d}前补齐，逾期终止办理" if deadline else "，补齐期限待节假日安排公布后确定"
    _move(
        case,
        to_status=ReviewStatus.SUSPENDED,
        actor=actor,
        note=note + until,
        suspended_on=suspended_on,
        suspension_deadline=deadline,
        **_clock_fields(clock),
    )
    _tell_front(case, _suspended_payload(case, outstanding), actor)


def case_suspend_if_owed(case: ReviewCase, *, actor: User | None = None) -> None:
    """Called when a case comes back to review from a correction (locked by the caller, the front already in
    review: it sent the answer): suspended at once if deferred items became owed past their deadline meanwhile."""
    case_suspend(case, note="容缺材料逾期未补齐，回到审查时中止审查", actor=actor)


def case_back_in_review(case: ReviewCase, *, actor: User | None = None) -> None:
    """Tell the front a case is back in review (locked by the caller, just moved to IN_REVIEW from a special
    procedure or taken up after a transfer), with the one message that is true: suspended, when deferred items
    are owed (a suspension that went with a transfer, or a breach meanwhile) — the front takes its mirror back to
    review and shows the suspension, and does not tell the applicant again a suspension they were told of — or
    else resumed, with the promised date. Never "resumed" and then "suspended": the front would show a running
    clock it does not have (and, after a transfer, lose the promised date and tell the suspension twice)."""
    case_suspend_if_owed(case, actor=actor)
    if case.status == ReviewStatus.IN_REVIEW:
        _tell_front(case, contract.CaseReviewResumed(number=case.front_number, promised_date=_due(case)), actor)


def case_resume_supplied(case: ReviewCase, *, note: str) -> dt.date | None:
    """The last deferred item came: a suspended review resumes, its clock runs again, the suspension's dates are
    cleared. Returns the new promised date (None while it falls in an unpublished year)."""
    today = timezone.localdate()
    clock = clock_of(case).resume(today)
    _move(
        case,
        to_status=ReviewStatus.IN_REVIEW,
        actor=None,
        note=note,
        suspended_on=None,
        suspension_deadline=None,
        **_clock_fields(clock),
    )
    return clock.due_date(today, calendar_get())


def case_suspension_lifted(case: ReviewCase) -> None:
    """The last deferred item came while a case suspended for it is on its way to another department
    (TRANSFERRED; locked by the caller): the suspension ends now, the clock runs again and the suspension's
    dates are cleared; the status stays, and the receiving department takes the case up in review."""
    if case.status != ReviewStatus.TRANSFERRED or case.suspended_on is None:
        return
    clock = clock_of(case).resume(timezone.localdate())
    fields = {"suspended_on": None, "suspension_deadline": None, **_clock_fields(clock)}
    ReviewCase.objects.filter(id=case.id).update(**fields)
    for name, value in fields.items():
        setattr(case, name, value)


@transaction.atomic
def case_close_suspended(*, case_id: int, today: dt.date, calendar: WorkCalendar) -> bool:
    """Close one suspended case whose period passed with the deferred items still owed. False when it has not
    passed, cannot be told yet (an unpublished year: left open, never closed on a guess), or the case moved on."""
    case = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("platform", "department", "matter")
        .filter(id=case_id, status=ReviewStatus.SUSPENDED)
        .first()
    )
    if case is None:
        return False
    deadline = case.suspension_deadline
    if deadline is None and case.suspended_on is not None:
        # Suspended while the period reached an unpublished year: fixed once that year is published, and the
        # applicant told the date before anything is closed on it.
        deadline = add_workdays_or_none(case.suspended_on, review_conf.REVIEW_SUSPENSION_WORKDAYS, calendar)
        if deadline is not None:
            ReviewCase.objects.filter(id=case.id).update(suspension_deadline=deadline)
            case.suspension_deadline = deadline
            _tell_front(case, _suspended_payload(case, _owed(case)))
        return False
    if deadline is None or today <= deadline:
        return False
    outstanding = _owed(case)
    extension_lapse(case, why="容缺材料逾期未补齐，办件终止")
    _move(
        case,
        to_status=ReviewStatus.CLOSED_NO_CORRECTION,
        actor=None,
        note=f"中止期限{deadline:%Y-%m-%d}已过，容缺材料仍未补齐（" + "、".join(outstanding) + "），终止办理",
    )
    _tell_front(case, contract.CaseClosedNoCorrection(number=case.front_number, deadline=deadline))
    return True
