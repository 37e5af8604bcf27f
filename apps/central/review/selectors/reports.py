"""What the dashboard and the reports read: open cases' clocks, overdue work, durations, applicant kinds,
deliveries and the platforms' wire."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as Choose
from django.db.models import Count, F, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import ApplicantKind
from apps.shared.exchange.models import InboxMessage, OutboxMessage, OutboxStatus, Peer
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.clocks import Clock, Sla
from govservice.lib.decisions import Decision
from govservice.lib.stats import Percentile, Period, one_decimal, rate

from ..models import FINISHED, DeliveryMethod, ReviewCase, ReviewStatus
from .clocks import clock_of, legal_clock_of


@dataclass(frozen=True)
class OpenCaseClock:
    """A case still being worked on, with its clock read once for a given day."""

    case: ReviewCase
    clock: Clock
    sla: Sla
    due: dt.date | None
    used: int | None  # working days used; None when the calendar cannot tell
    legal_sla: Sla = Sla.GREEN  # against the legal limit (extension included)


def open_case_clocks(*, today: dt.date | None = None) -> list[OpenCaseClock]:
    """Every open case and its clock (one query; the working-day arithmetic needs the calendar, so it runs
    here, once per case, for all the views of the dashboard)."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    open_cases = ReviewCase.objects.exclude(status__in=FINISHED).select_related("department", "matter")
    result = []
    for case in open_cases:
        clock = clock_of(case)
        colour = clock.sla(today, calendar)
        used = None if colour == Sla.UNKNOWN else clock.used_by(today, calendar)
        legal = legal_clock_of(case).sla(today, calendar)
        result.append(OpenCaseClock(case, clock, colour, clock.due_date(today, calendar), used, legal))
    return result


def overdue_by_department(*, today: dt.date | None = None, clocks: list[OpenCaseClock] | None = None) -> list[dict]:
    """For supervisors: per department, cases overdue (red) and nearly overdue (yellow)."""
    rows: dict[str, dict] = {}
    for item in open_case_clocks(today=today) if clocks is None else clocks:
        case = item.case
        row = rows.setdefault(
            case.department.name,
            {"department": case.department.name, "red": [], "yellow": [], "beyond_legal": [], "open": 0},
        )
        row["open"] += 1
        if item.sla in (Sla.RED, Sla.YELLOW):
            row[item.sla.value].append(
                {"id": case.id, "number": case.front_number, "matter": case.matter.name, "due": item.due}
            )
        if item.legal_sla == Sla.RED:
            row["beyond_legal"].append({"id": case.id, "number": case.front_number, "matter": case.matter.name})
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


# Who applied (issue 15, DOMAIN.md §9), as the front's hall report splits them (apps/front/reports): a person acting
# alone, a person through an agent (代办), or a company (its legal representative or an authorised 经办人).
APPLICANT_KINDS = {
    "person": _("自然人（本人办理）"),
    "person_agent": _("自然人（委托代办）"),
    "company": _("法人（法定代表人或经办人）"),
}


def received_by_applicant_kind(*, period: Period) -> list[dict[str, Any]]:
    """Cases received from the fronts in the period, per kind of applicant (case.submitted's applicant ``kind`` and
    ``agent``): received, decided so far, approved (in full or in part), with the approval rate of those decided.
    Every kind has its row, zero or not. One grouped query."""
    kind = Choose(
        When(applicant_kind=ApplicantKind.COMPANY, then=Value("company")),
        When(~Q(agent_name=""), then=Value("person_agent")),
        default=Value("person"),
    )
    rows = (
        ReviewCase.objects.filter(received_at__gte=period.start_at, received_at__lt=period.end_before)
        .annotate(kind=kind)
        .values("kind")
        .annotate(
            received=Count("id"),
            decided=Count("id", filter=Q(decided_at__isnull=False)),
            approved=Count("id", filter=Q(decision__in=[Decision.APPROVED, Decision.PARTLY_APPROVED])),
        )
    )
    counts = {row["kind"]: row for row in rows}
    out = []
    for key, label in APPLICANT_KINDS.items():
        row = counts.get(key, {"received": 0, "decided": 0, "approved": 0})
        out.append(
            {
                "kind": key,
                "applicant": str(label),
                "received": row["received"],
                "decided": row["decided"],
                "approved": row["approved"],
                "approved_rate": rate(row["approved"], row["decided"]),
            }
        )
    return out


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
                "beyond_legal": item.legal_sla == Sla.RED,
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


def platforms_summary(*, period: Period, clocks: list[OpenCaseClock]) -> list[dict[str, Any]]:
    """For supervisors, per client platform (issue 16: several fronts): cases received and decided in the period,
    open and overdue now (from ``clocks``), and the wire to it — events waiting to be sent and dead letters
    (an operator's re-drive) — with the last message received from it. Four grouped queries, whatever the number
    of platforms."""
    in_period = Q(received_at__gte=period.start_at, received_at__lt=period.end_before)
    decided = Q(status=ReviewStatus.DECIDED, decided_at__gte=period.start_at, decided_at__lt=period.end_before)
    cases: dict[int, tuple[int, int]] = {
        row["platform"]: (row["received"], row["decided"])
        for row in ReviewCase.objects.values("platform").annotate(
            received=Count("id", filter=in_period), decided=Count("id", filter=decided)
        )
    }
    wire: dict[int, tuple[int, int]] = {
        row["peer"]: (row["pending"], row["dead"])
        for row in OutboxMessage.objects.filter(status__in=(OutboxStatus.PENDING, OutboxStatus.DEAD))
        .values("peer")
        .annotate(
            pending=Count("id", filter=Q(status=OutboxStatus.PENDING)),
            dead=Count("id", filter=Q(status=OutboxStatus.DEAD)),
        )
    }
    heard = dict(InboxMessage.objects.values("peer").annotate(last=Max("received_at")).values_list("peer", "last"))
    open_now: dict[int, int] = {}
    overdue: dict[int, int] = {}
    for item in clocks:
        open_now[item.case.platform_id] = open_now.get(item.case.platform_id, 0) + 1
        if item.sla == Sla.RED:
            overdue[item.case.platform_id] = overdue.get(item.case.platform_id, 0) + 1
    return [
        {
            "id": peer.id,
            "code": peer.code,
            "name": peer.name,
            "active": peer.active,
            "received": cases.get(peer.id, (0, 0))[0],
            "decided": cases.get(peer.id, (0, 0))[1],
            "open": open_now.get(peer.id, 0),
            "overdue": overdue.get(peer.id, 0),
            "pending": wire.get(peer.id, (0, 0))[0],
            "dead": wire.get(peer.id, (0, 0))[1],
            "last_heard": heard.get(peer.id),
        }
        for peer in Peer.objects.order_by("code")
    ]
