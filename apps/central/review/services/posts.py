"""Who works for which department at central (审批人员的岗位): a central supervisor posts an approver to a
department, moves them, or ends their post; only an administrator makes someone a central supervisor (the head
of the office approves extensions, transfers and voids) or takes that back. Each change is recorded by the
post's audit trail (pghistory, with the request's user)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Department
from govservice.lib.errors import Conflict, DomainError

from ..models import FINISHED, ApproverPost, ReviewCase

# The accounts a post is for; other staff (a hall's clerks, administrators) work elsewhere.
CENTRAL_STAFF = frozenset({Role.APPROVER, Role.CENTRAL_SUPERVISOR})


def _may_post(actor: User) -> None:
    if actor.role not in (Role.CENTRAL_SUPERVISOR, Role.ADMIN):
        raise DomainError(_("只有后台主管可以管理审批人员岗位。"), code="forbidden")


def _staff(user_id: int) -> User:
    user = User.objects.select_for_update().filter(id=user_id, is_active=True).first()
    if user is None or user.role not in CENTRAL_STAFF:
        raise DomainError(_("只能为审批总后台的在岗人员设置岗位。"), code="not_central_staff")
    return user


def _holds_cases_elsewhere(user: User, department: Department | None) -> None:
    """Cases the person holds stay with their department: moved or ended, they would hold cases they may no
    longer open. The supervisor reassigns them first."""
    held = ReviewCase.objects.filter(assignee=user).exclude(status__in=FINISHED)
    if department is not None:
        held = held.exclude(department=department)
    count = held.count()
    if count:
        raise Conflict(
            _("%(name)s仍认领着%(count)s件在办件，请先改派后再调整岗位。")
            % {"name": user.real_name or user.username, "count": count},
            code="holds_cases",
        )


@transaction.atomic
def approver_post_set(*, actor: User, user_id: int, department_code: str, role: str) -> ApproverPost:
    """Post a member of central's staff to a department with a role (approver or central supervisor)."""
    _may_post(actor)
    user = _staff(user_id)
    if role not in CENTRAL_STAFF:
        raise DomainError(_("岗位角色无效。"), code="invalid")
    if role != user.role and actor.role != Role.ADMIN:
        raise DomainError(_("只有系统管理员可以任免后台主管。"), code="forbidden")
    department = Department.objects.filter(code=department_code.strip()).first()
    if department is None:
        raise DomainError(_("没有这个部门。"), code="unknown_department")
    _holds_cases_elsewhere(user, department)
    if role != user.role:
        User.objects.filter(id=user.id).update(role=role)
        user.role = role
    post, _created = ApproverPost.objects.update_or_create(user=user, defaults={"department": department})
    return post


@transaction.atomic
def approver_post_end(*, actor: User, user_id: int) -> None:
    """End someone's post: they no longer see or work on any department's cases."""
    _may_post(actor)
    user = _staff(user_id)
    if user.role == Role.CENTRAL_SUPERVISOR and actor.role != Role.ADMIN:
        raise DomainError(_("只有系统管理员可以任免后台主管。"), code="forbidden")
    _holds_cases_elsewhere(user, None)
    ApproverPost.objects.filter(user=user).delete()
