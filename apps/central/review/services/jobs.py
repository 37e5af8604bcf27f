"""Periodic work at central: the supervisors' daily digest of cases near or past their limit."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.utils import timezone

from apps.shared.accounts.models import Role, User

from ..selectors import overdue_by_department


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
