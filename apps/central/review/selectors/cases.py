"""Which cases an approver or supervisor may see, found and ordered as the case list asks; who may be assigned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.shared.accounts.models import Role, User
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.clocks import Sla
from govservice.lib.workdays import WorkCalendar

from ..models import FINISHED, ApproverPost, ExtensionRequest, ExtensionStatus, ReviewCase
from .clocks import SlaReading, _CountedOnce, case_reading, clock_of, legal_clock_of


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
    requests = Prefetch(
        "extension_requests", queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by")
    )
    return get_object_or_404(
        cases_for_approver(user=user).prefetch_related("materials", "events__actor", requests), id=case_id
    )


# The case list's filters and orderings, as its query string spells them.
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
        extension_pending=Exists(ExtensionRequest.objects.filter(case=OuterRef("pk"), status=ExtensionStatus.REQUESTED))
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
    return qs.order_by(
        "received_at" if query.ordering == OLDEST else "-received_at", "id" if query.ordering == OLDEST else "-id"
    )


class ClockOrdered(Sequence[ReviewCase]):
    """Cases filtered by colour and/or ordered by urgency: the ids in order, read in full a page at a time.

    Urgency: running clocks first, least working days left against the promise first (the most overdue at the
    top), then against the law; then clocks whose limit reaches an unpublished year, then paused clocks
    (correction, special procedure), then finished cases, newest first."""

    COLUMNS = (
        "id",
        "status",
        "promised_limit",
        "legal_limit",
        "extended_days",
        "clock_used",
        "clock_running_since",
        "received_at",
    )

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
        ApproverPost.objects.filter(
            department_id__in=set(department_ids), user__is_active=True, user__role=Role.APPROVER
        )
        .select_related("user")
        .order_by("user__username")
    )
    for post in posts:
        result.setdefault(post.department_id, []).append(post.user)
    return result


def extension_pending(case: ReviewCase) -> ExtensionRequest | None:
    """The extension request of a case that waits for a supervisor, if any."""
    return case.extension_requests.filter(status=ExtensionStatus.REQUESTED).select_related("requested_by").first()
