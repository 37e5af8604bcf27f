from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.workcalendar.selectors import calendar_get
from govservice.lib.clocks import Clock, Sla

from .models import ApproverPost, ReviewCase, ReviewStatus


def _department_id(user: User) -> int | None:
    post = ApproverPost.objects.filter(user=user).first()
    return post.department_id if post else None


def cases_for_approver(*, user: User) -> QuerySet[ReviewCase]:
    """Approvers see their department's cases; central supervisors see all."""
    qs = ReviewCase.objects.select_related("matter", "department", "platform").order_by("received_at")
    if user.role in (Role.CENTRAL_SUPERVISOR, Role.ADMIN):
        return qs
    department_id = _department_id(user)
    if department_id is None:  # an approver not yet posted to a department sees nothing
        return qs.none()
    return qs.filter(department_id=department_id)


def case_get_for_approver(*, user: User, case_id: int) -> ReviewCase:
    """404 for another department's case."""
    return get_object_or_404(cases_for_approver(user=user).prefetch_related("materials", "events"), id=case_id)


def clock_of(case: ReviewCase) -> Clock:
    """The case's review clock against its promised limit (plus an extension)."""
    return Clock(limit=case.promised_limit + case.extended_days, used=case.clock_used, running_since=case.clock_running_since)


def case_sla(case: ReviewCase, *, today: dt.date | None = None, calendar=None) -> tuple[Sla, dt.date | None]:
    """SLA colour and due date of a case still being worked on; decided cases are done (green)."""
    if case.status in (ReviewStatus.DECIDED, ReviewStatus.WITHDRAWN):
        return Sla.GREEN, None
    today = today or timezone.localdate()
    calendar = calendar or calendar_get()
    clock = clock_of(case)
    return clock.sla(today, calendar), clock.due_date(today, calendar)


def overdue_by_department(*, today: dt.date | None = None) -> list[dict]:
    """For supervisors: per department, cases overdue (red) and nearly overdue (yellow)."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    rows: dict[str, dict] = {}
    open_cases = ReviewCase.objects.exclude(status__in=[ReviewStatus.DECIDED, ReviewStatus.WITHDRAWN]).select_related("department", "matter")
    for case in open_cases:
        colour, due = case_sla(case, today=today, calendar=calendar)
        row = rows.setdefault(case.department.name, {"department": case.department.name, "red": [], "yellow": [], "open": 0})
        row["open"] += 1
        if colour in (Sla.RED, Sla.YELLOW):
            row[colour.value].append({"id": case.id, "number": case.front_number, "matter": case.matter.name, "due": due})
    return sorted(rows.values(), key=lambda r: (-len(r["red"]), -len(r["yellow"]), r["department"]))
