"""Reads of 好差评: the unit's rectifications, pending appeals, and the supervisors' overview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.floor.models import Ticket, TicketStatus
from apps.shared.accounts.models import Role, User
from govservice.lib.stats import rate

from .models import (
    AppealStatus,
    Callback,
    CallbackOutcome,
    Evaluation,
    FixRating,
    Rectification,
    RectificationStatus,
)


def _post(user: User) -> StaffPost | None:
    return StaffPost.objects.select_related("window").filter(user=user).first()


def rectifications_for_staff(*, user: User) -> QuerySet[Rectification]:
    """Admins see all; a hall supervisor their hall's; a clerk their unit's (window group) and their own."""
    qs = Rectification.objects.select_related(
        "evaluation",
        "evaluation__citizen",
        "evaluation__matter",
        "evaluation__ticket",
        "evaluation__case",
        "hall",
        "unit",
        "assignee",
    )
    if user.role == Role.ADMIN:
        return qs
    post = _post(user)
    if post is None or user.role not in (Role.CLERK, Role.HALL_SUPERVISOR):
        return qs.none()
    qs = qs.filter(hall_id=post.hall_id)
    if user.role == Role.HALL_SUPERVISOR:
        return qs
    unit = Q(unit_id=post.window.group_id) if post.window is not None else Q(pk__in=[])
    return qs.filter(unit | Q(assignee=user))


def rectification_get_for_staff(*, user: User, rectification_id: int) -> Rectification:
    """404 for a rectification outside the staff member's unit."""
    return get_object_or_404(
        rectifications_for_staff(user=user).prefetch_related("callbacks__called_by", "events__actor"),
        id=rectification_id,
    )


def appeals_pending(*, user: User) -> QuerySet[Rectification]:
    if user.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        return Rectification.objects.none()
    return rectifications_for_staff(user=user).filter(appeal_status=AppealStatus.PENDING).order_by("appealed_at")


def unit_colleagues(*, rectification: Rectification) -> list[User]:
    """Who a supervisor may assign: the unit's clerks and the hall's supervisors."""
    scope = Q(user__role=Role.HALL_SUPERVISOR)
    if rectification.unit_id is not None:
        scope |= Q(window__group_id=rectification.unit_id, user__role=Role.CLERK)
    posts = StaffPost.objects.select_related("user").filter(scope, hall_id=rectification.hall_id)
    return [p.user for p in posts.order_by("user__username") if p.user.is_active]


def ticket_for_tablet(*, window_id: int, minutes: int) -> Ticket | None:
    """The window tablet (评价器): the ticket this window finished last, in the last few minutes, not yet rated."""
    since = timezone.now() - dt.timedelta(minutes=minutes)
    return (
        Ticket.objects.select_related("matter", "group")
        .filter(window_id=window_id, status=TicketStatus.DONE, finished_at__gte=since, evaluation__isnull=True)
        .order_by("-finished_at")
        .first()
    )


def done_ticket_by_label(*, hall_id: int, label: str) -> Ticket | None:
    """Today's finished ticket of a hall by the number printed on it (A001, or a two-letter prefix)."""
    label = label.strip().upper()
    digits = label.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if not (digits.isdecimal() and len(digits) <= 6 and 1 <= len(label) - len(digits) <= 2):
        return None
    candidates = Ticket.objects.select_related("matter", "group").filter(
        hall_id=hall_id, service_date=timezone.localdate(), number=int(digits), status=TicketStatus.DONE
    )
    # The printed letter is the ticket's prefix, or its group's letter for older tickets.
    return next((t for t in candidates if t.label == label), None)


# --- Overview ----------------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    label: str
    total: int
    good: int
    bad: int
    rectified: int
    called_back: int
    named_bad: int
    fix_rated: int
    fix_ok: int
    overdue: int
    average: float | None

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        # Half up, as every report (govservice.lib.stats.rate): round() on a float gives 6.2 for 6.25.
        return rate(part, whole)

    @property
    def satisfaction(self) -> float | None:
        """满意率: 非常满意, 满意 and 基本满意 over all counted evaluations."""
        return self._pct(self.good, self.total)

    @property
    def rectification_rate(self) -> float | None:
        """差评整改率: 差评 the unit has fixed and answered, over all counted 差评."""
        return self._pct(self.rectified, self.bad)

    @property
    def callback_rate(self) -> float | None:
        """实名差评回访率 (target 100 %): real-name 差评 with a call-back that reached the rater."""
        return self._pct(self.called_back, self.named_bad)

    @property
    def fix_satisfaction(self) -> float | None:
        return self._pct(self.fix_ok, self.fix_rated)


def _scope(*, user: User) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.all()
    if user.role == Role.ADMIN:
        return qs
    post = _post(user)
    if post is None or user.role != Role.HALL_SUPERVISOR:
        return qs.none()
    return qs.filter(hall_id=post.hall_id)


def overview(
    *, user: User, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, list[OverviewRow]]:
    """Satisfaction and 差评 rectification by department and by matter (two grouped queries). A 差评 whose
    appeal was upheld does not count."""
    qs = _scope(user=user).exclude(rectification__status=RectificationStatus.VOIDED)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    reached = Callback.objects.filter(rectification__evaluation=OuterRef("pk"), outcome=CallbackOutcome.REACHED)
    qs = qs.annotate(reached=Exists(reached))
    bad = Q(score__gte=4)
    aggregates = {
        "total": Count("id"),
        "good": Count("id", filter=Q(score__lte=3)),
        "bad": Count("id", filter=bad),
        "rectified": Count("id", filter=bad & Q(rectification__replied_at__isnull=False)),
        "called_back": Count("id", filter=bad & Q(reached=True)),
        "named_bad": Count("id", filter=bad & Q(citizen__isnull=False)),
        "fix_rated": Count("id", filter=Q(rectification__fix_rated_at__isnull=False)),
        "fix_ok": Count(
            "id", filter=Q(rectification__fix_rating__in=[FixRating.SATISFIED, FixRating.BASICALLY_SATISFIED])
        ),
        "overdue": Count("id", filter=Q(rectification__overdue_at__isnull=False)),
        "average": Avg("score"),
    }

    def rows(*fields: str) -> list[OverviewRow]:
        result = []
        for row in qs.values(*fields).annotate(**aggregates).order_by(*fields):
            label = " · ".join(str(row[f]) for f in fields if row[f]) or "（未归属）"
            result.append(
                OverviewRow(
                    label=label,
                    **{k: row[k] for k in aggregates if k != "average"},
                    average=round(float(row["average"]), 2) if row["average"] is not None else None,
                )
            )
        return result

    return {"departments": rows("department__name"), "matters": rows("department__name", "matter__name")}
