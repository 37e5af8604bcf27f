"""A case leaving its department's ordinary path (DOMAIN.md §5 side exits): a supervisor transfers a case
sent to the wrong department, or voids one opened in error, each with a reason; a case whose correction
period passed with no answer is closed. The front hears of each on the wire, and tells the applicant."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from apps.shared.catalog.models import Department
from apps.shared.exchange import contract
from apps.shared.workcalendar.selectors import calendar_get, period_end_or_none
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.workdays import WorkCalendar

from ..models import ReviewCase, ReviewStatus
from ..selectors import clock_of
from .clock import extension_lapse
from .moves import _clock_fields, _locked, _move, _reason, _supervisor_only, _tell_front


@transaction.atomic
def case_transfer(*, supervisor: User, case_id: int, department_code: str, reason: str) -> ReviewCase:
    """Send a case to the department that should decide it (转办). It waits there, unassigned and back at
    the first step, until someone of that department claims it or is assigned it. The clock is not touched:
    the time limit runs from acceptance (行政许可法 Art. 42) and DOMAIN.md §5 counts review time, which a
    transfer between the government's own departments still is; it is neither a correction nor a special
    procedure, the only pauses the law gives.

    A suspended case (容缺 items owed, services/suspension.py) goes with its suspension: its clock stays stopped
    and its dates (suspended on, last day for the items) are kept. The receiving department takes it up
    suspended again with the same last day, or in review with the clock running if the items came meanwhile
    (:func:`..suspension.case_suspension_lifted`); it is not closed while it is on its way (the job closes
    suspended cases only), so a last day that passed meanwhile closes it once it is taken up."""
    _supervisor_only(supervisor)
    why = _reason(reason, _("转办须说明理由。"))
    case = _locked(user=supervisor, case_id=case_id)
    if not case.can_transfer:
        raise Conflict(
            _("办件当前状态为“%(status)s”，不能转办。") % {"status": case.get_status_display()}, code="invalid_state"
        )
    target = Department.objects.filter(code=department_code.strip()).first()
    if target is None:
        raise DomainError(_("没有这个部门。"), code="unknown_department")
    if target.id == case.department_id:
        raise DomainError(_("办件已在该部门，无需转办。"), code="same_department")
    source = case.department
    extension_lapse(case, why="办件已转办")
    _move(
        case,
        to_status=ReviewStatus.TRANSFERRED,
        actor=supervisor,
        note=f"由{source.name}转至{target.name}：{why}",
        department=target,
        transferred_from=source,
        transfer_reason=why,
        assignee=None,
        step=0,
    )
    _tell_front(
        case, contract.CaseTransferred(number=case.front_number, department=target.name, reason=why), supervisor
    )
    return case


@transaction.atomic
def case_void(*, supervisor: User, case_id: int, reason: str) -> ReviewCase:
    """Void a case opened in error (a duplicate package, a test): the clock stops for good."""
    _supervisor_only(supervisor)
    why = _reason(reason, _("作废须说明理由。"))
    case = _locked(user=supervisor, case_id=case_id)
    clock = clock_of(case).pause(timezone.localdate(), calendar_get())
    extension_lapse(case, why="办件已作废")
    _move(
        case,
        to_status=ReviewStatus.VOIDED,
        actor=supervisor,
        note=f"作废：{why}",
        void_reason=why,
        **_clock_fields(clock),
    )
    _tell_front(case, contract.CaseVoided(number=case.front_number, reason=why), supervisor)
    return case


def correction_last_day(deadline: dt.date, calendar: WorkCalendar) -> dt.date | None:
    """The last day the applicant may answer: the deadline, or the first working day after it when it falls
    on a day off (民法典 Art. 203: a period whose last day is a holiday ends the day after the holiday; a
    make-up workday 调休 is a working day). None when the calendar cannot tell (an unpublished year: the
    case is left open rather than closed on a guess). The rule is the shared one (period_end_or_none), which
    the front's 容缺 commitments and one-time notices follow too."""
    return period_end_or_none(deadline, calendar)


@transaction.atomic
def case_close_uncorrected(*, case_id: int, today: dt.date, calendar: WorkCalendar) -> bool:
    """Close one case whose correction period is over with no answer (DOMAIN.md §5 CLOSED_NO_CORRECTION).
    False when it is not over, cannot be told yet, or the case has moved on (an answer arrived first)."""
    case = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("platform", "department", "matter")
        .filter(id=case_id, status=ReviewStatus.CORRECTION)
        .first()
    )
    if case is None or case.correction_deadline is None:
        return False
    last_day = correction_last_day(case.correction_deadline, calendar)
    if last_day is None or today <= last_day:
        return False
    extension_lapse(case, why="逾期未补正，办件终止")
    deadline = case.correction_deadline
    _move(
        case,
        to_status=ReviewStatus.CLOSED_NO_CORRECTION,
        actor=None,
        note=f"补正期限{deadline:%Y-%m-%d}已过，申请人未补正，终止办理",
    )
    _tell_front(case, contract.CaseClosedNoCorrection(number=case.front_number, deadline=deadline))
    return True
