from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.intake.conf import intake_conf
from apps.shared.accounts.models import User
from apps.shared.workcalendar.selectors import add_workdays_or_none, calendar_get
from govservice.lib.workdays import WorkCalendar

from .models import Case, CaseStatus, EvidenceItem


def case_get_for_citizen(*, citizen: User, number: str) -> Case:
    """404 when the case is not this citizen's."""
    return get_object_or_404(
        Case.objects.select_related("matter", "hall").prefetch_related("events"), citizen=citizen, number=number
    )


def case_for_lookup(*, number: str) -> Case | None:
    """A case by its number alone, for the public status lookup; the caller checks the query password."""
    return Case.objects.select_related("matter", "hall", "citizen").prefetch_related("events").filter(number=number).first()


def cases_for_citizen(*, citizen: User) -> QuerySet[Case]:
    return Case.objects.filter(citizen=citizen).select_related("matter", "hall").order_by("-received_at")


def cases_for_staff(*, user: User) -> QuerySet[Case]:
    """Hall staff see the cases received at their own hall only."""
    post = StaffPost.objects.filter(user=user).first()
    if post is None:
        return Case.objects.none()
    return Case.objects.filter(hall_id=post.hall_id).select_related("matter", "hall", "citizen").order_by("-received_at")


def case_get_for_staff(*, user: User, number: str) -> Case:
    """404 for a case of another hall."""
    return get_object_or_404(cases_for_staff(user=user).prefetch_related("events"), number=number)


def evidence_for_matter(*, citizen: User, matter) -> dict[int, list[EvidenceItem]]:
    """Vault evidence matching each material of the matter by name, still valid, most trusted first."""
    names = {m.name: m.id for m in matter.materials.all()}
    today = timezone.localdate()
    items = EvidenceItem.objects.filter(citizen=citizen, name__in=names).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    offered: dict[int, list[EvidenceItem]] = {}
    for item in items.order_by("trust_level", "-created_at"):
        offered.setdefault(names[item.name], []).append(item)
    return offered


def supervisor_near_limit(*, hall_id: int, today: dt.date) -> dict[str, Any]:
    """The hall supervisor's panel of received cases near the intake limit (the floor's supervisor_panels
    hook): no notice sent yet, the nearest limit first."""
    near_limit = list(
        Case.objects.filter(
            intake_near_limit_q(today=today, calendar=calendar_get()),
            hall_id=hall_id,
            status=CaseStatus.RECEIVED,
            notice_sent_at__isnull=True,
        )
        .select_related("matter")
        .order_by("intake_deadline")[:50]
    )
    return {"near_limit": near_limit}


def intake_near_limit_q(*, today: dt.date, calendar: WorkCalendar) -> Q:
    """Received cases whose 5-working-day intake limit is near. A limit left open (it reached a year whose
    holidays are not published) counts as near, and while the horizon itself cannot be counted so does
    every limit within a week: a supervisor warned once too often is better than a limit passed unseen."""
    horizon = add_workdays_or_none(today, intake_conf.INTAKE_WARN_WORKDAYS_BEFORE, calendar)
    near = Q(intake_deadline__lte=horizon if horizon is not None else today + dt.timedelta(days=7))
    return near | Q(intake_deadline__isnull=True)

