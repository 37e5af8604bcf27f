from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import Case as Choose
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import ApplicantKind, Role, User
from apps.shared.exchange.models import InboxMessage, OutboxMessage, OutboxStatus, Peer
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.clocks import Clock, Sla
from govservice.lib.decisions import Decision
from govservice.lib.stats import Percentile, Period, one_decimal, rate
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from .models import FINISHED, ApproverPost, DeliveryMethod, ExtensionRequest, ExtensionStatus, ReviewCase, ReviewStatus


def _department_id(user: User) -> int | None:
    post = ApproverPost.objects.filter(user=user).first()
    return post.department_id if post else None


def cases_for_approver(*, user: User) -> QuerySet[ReviewCase]:
    """Approvers see their department's cases; central supervisors see all."""
    qs = ReviewCase.objects.select_related("matter", "department", "platform", "assignee", "transferred_from").order_by(
        "received_at"
    )
    if user.role in (Role.CENTRAL_SUPERVISOR, Role.ADMIN):
        return qs
    department_id = _department_id(user)
    if department_id is None:  # an approver not yet posted to a department sees nothing
        return qs.none()
    return qs.filter(department_id=department_id)


def case_get_for_approver(*, user: User, case_id: int) -> ReviewCase:
    """404 for another department's case."""
    requests = Prefetch("extension_requests", queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by"))
    return get_object_or_404(cases_for_approver(user=user).prefetch_related("materials", "events__actor", requests), id=case_id)


def clock_of(case: ReviewCase) -> Clock:
    """The case's review clock against its promised limit (plus an approved extension)."""
    return Clock(limit=case.promised_limit + case.extended_days, used=case.clock_used, running_since=case.clock_running_since)


def legal_clock_of(case: ReviewCase) -> Clock:
    """The same clock against the legal limit (行政许可法 Art. 42: 20 working days, 45 for joint handling,
    plus an approved extension): past it, the case is not only late but unlawfully so."""
    return Clock(limit=case.legal_limit + case.extended_days, used=case.clock_used, running_since=case.clock_running_since)


def case_sla(case: ReviewCase, *, today: dt.date | None = None, calendar=None) -> tuple[Sla, dt.date | None]:
    """SLA colour and due date against the promise of a case still being worked on; finished cases are
    done (green)."""
    if case.status in FINISHED:
        return Sla.GREEN, None
    today = today or timezone.localdate()
    calendar = calendar or calendar_get()
    clock = clock_of(case)
    return clock.sla(today, calendar), clock.due_date(today, calendar)


def case_legal_sla(case: ReviewCase, *, today: dt.date | None = None, calendar=None) -> tuple[Sla, dt.date | None]:
    """SLA colour and due date against the legal limit (DOMAIN.md §5), as case_sla does for the promise."""
    if case.status in FINISHED:
        return Sla.GREEN, None
    today = today or timezone.localdate()
    calendar = calendar or calendar_get()
    clock = legal_clock_of(case)
    return clock.sla(today, calendar), clock.due_date(today, calendar)


@dataclass(frozen=True)
class SlaReading:
    """A case's colours and due dates on one day, against the promise and against the law (None: finished)."""

    sla: Sla | None
    due: dt.date | None
    legal_sla: Sla | None
    legal_due: dt.date | None


def case_reading(case: ReviewCase, *, today: dt.date, calendar: WorkCalendar) -> SlaReading:
    if case.status in FINISHED:
        return SlaReading(None, None, None, None)
    promised, legal = clock_of(case), legal_clock_of(case)
    return SlaReading(
        promised.sla(today, calendar), promised.due_date(today, calendar), legal.sla(today, calendar), legal.due_date(today, calendar)
    )


def case_readings(cases: Sequence[ReviewCase], *, today: dt.date | None = None) -> dict[int, SlaReading]:
    """The readings of a page of cases, with the calendar read once (two queries whatever the page)."""
    today = today or timezone.localdate()
    calendar = _CountedOnce(calendar_get())
    return {case.id: case_reading(case, today=today, calendar=calendar) for case in cases}


class _CountedOnce(WorkCalendar):
    """The calendar, counting the working days between two dates once per request: the cases of a queue share
    few start dates, so ordering thousands by urgency costs a few hundred counts, not one per case."""

    def __init__(self, calendar: WorkCalendar) -> None:
        super().__init__(calendar.overrides, calendar.published_years)
        self._counted: dict[tuple[dt.date, dt.date], int | CalendarUnknown] = {}

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._counted:
            try:
                self._counted[key] = super().workdays_between(start, end)
            except CalendarUnknown as exc:
                self._counted[key] = exc
        counted = self._counted[key]
        if isinstance(counted, CalendarUnknown):
            raise counted
        return counted


# --- The queue: filters, orderings and pages (the API's list and the workbench page alike) ---------------

OPEN, CLOSED = "open", "finished"
NEWEST, URGENT, OLDEST = "newest", "urgent", "oldest"
MINE, UNASSIGNED = "me", "none"


@dataclass(frozen=True)
class CaseQuery:
    """What a queue shows; every field empty means every case the user may see, newest first."""

    status: str = ""  # a ReviewStatus value, OPEN (not finished) or CLOSED
    department: str = ""  # a department code (supervisors; an approver sees only their own anyway)
    step: int | None = None  # an index into REVIEW_STEPS
    sla: str = ""  # a colour against the promise (govservice.lib.clocks.Sla)
    legal_sla: str = ""  # a colour against the legal limit
    assignee: str = ""  # MINE or UNASSIGNED
    extension_pending: bool = False  # an extension request waits for a supervisor
    number: str = ""  # a case number, or part of one
    ordering: str = NEWEST  # NEWEST, URGENT (least time left first) or OLDEST


def cases_search(*, user: User, query: CaseQuery, today: dt.date | None = None) -> QuerySet[Any] | ClockOrdered:
    """The cases of a queue, in order, as a sequence a paginator can count and slice. Filters that SQL can
    answer are SQL; the colours and urgency need the working-day calendar, which lives in Python (overrides,
    chinesecalendar), so they are read for the cases that passed the SQL filters from a few columns, and only
    the page shown is read in full."""
    qs = cases_for_approver(user=user).annotate(
        extension_pending=Exists(
            ExtensionRequest.objects.filter(case=OuterRef("pk"), status=ExtensionStatus.REQUESTED)
        )
    )
    if query.status == OPEN:
        qs = qs.exclude(status__in=FINISHED)
    elif query.status == CLOSED:
        qs = qs.filter(status__in=FINISHED)
    elif query.status:
        qs = qs.filter(status=query.status)
    if query.department:
        qs = qs.filter(department__code=query.department)
    if query.step is not None:
        qs = qs.filter(step=query.step)
    if query.assignee == MINE:
        qs = qs.filter(assignee=user)
    elif query.assignee == UNASSIGNED:
        qs = qs.filter(assignee__isnull=True)
    if query.extension_pending:
        qs = qs.filter(extension_pending=True)
    if query.number:
        qs = qs.filter(front_number__icontains=query.number)
    if query.sla or query.legal_sla or query.ordering == URGENT:
        return ClockOrdered(qs, query=query, today=today or timezone.localdate())
    return qs.order_by("received_at" if query.ordering == OLDEST else "-received_at", "id" if query.ordering == OLDEST else "-id")


class ClockOrdered(Sequence[ReviewCase]):
    """Cases filtered by colour and/or ordered by urgency: the ids in order, read in full a page at a time.

    Urgency: running clocks first, least working days left against the promise first (the most overdue at the
    top), then against the law; then clocks whose limit reaches an unpublished year, then paused clocks
    (correction, special procedure), then finished cases, newest first."""

    COLUMNS = ("id", "status", "promised_limit", "legal_limit", "extended_days", "clock_used", "clock_running_since", "received_at")

    def __init__(self, qs: QuerySet[ReviewCase], *, query: CaseQuery, today: dt.date) -> None:
        self.qs = qs
        calendar = _CountedOnce(calendar_get())
        keyed = []
        for values in qs.order_by().values(*self.COLUMNS):
            case = ReviewCase(**values)
            reading = case_reading(case, today=today, calendar=calendar)
            if query.sla and (reading.sla is None or reading.sla != query.sla):
                continue
            if query.legal_sla and (reading.legal_sla is None or reading.legal_sla != query.legal_sla):
                continue
            keyed.append((self._key(case, reading, query.ordering, today, calendar), case.id))
        self.ids = [case_id for _, case_id in sorted(keyed)]

    @staticmethod
    def _key(case: ReviewCase, reading: SlaReading, ordering: str, today: dt.date, calendar: WorkCalendar) -> tuple:
        received = case.received_at.timestamp()
        if ordering != URGENT:
            return (received, case.id) if ordering == OLDEST else (-received, -case.id)
        if reading.sla is None:
            return (3, -received, -case.id)
        if reading.sla == Sla.PAUSED:
            return (2, received, case.id)
        if reading.sla == Sla.UNKNOWN:
            return (1, received, case.id)
        left = clock_of(case).remaining(today, calendar)
        legal_left = legal_clock_of(case).remaining(today, calendar)
        return (0, left, legal_left, received, case.id)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> ReviewCase: ...
    @overload
    def __getitem__(self, index: slice) -> list[ReviewCase]: ...
    def __getitem__(self, index: int | slice) -> ReviewCase | list[ReviewCase]:
        if isinstance(index, int):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        ids = self.ids[index]
        found = {case.id: case for case in self.qs.filter(id__in=ids)}
        return [found[case_id] for case_id in ids if case_id in found]


def approvers_by_department(department_ids: Sequence[int]) -> dict[int, list[User]]:
    """The approvers a supervisor may assign each department's cases to (one query)."""
    result: dict[int, list[User]] = {}
    posts = (
        ApproverPost.objects.filter(department_id__in=set(department_ids), user__is_active=True, user__role=Role.APPROVER)
        .select_related("user")
        .order_by("user__username")
    )
    for post in posts:
        result.setdefault(post.department_id, []).append(post.user)
    return result


def extension_pending(case: ReviewCase) -> ExtensionRequest | None:
    """The extension request of a case that waits for a supervisor, if any."""
    return case.extension_requests.filter(status=ExtensionStatus.REQUESTED).select_related("requested_by").first()


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
    open_cases = ReviewCase.objects.exclude(status__in=FINISHED).select_related(
        "department", "matter"
    )
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
            case.department.name, {"department": case.department.name, "red": [], "yellow": [], "beyond_legal": [], "open": 0}
        )
        row["open"] += 1
        if item.sla in (Sla.RED, Sla.YELLOW):
            row[item.sla.value].append({"id": case.id, "number": case.front_number, "matter": case.matter.name, "due": item.due})
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
            pending=Count("id", filter=Q(status=OutboxStatus.PENDING)), dead=Count("id", filter=Q(status=OutboxStatus.DEAD))
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
