from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.shared.accounts.models import Role, User
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.clocks import Clock, Sla
from govservice.lib.stats import Percentile, Period, one_decimal, rate

from .models import ApproverPost, DeliveryMethod, ReviewCase, ReviewStatus


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


@dataclass(frozen=True)
class OpenCaseClock:
    """A case still being worked on, with its clock read once for a given day."""

    case: ReviewCase
    clock: Clock
    sla: Sla
    due: dt.date | None
    used: int | None  # working days used; None when the calendar cannot tell


def open_case_clocks(*, today: dt.date | None = None) -> list[OpenCaseClock]:
    """Every open case and its clock (one query; the working-day arithmetic needs the calendar, so it runs
    here, once per case, for all the views of the dashboard)."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    open_cases = ReviewCase.objects.exclude(status__in=[ReviewStatus.DECIDED, ReviewStatus.WITHDRAWN]).select_related(
        "department", "matter"
    )
    result = []
    for case in open_cases:
        clock = clock_of(case)
        colour = clock.sla(today, calendar)
        used = None if colour == Sla.UNKNOWN else clock.used_by(today, calendar)
        result.append(OpenCaseClock(case, clock, colour, clock.due_date(today, calendar), used))
    return result


def overdue_by_department(*, today: dt.date | None = None, clocks: list[OpenCaseClock] | None = None) -> list[dict]:
    """For supervisors: per department, cases overdue (red) and nearly overdue (yellow)."""
    rows: dict[str, dict] = {}
    for item in open_case_clocks(today=today) if clocks is None else clocks:
        case = item.case
        row = rows.setdefault(case.department.name, {"department": case.department.name, "red": [], "yellow": [], "open": 0})
        row["open"] += 1
        if item.sla in (Sla.RED, Sla.YELLOW):
            row[item.sla.value].append({"id": case.id, "number": case.front_number, "matter": case.matter.name, "due": item.due})
    return sorted(rows.values(), key=lambda r: (-len(r["red"]), -len(r["yellow"]), r["department"]))


def durations_by_department_matter(*, period: Period) -> list[dict[str, Any]]:
    """Cases decided in the period, per department and matter (in code order), against the promise (one query): how many,
    the share decided within the promised working days, the median and 90th percentile of working days
    used (review clock, pauses excluded), the promised days, and how many went past the legal limit
    (extension included)."""
    rows = (
        ReviewCase.objects.filter(
            status=ReviewStatus.DECIDED, decided_at__gte=period.start_at, decided_at__lt=period.end_before
        )
        .values("department__name", "matter__name")
        .annotate(
            decided=Count("id"),
            within=Count("id", filter=Q(clock_used__lte=F("promised_limit"))),
            beyond_legal=Count("id", filter=Q(clock_used__gt=F("legal_limit") + F("extended_days"))),
            median_days=Percentile("clock_used", 0.5),
            p90_days=Percentile("clock_used", 0.9),
            promised_days=Percentile("promised_limit", 0.5),
        )
        .order_by("department__code", "matter__code")
    )
    return [
        {
            "department": row["department__name"],
            "matter": row["matter__name"],
            "decided": row["decided"],
            "within": row["within"],
            "late": row["decided"] - row["within"],
            "within_rate": rate(row["within"], row["decided"]),
            "median_days": one_decimal(row["median_days"]),
            "p90_days": one_decimal(row["p90_days"]),
            "promised_days": one_decimal(row["promised_days"]),
            "beyond_legal": row["beyond_legal"],
        }
        for row in rows
    ]


def overdue_cases(*, today: dt.date | None = None, clocks: list[OpenCaseClock] | None = None) -> list[dict[str, Any]]:
    """Cases still being worked on whose clock has run past the promise (extension included), most
    overdue first."""
    rows = []
    for item in open_case_clocks(today=today) if clocks is None else clocks:
        if item.sla != Sla.RED or item.used is None:
            continue
        case = item.case
        rows.append(
            {
                "id": case.id,
                "number": case.front_number,
                "department": case.department.name,
                "matter": case.matter.name,
                "status": case.get_status_display(),
                "used": item.used,
                "limit": item.clock.limit,
                "over": item.used - item.clock.limit,
            }
        )
    return sorted(rows, key=lambda r: (-r["over"], r["number"]))


def deliveries_in_period(*, period: Period) -> dict[str, int]:
    """Results that reached the applicant in the period, as the front reported them (case.delivered):
    in all and per method (one query)."""
    in_period = Q(delivered_at__gte=period.start_at, delivered_at__lt=period.end_before)
    counts = ReviewCase.objects.aggregate(
        total=Count("id", filter=in_period),
        **{method: Count("id", filter=in_period & Q(delivered_method=method)) for method in DeliveryMethod.values},
    )
    return {key: value or 0 for key, value in counts.items()}
