"""Reads of consultation tickets, with who may see what (DOMAIN.md §6, §8).

* a citizen sees only their own tickets (anyone else's is "not found");
* a clerk or hall supervisor sees the queue of their hall, and a department liaison (ConsultDesk) the
  tickets routed to their department; an administrator sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from apps.front.booking.models import GroupMatter, Hall, StaffPost
from apps.shared.accounts.models import Role, User

from .models import OPEN_STATUSES, ConsultDesk, ConsultTicket, FaqEntry, TicketStatus

NOT_FOUND = gettext_lazy("未找到该工单，或您无权查看。")
STAFF_ROLES = (Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN)


def _base() -> QuerySet[ConsultTicket]:
    return ConsultTicket.objects.select_related("matter", "hall", "department", "owner", "citizen")


def staff_post_hall_id(user: User) -> int | None:
    return StaffPost.objects.filter(user=user).values_list("hall_id", flat=True).first()


def desk_department_id(user: User) -> int | None:
    return ConsultDesk.objects.filter(user=user).values_list("department_id", flat=True).first()


def tickets_visible_to_staff(user: User) -> QuerySet[ConsultTicket]:
    if user.role == Role.ADMIN:
        return _base()
    if user.role not in STAFF_ROLES:
        return ConsultTicket.objects.none()
    hall_id = staff_post_hall_id(user)
    department_id = desk_department_id(user)
    where = Q(pk__in=[])
    if hall_id is not None:
        where |= Q(hall_id=hall_id)
    if department_id is not None:
        where |= Q(department_id=department_id, status=TicketStatus.ROUTED)
    return _base().filter(where)


def ticket_get_for_citizen(*, user: User, code: str) -> ConsultTicket:
    ticket = _base().filter(code=code, citizen=user).first() if user.is_authenticated else None
    if ticket is None:
        raise Http404(str(NOT_FOUND))
    return ticket


def ticket_get_for_staff(*, user: User, code: str) -> ConsultTicket:
    ticket = tickets_visible_to_staff(user).filter(code=code).first()
    if ticket is None:
        raise Http404(str(NOT_FOUND))
    return ticket


def tickets_of_citizen(*, user: User) -> QuerySet[ConsultTicket]:
    return _base().filter(citizen=user)


@dataclass
class Queue:
    unclaimed: list[ConsultTicket]
    mine: list[ConsultTicket]
    routed_to_me: list[ConsultTicket]
    others: list[ConsultTicket]


def staff_queue(*, user: User, limit: int = 100) -> Queue:
    """The clerk's consultation queue: waiting to be taken in my hall, mine, routed to my department,
    and my colleagues' open tickets (for cover)."""
    visible = tickets_visible_to_staff(user).filter(status__in=[*OPEN_STATUSES])
    ordered = visible.order_by("due_date", "created_at", "id")
    hall_id = staff_post_hall_id(user)
    department_id = desk_department_id(user)
    return Queue(
        unclaimed=list(ordered.filter(status=TicketStatus.NEW)[:limit]),
        mine=list(ordered.filter(owner=user)[:limit]),
        routed_to_me=list(ordered.filter(department_id=department_id, status=TicketStatus.ROUTED)[:limit])
        if department_id
        else [],
        others=list(ordered.filter(hall_id=hall_id).exclude(owner=user).exclude(status=TicketStatus.NEW)[:limit])
        if hall_id
        else [],
    )


def halls_for_matter(*, code: str) -> QuerySet[Hall]:
    """Halls whose windows handle the matter: where a portal question is answered."""
    return Hall.objects.filter(groups__matter_links__matter_code=code).distinct().order_by("code")


def hall_matter_codes(*, hall_id: int) -> list[str]:
    return list(GroupMatter.objects.filter(group__hall_id=hall_id).values_list("matter_code", flat=True))


def hall_offers_matter(*, hall_id: int, code: str) -> bool:
    return GroupMatter.objects.filter(group__hall_id=hall_id, matter_code=code).exists()


def faq_for_matter(code: str) -> list[FaqEntry]:
    """Published questions and answers of a matter (every version), newest first."""
    return list(FaqEntry.objects.filter(matter_code=code, is_published=True).order_by("-published_at", "-id"))
