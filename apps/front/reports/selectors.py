"""Reads behind the hall supervisors' reports (issue 7 point 5; DOMAIN.md §3–§5, §7).

Each function is one grouped query (``values().annotate()``), whatever the data size; percentiles are
computed by PostgreSQL (govservice.lib.stats.Percentile). ``hall_id=None`` means every hall (admins).
Rows hold only counts, rates and names of halls, windows, departments and matters: no personal data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case as Choose
from django.db.models import Count, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Appointment, AppointmentStatus, Hall, StaffPost
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case, CaseStatus
from apps.front.ratings.models import BAD_SCORES, Evaluation, RectificationStatus
from apps.shared.accounts.models import Role, User
from govservice.lib.stats import Minutes, Percentile, Period, one_decimal, rate

# Attendance is known for these: checked in at some point, or marked 爽约. A booking still BOOKED is either
# in the future or waiting for the no-show job, and counts in neither.
ATTENDED = (
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.CALLED,
    AppointmentStatus.IN_SERVICE,
    AppointmentStatus.COMPLETED,
)
CANCELLED = (AppointmentStatus.CANCELLED_BY_CITIZEN, AppointmentStatus.CANCELLED_BY_HALL)
# Good ratings: 非常满意, 满意, 基本满意 (DOMAIN.md §7); the 满意率 is their share of all ratings.
GOOD_SCORES = (1, 2, 3)


def halls_for(user: User) -> QuerySet[Hall]:
    """The halls whose reports a user may read: admins all of them, a hall supervisor their own."""
    if user.role == Role.ADMIN:
        return Hall.objects.order_by("code")
    if user.role == Role.HALL_SUPERVISOR:
        return Hall.objects.filter(id__in=StaffPost.objects.filter(user=user).values("hall_id")).order_by("code")
    return Hall.objects.none()


def _percentiles(prefix: str, minutes: Any, condition: Q) -> dict[str, Percentile]:
    return {
        f"{prefix}_p50": Percentile(minutes, 0.5, filter=condition),
        f"{prefix}_p90": Percentile(minutes, 0.9, filter=condition),
    }


def _plain(rows: Any, **names: str) -> list[dict[str, Any]]:
    """Grouped rows as plain dicts, the joined columns renamed (``hall="hall__name"``) and every
    percentile rounded to one decimal."""
    renamed = {column: name for name, column in names.items()}
    out = []
    for raw in rows:
        row = {renamed.get(key, key): value for key, value in raw.items()}
        for key in row:
            if key.endswith(("_p50", "_p90")):
                row[key] = one_decimal(row[key])
        out.append(row)
    return out


def bookings_by_matter(*, period: Period, hall_id: int | None) -> list[dict[str, Any]]:
    """Appointments whose slot falls in the period, per hall and matter: booked, cancelled, attended,
    no-shows, and the no-show rate (爽约率 = no-shows / (attended + no-shows))."""
    qs = Appointment.objects.filter(slot__date__gte=period.start, slot__date__lte=period.end)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    rows = (
        qs.values("hall__name", "matter__name")
        .annotate(
            booked=Count("id"),
            cancelled=Count("id", filter=Q(status__in=CANCELLED)),
            attended=Count("id", filter=Q(status__in=ATTENDED)),
            no_show=Count("id", filter=Q(status=AppointmentStatus.NO_SHOW)),
        )
        .order_by("hall__code", "matter__code")
    )
    out = _plain(rows, hall="hall__name", matter="matter__name")
    for row in out:
        row["no_show_rate"] = rate(row["no_show"], row["attended"] + row["no_show"])
    return out


def _ticket_stats() -> dict[str, Any]:
    wait = Minutes("called_at", "checked_in_at")
    service = Minutes("finished_at", "started_at")
    return {
        **_percentiles("wait", wait, Q(called_at__isnull=False)),
        **_percentiles("service", service, Q(started_at__isnull=False, finished_at__isnull=False)),
    }


def _tickets(period: Period, hall_id: int | None) -> QuerySet[Ticket]:
    qs = Ticket.objects.filter(service_date__gte=period.start, service_date__lte=period.end)
    return qs if hall_id is None else qs.filter(hall_id=hall_id)


def waits_by_hall(*, period: Period, hall_id: int | None) -> list[dict[str, Any]]:
    """Tickets of the period per hall: issued, served, missed, and the 50th / 90th percentile of the wait
    (check-in → call) and of the service (start → finish), in minutes."""
    rows = (
        _tickets(period, hall_id)
        .values("hall__name")
        .annotate(
            issued=Count("id"),
            served=Count("id", filter=Q(status=TicketStatus.DONE)),
            missed=Count("id", filter=Q(status=TicketStatus.MISSED)),
            **_ticket_stats(),
        )
        .order_by("hall__code")
    )
    return _plain(rows, hall="hall__name")


def waits_by_window(*, period: Period, hall_id: int | None) -> list[dict[str, Any]]:
    """The same figures per window that called the ticket (its last call if it was transferred)."""
    rows = (
        _tickets(period, hall_id)
        .filter(window__isnull=False)
        .values("hall__name", "window__number", "window__group__name")
        .annotate(
            called=Count("id", filter=Q(called_at__isnull=False)),
            served=Count("id", filter=Q(status=TicketStatus.DONE)),
            **_ticket_stats(),
        )
        .order_by("hall__code", "window__number")
    )
    return _plain(rows, hall="hall__name", window="window__number", group="window__group__name")


def intake_by_matter(*, period: Period, hall_id: int | None) -> list[dict[str, Any]]:
    """Cases the hall received in the period, per hall and matter: accepted (受理, 容缺受理 included),
    refused (不予受理), told by one-time notice (一次性告知), accepted by law after the hall let the
    five-working-day limit pass (视为受理, also counted as accepted), each as a share of the cases received.
    A notice and a later acceptance may both count for one case: the shares need not add up to 100 %."""
    qs = Case.objects.filter(received_at__gte=period.start_at, received_at__lt=period.end_before).exclude(
        status=CaseStatus.SUBMITTED  # filed online, never received at a window
    )
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    rows = (
        qs.values("hall__name", "matter__name")
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            refused=Count("id", filter=Q(status=CaseStatus.REJECTED_AT_INTAKE)),
            notice=Count("id", filter=Q(notice_sent_at__isnull=False)),
            # 行政许可法 Art. 32 (4): accepted by law because the hall let the limit pass (counted in accepted too).
            deemed=Count("id", filter=Q(deemed_accepted_at__isnull=False)),
        )
        .order_by("hall__code", "matter__code")
    )
    out = _plain(rows, hall="hall__name", matter="matter__name")
    for row in out:
        for outcome in ("accepted", "refused", "notice", "deemed"):
            row[f"{outcome}_rate"] = rate(row[outcome], row["received"])
    return out


# Who applied (DOMAIN.md §9): a person in person, a person through an agent (代办), or a company (its legal
# representative or an authorised 经办人, always someone acting for it).
APPLICANT_KINDS = {
    "person": _("自然人（本人办理）"),
    "person_agent": _("自然人（委托代办）"),
    "company": _("法人（法定代表人或经办人）"),
}


def intake_by_applicant_kind(*, period: Period, hall_id: int | None) -> list[dict[str, Any]]:
    """Cases received in the period, per hall and kind of applicant (the receipt date, as intake_by_matter):
    received, accepted and refused, with the rates. One grouped query."""
    qs = Case.objects.filter(received_at__gte=period.start_at, received_at__lt=period.end_before).exclude(
        status=CaseStatus.SUBMITTED
    )
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    kind = Choose(
        When(citizen__role=Role.COMPANY, then=Value("company")),
        When(agent__isnull=False, then=Value("person_agent")),
        default=Value("person"),
    )
    rows = (
        qs.annotate(kind=kind)
        .values("hall__name", "hall__code", "kind")
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            refused=Count("id", filter=Q(status=CaseStatus.REJECTED_AT_INTAKE)),
        )
        .order_by("hall__code", "kind")
    )
    out = _plain(rows, hall="hall__name")
    order = list(APPLICANT_KINDS)
    out.sort(key=lambda row: (row.pop("hall__code"), order.index(row["kind"])))
    for row in out:
        row["applicant"] = str(APPLICANT_KINDS[row["kind"]])
        row["accepted_rate"] = rate(row["accepted"], row["received"])
        row["refused_rate"] = rate(row["refused"], row["received"])
    return out


def satisfaction_by_matter(*, period: Period, hall_id: int | None) -> list[dict[str, Any]]:
    """Evaluations given in the period, per department and matter, with the definitions of the 好差评
    overview (apps.front.ratings.selectors.overview, which has no hall filter for admins): the 满意率 (非常满意 +
    满意 + 基本满意 over all ratings), the 差评 and the 差评整改率 (fixed and answered / 差评). A 差评 voided
    on the unit's upheld appeal counts nowhere but in its own column."""
    qs = Evaluation.objects.filter(created_at__gte=period.start_at, created_at__lt=period.end_before)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    voided = Q(rectification__status=RectificationStatus.VOIDED)
    counted = ~voided
    bad = Q(score__in=BAD_SCORES)
    rows = (
        qs.values("department__name", "matter__name")
        .annotate(
            rated=Count("id", filter=counted),
            good=Count("id", filter=counted & Q(score__in=GOOD_SCORES)),
            bad=Count("id", filter=counted & bad),
            voided=Count("id", filter=bad & voided),
            rectified=Count("id", filter=counted & bad & Q(rectification__replied_at__isnull=False)),
        )
        .order_by("department__code", "matter__code")
    )
    out = _plain(rows, department="department__name", matter="matter__name")
    for row in out:
        # An evaluation from before the statistics fields were copied may have neither.
        row["department"], row["matter"] = row["department"] or "", row["matter"] or ""
        row["good_rate"] = rate(row["good"], row["rated"])
        row["rectified_rate"] = rate(row["rectified"], row["bad"])
    return out
