"""Periodic work at central: cases whose correction period (or suspension for deferred items) passed closed,
and the supervisors' daily digest of cases near or past their limit."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.utils import timezone

from apps.shared.accounts.models import Role, User
from apps.shared.workcalendar.selectors import calendar_get

from ..models import ReviewCase, ReviewStatus
from ..selectors import overdue_by_department
from .exits import case_close_uncorrected
from .suspension import case_close_suspended


def cases_close_uncorrected(*, today: dt.date | None = None) -> int:
    """Close every case whose correction period is over with no answer, each in its own transaction (one
    case that cannot be closed holds up no other). Safe to run twice: a closed case is no longer waiting
    for a correction, so it is closed, and its front told, once."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    # The deadline only moves later (to the next working day), so a case due today or later cannot be over.
    waiting = ReviewCase.objects.filter(status=ReviewStatus.CORRECTION, correction_deadline__lt=today)
    return sum(
        case_close_uncorrected(case_id=case_id, today=today, calendar=calendar)
        for case_id in waiting.values_list("id", flat=True).order_by("id")
    )


def cases_close_suspended(*, today: dt.date | None = None) -> int:
    """Close every suspended case whose period for the deferred items has passed with them still owed, each in
    its own transaction. Safe to run twice: a closed case is no longer suspended."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    waiting = ReviewCase.objects.filter(status=ReviewStatus.SUSPENDED)
    return sum(
        case_close_suspended(case_id=case_id, today=today, calendar=calendar)
        for case_id in waiting.values_list("id", flat=True).order_by("id")
    )


def overdue_digest_send(*, today: dt.date | None = None) -> int:
    """The supervisors' daily digest of overdue (red) and nearly overdue (yellow) cases by department.
    Sent by email after reading only; a second run the same day just sends the same digest again."""
    rows = [r for r in overdue_by_department(today=today) if r["red"] or r["yellow"]]
    if not rows:
        return 0
    lines = [f"{(today or timezone.localdate()):%Y-%m-%d} 审批时限预警"]
    for row in rows:
        lines.append(
            f"\n{row['department']}：在办 {row['open']} 件，超期 {len(row['red'])} 件，临期 {len(row['yellow'])} 件"
        )
        lines.extend(f"  [超法定时限] {c['number']} {c['matter']}" for c in row["beyond_legal"])
        lines.extend(f"  [超期] {c['number']} {c['matter']}" for c in row["red"])
        lines.extend(f"  [临期] {c['number']} {c['matter']} 期限 {c['due']}" for c in row["yellow"])
    recipients = list(
        User.objects.filter(role=Role.CENTRAL_SUPERVISOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        send_mail("审批时限预警日报", "\n".join(lines), None, recipients)
    return len(recipients)
