"""Who works on a case: an approver claims an unassigned case of their department or gives it back; a
central supervisor assigns it, reassigns it (with a reason) or takes it over. A transferred case is taken
up by its new department with its first claim or assignment, and goes back to review."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from govservice.lib.errors import Conflict, DomainError

from ..models import ReviewCase, ReviewStatus
from ..selectors import case_get_for_approver
from .moves import _approver_only, _locked, _move, _note, _reason, _supervisor_only
from .suspension import case_back_in_review


def _open(case: ReviewCase) -> None:
    if case.finished:
        raise Conflict(_("办件已办结，不能再分派。"), code="invalid_state")


def _hand_to(case: ReviewCase, user: User, *, actor: User, note: str) -> None:
    ReviewCase.objects.filter(id=case.id).update(assignee=user)
    case.assignee = user
    _note(case, actor=actor, note=note)
    if case.transferred:
        # The receiving department takes the transferred case up: back to review, the clock still running.
        _move(case, to_status=ReviewStatus.IN_REVIEW, actor=actor, note=f"{case.department.name}接收转办")
        case_back_in_review(case, actor=actor)


@transaction.atomic
def case_claim(*, approver: User, case_id: int) -> ReviewCase:
    """Take an unassigned case of one's department (first come, first served)."""
    _approver_only(approver)
    case = _locked(user=approver, case_id=case_id)  # 404 for another department
    _open(case)
    if case.assignee_id is not None:
        raise Conflict(_("该办件已被认领。"), code="already_claimed")
    _hand_to(case, approver, actor=approver, note="认领")
    return case


@transaction.atomic
def case_release(*, approver: User, case_id: int) -> ReviewCase:
    case = case_get_for_approver(user=approver, case_id=case_id)
    if not ReviewCase.objects.filter(id=case.id, assignee=approver).update(assignee=None):
        raise Conflict(_("只能退回自己认领的办件。"), code="not_assignee")
    case.assignee = None
    _note(case, actor=approver, note="退回待认领")
    return case


@transaction.atomic
def case_assign(*, supervisor: User, case_id: int, approver_id: int, reason: str = "") -> ReviewCase:
    """A central supervisor hands a case to an approver of the case's department; taking it from someone
    who holds it (reassigning) says why."""
    _supervisor_only(supervisor)
    case = _locked(user=supervisor, case_id=case_id)
    _open(case)
    approver = User.objects.filter(
        id=approver_id, role=Role.APPROVER, is_active=True, approver_post__department=case.department
    ).first()
    if approver is None:
        raise DomainError(_("该人员不属于办件所属部门。"), code="wrong_department")
    if case.assignee_id == approver.id:
        return case
    if case.assignee is None:
        _hand_to(case, approver, actor=supervisor, note=f"分派给 {approver.display_name}")
    else:
        why = _reason(reason, _("改派已认领的办件须说明理由。"))
        _hand_to(
            case,
            approver,
            actor=supervisor,
            note=f"由 {case.assignee.display_name} 改派给 {approver.display_name}：{why}",
        )
    return case


@transaction.atomic
def case_take_over(*, supervisor: User, case_id: int, reason: str) -> ReviewCase:
    """A central supervisor takes a case over and works on it themselves (an absent approver, an urgent or
    sensitive case), with a reason on the timeline."""
    _supervisor_only(supervisor)
    why = _reason(reason, _("接办须说明理由。"))
    case = _locked(user=supervisor, case_id=case_id)
    _open(case)
    if case.assignee_id == supervisor.id:
        return case
    held = f"（原认领人 {case.assignee.display_name}）" if case.assignee else ""
    _hand_to(case, supervisor, actor=supervisor, note=f"主管接办{held}：{why}")
    return case
