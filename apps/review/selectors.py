from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.accounts.models import Role, User

from .models import ApproverPost, ReviewCase


def _department_id(user: User) -> int | None:
    post = ApproverPost.objects.filter(user=user).first()
    return post.department_id if post else None


def cases_for_approver(*, user: User) -> QuerySet[ReviewCase]:
    """Approvers see their department's cases; central supervisors see all."""
    qs = ReviewCase.objects.select_related("matter", "department", "platform").order_by("received_at")
    if user.role in (Role.CENTRAL_SUPERVISOR, Role.ADMIN):
        return qs
    return qs.filter(department_id=_department_id(user))


def case_get_for_approver(*, user: User, case_id: int) -> ReviewCase:
    """404 for another department's case."""
    return get_object_or_404(cases_for_approver(user=user).prefetch_related("materials", "events"), id=case_id)
