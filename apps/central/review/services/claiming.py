"""Who works on a case: an approver claims an unassigned case of their department or gives it back; a
central supervisor assigns it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from govservice.lib.errors import Conflict, DomainError

from ..models import ReviewCase
from ..selectors import case_get_for_approver
from .moves import _approver_only, _note


@transaction.atomic
def case_claim(*, approver: User, case_id: int) -> ReviewCase:
    """Take an unassigned case of one's department (first come, first served)."""
    _approver_only(approver)
    case = case_get_for_approver(user=approver, case_id=case_id)
    if not ReviewCase.objects.filter(id=case.id, assignee__isnull=True).update(assignee=approver):
        raise Conflict(_("该办件已被认领。"), code="already_claimed")
    case.assignee = approver
    _note(case, actor=approver, note="认领")
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
def case_assign(*, supervisor: User, case_id: int, approver_id: int) -> ReviewCase:
    """A central supervisor hands a case to an approver of the case's department."""
    if supervisor.role != Role.CENTRAL_SUPERVISOR:
        raise DomainError(_("只有后台主管可以分派。"), code="forbidden")
    case = case_get_for_approver(user=supervisor, case_id=case_id)
    approver = User.objects.filter(
        id=approver_id, role=Role.APPROVER, approver_post__department=case.department
    ).first()
    if approver is None:
        raise DomainError(_("该人员不属于办件所属部门。"), code="wrong_department")
    ReviewCase.objects.filter(id=case.id).update(assignee=approver)
    case.assignee = approver
    _note(case, actor=supervisor, note=f"分派给 {approver.display_name}")
    return case
