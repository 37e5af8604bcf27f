"""The review clock's extension (行政许可法 Art. 42): the approver holding a case asks, with a reason; only
the head of the office (行政机关负责人, a central supervisor) approves, and only then does the limit move
— by 10 working days, 15 for a matter handled jointly — and the applicant is told the reason. Once per
case; a request nobody answered lapses when the case ends.

Only within the period: the law extends a limit that has not yet run out ("二十日内不能作出决定的，经本行政机关
负责人批准，可以延长十日"), so a request made after the legal limit's last working day is refused, and so is an
approval given after it (the head answered too late; the request may still be refused with a reason). The limit
is the legal one (20 working days, 45 for joint handling), not the promise, which is shorter. A day off after
the last working day is already past it; a paused clock (a correction, a special procedure) keeps its count."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from apps.shared.exchange import contract
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib import lifecycle
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.workdays import CalendarUnknown

from ..models import EXTENSION_WORKDAYS, ExtensionRequest, ExtensionStatus, ReviewCase
from ..selectors import clock_of, legal_clock_of
from .moves import _locked, _mine, _note, _reason, _supervisor_only, _tell_front

__all__ = [
    "EXTENSION_WORKDAYS",
    "case_extension_approve",
    "case_extension_refuse",
    "case_extension_request",
    "extension_lapse",
]


def _due(case: ReviewCase) -> dt.date | None:
    """None while the limit reaches a year whose holidays are not published ("" on the wire: 待定)."""
    return clock_of(case).due_date(timezone.localdate(), calendar_get())


def _extendable(case: ReviewCase) -> None:
    if case.extended_days:
        raise Conflict(_("本件已延期一次，不能再次延期。"), code="already_extended")
    if not case.can_extend:
        raise Conflict(_("办件当前状态不能延期。"), code="invalid_state")


def _legal_period_over(case: ReviewCase) -> bool:
    """Whether the legal limit ran out before today (Clock.over: the rule the SLA colours follow too). Raises
    Conflict when today's count needs a year whose holidays are unpublished (an extension is not granted on a
    guess)."""
    try:
        return legal_clock_of(case).over(timezone.localdate(), calendar_get())
    except CalendarUnknown as exc:
        raise Conflict(
            _("%(year)s年的节假日安排尚未发布，无法确定法定办结期限是否届满，暂不能办理延期。") % {"year": exc.year},
            code="calendar_unknown",
        ) from None


def extension_in_time(case: ReviewCase) -> bool:
    """Whether an extension may still be asked for: the legal period has not run out (Art. 42). True when the
    year's holidays are unpublished, so the request answers why it cannot be granted on a guess."""
    try:
        return not _legal_period_over(case)
    except Conflict:
        return True


def _within_legal_period(case: ReviewCase, *, approving: bool = False) -> None:
    """Refuse an extension asked for (``legal_limit_passed``) or approved (``extension_too_late``) after the legal
    limit ran out: the one check both acts make, the rule itself in :func:`_legal_period_over`."""
    if not _legal_period_over(case):
        return
    if approving:
        raise Conflict(
            _(
                "法定办结期限（%(limit)s个工作日）已届满，延期须在期限届满前批准，现已逾期，不能再批准；"
                "请以“不批准”答复该申请并说明理由。"
            )
            % {"limit": case.legal_limit},
            code="extension_too_late",
        )
    raise Conflict(
        _("办件已超过法定办结期限（%(limit)s个工作日），延期须在期限届满前申请，不能再申请延期。")
        % {"limit": case.legal_limit},
        code="legal_limit_passed",
    )


@transaction.atomic
def case_extension_request(*, approver: User, case_id: int, reason: str) -> ReviewCase:
    """Ask the head of the office to extend the limit; nothing moves until they approve."""
    why = _reason(reason, _("延期须说明理由。"))
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    _extendable(case)
    _within_legal_period(case)
    if case.extension_requests.filter(status=ExtensionStatus.REQUESTED).exists():
        raise Conflict(_("延期申请已提交，正待负责人审批。"), code="extension_pending")
    days = case.extension_workdays
    ExtensionRequest.objects.create(case=case, days=days, reason=why, requested_by=approver)
    _note(case, actor=approver, note=f"申请延期{days}个工作日，待负责人审批：{why}")
    return case


def _pending(case: ReviewCase) -> ExtensionRequest:
    request = case.extension_requests.select_for_update().filter(status=ExtensionStatus.REQUESTED).first()
    if request is None:
        raise Conflict(_("本件没有待审批的延期申请。"), code="no_extension_request")
    return request


@transaction.atomic
def case_extension_approve(*, supervisor: User, case_id: int, note: str = "") -> ReviewCase:
    """Approve the waiting request: the limit grows and the applicant is told why and the new date."""
    _supervisor_only(supervisor)
    case = _locked(user=supervisor, case_id=case_id)
    request = _pending(case)
    if request.requested_by_id == supervisor.id:
        # A supervisor who took a case over does not approve their own extension.
        raise DomainError(_("不能审批本人提出的延期申请。"), code="own_request")
    _extendable(case)
    _within_legal_period(case, approving=True)
    lifecycle.move(
        request,
        ExtensionStatus.APPROVED,
        fields={"decided_by": supervisor, "decided_at": timezone.now(), "decision_note": note.strip()},
    )
    ReviewCase.objects.filter(id=case.id).update(extended_days=request.days, extension_reason=request.reason)
    case.extended_days, case.extension_reason = request.days, request.reason
    _note(case, actor=supervisor, note=f"负责人批准延期{request.days}个工作日：{request.reason}")
    _tell_front(
        case,
        contract.CaseExtended(
            number=case.front_number, reason=request.reason, days=request.days, promised_date=_due(case)
        ),
        supervisor,
    )
    return case


@transaction.atomic
def case_extension_refuse(*, supervisor: User, case_id: int, reason: str) -> ReviewCase:
    """Refuse the waiting request with a reason; the limit stays, and the approver may ask again."""
    _supervisor_only(supervisor)
    why = _reason(reason, _("不批准延期须说明理由。"))
    case = _locked(user=supervisor, case_id=case_id)
    request = _pending(case)
    lifecycle.move(
        request,
        ExtensionStatus.REFUSED,
        fields={"decided_by": supervisor, "decided_at": timezone.now(), "decision_note": why},
    )
    _note(case, actor=supervisor, note=f"负责人不批准延期：{why}")
    return case


def extension_lapse(case: ReviewCase, *, why: str) -> None:
    """The case ended before anyone answered its extension request (in the caller's transaction)."""
    for request in case.extension_requests.select_for_update().filter(status=ExtensionStatus.REQUESTED):
        lifecycle.move(request, ExtensionStatus.LAPSED, fields={"decided_at": timezone.now(), "decision_note": why})
