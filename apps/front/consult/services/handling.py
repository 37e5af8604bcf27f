"""Handling a ticket: 首问负责 claim, routing, replies, follow-ups, closing, rating, extension, and the
logged view of the asker's phone number."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.notifications.services import notify
from apps.shared.accounts.models import Role, User
from apps.shared.accounts.services import personal_data_access_record
from apps.shared.catalog.models import Department
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib import lifecycle
from govservice.lib.workdays import CalendarUnknown

from ..limits import deadlines_for
from ..models import ConsultDesk, ConsultTicket, MessageKind, TicketAction, TicketMessage, TicketStatus
from ..selectors import desk_department_id, staff_post_hall_id
from .records import (
    BODY_MAX,
    event_record,
    message_context,
    not_found,
    owner_check,
    supervises,
    text_required,
    ticket_move,
    transition_check,
)


def lock_for_staff(*, user: User, code: str) -> ConsultTicket:
    """The ticket, locked, if this member of staff may see it; "not found" otherwise."""
    ticket = (
        ConsultTicket.objects.select_for_update(of=("self",))
        .select_related("matter", "department", "citizen")
        .filter(code=code)
        .first()
    )
    if ticket is None:
        raise not_found()
    if user.role == Role.ADMIN:
        return ticket
    if user.role in (Role.CLERK, Role.HALL_SUPERVISOR):
        if ticket.hall_id == staff_post_hall_id(user):
            return ticket
        if ticket.status == TicketStatus.ROUTED and ticket.department_id == desk_department_id(user):
            return ticket
    raise not_found()


def lock_for_citizen(*, citizen: User, code: str) -> ConsultTicket:
    ticket = (
        ConsultTicket.objects.select_for_update(of=("self",))
        .select_related("matter", "owner")
        .filter(code=code, citizen=citizen)
        .first()
    )
    if ticket is None:
        raise not_found()
    return ticket


def ticket_claim(*, clerk: User, code: str) -> ConsultTicket:
    """首问负责: the first clerk of the hall to take a waiting ticket owns it. One conditional UPDATE, so
    two clerks pressing at once give exactly one owner and one "already taken"."""
    hall_id = staff_post_hall_id(clerk)
    if clerk.role not in (Role.CLERK, Role.HALL_SUPERVISOR) or hall_id is None:
        raise not_found()
    with transaction.atomic():
        ticket = ConsultTicket.objects.select_related("owner", "matter").filter(code=code, hall_id=hall_id).first()
        if ticket is None:
            raise not_found()
        try:
            ticket_move(
                ticket,
                TicketStatus.CLAIMED,
                TicketAction.CLAIM,
                actor=clerk,
                where={"owner__isnull": True},
                owner=clerk,
                claimed_at=timezone.now(),
            )
        except lifecycle.TransitionRefused:
            ticket = ConsultTicket.objects.select_related("owner", "matter").get(id=ticket.id)
            if ticket.owner_id == clerk.id:
                return ticket  # pressing twice is harmless
            if ticket.owner is None:  # withdrawn by the citizen before anyone took it
                transition_check(ticket, TicketStatus.CLAIMED)
            raise Conflict(
                _("该工单已由%(name)s受理。") % {"name": ticket.owner.display_name if ticket.owner else _("他人")},
                code="already_claimed",
            ) from None
    return ticket


@transaction.atomic
def ticket_route(*, actor: User, code: str, department_code: str, note: str) -> ConsultTicket:
    """The owner routes the ticket to a department with a note; the owner stays responsible."""
    ticket = lock_for_staff(user=actor, code=code)
    owner_check(ticket, actor)
    transition_check(ticket, TicketStatus.ROUTED)
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise DomainError(_("未找到该部门。"), code="unknown_department")
    note = text_required(note, field="note", label=_("转办说明"), maximum=500)
    ticket_move(ticket, TicketStatus.ROUTED, TicketAction.ROUTE, actor=actor, note=note, department=department)
    for desk in ConsultDesk.objects.filter(department=department).select_related("user"):
        notify(
            recipient=desk.user,
            event="consult.routed",
            context=message_context(ticket, department=department.name, note=note),
        )
    return ticket


@transaction.atomic
def ticket_reply(*, actor: User, code: str, body: str) -> ConsultTicket:
    """Answer the citizen: the owner, a hall supervisor, or the liaison of the department it was routed to."""
    ticket = lock_for_staff(user=actor, code=code)
    routed_here = ticket.status == TicketStatus.ROUTED and ticket.department_id == desk_department_id(actor)
    if not routed_here:
        owner_check(ticket, actor)
    transition_check(ticket, TicketStatus.ANSWERED)
    body = text_required(body, field="body", label=_("答复内容"), maximum=BODY_MAX)
    now = timezone.now()
    ticket_move(
        ticket,
        TicketStatus.ANSWERED,
        TicketAction.REPLY,
        actor=actor,
        answered_at=now,
        first_answered_at=ticket.first_answered_at or now,
    )
    TicketMessage.objects.create(ticket=ticket, kind=MessageKind.REPLY, author=actor, body=body, at=now)
    if ticket.citizen is not None:
        notify(recipient=ticket.citizen, event="consult.answered", context=message_context(ticket))
    return ticket


@transaction.atomic
def ticket_follow_up(*, citizen: User, code: str, body: str) -> ConsultTicket:
    """A follow-up question in the same thread: the ticket goes back to its owner with a fresh limit."""
    ticket = lock_for_citizen(citizen=citizen, code=code)
    if not ticket.is_answered:
        raise lifecycle.TransitionRefused(_("工单答复后才能追问，已办结的工单请重新提问。"))
    transition_check(ticket, TicketStatus.CLAIMED)
    body = text_required(body, field="body", label=_("追问内容"), maximum=BODY_MAX)
    now = timezone.now()
    deadlines = deadlines_for(kind=ticket.kind, asked_on=timezone.localdate(now), calendar=calendar_get())
    # The follow-up is a new question: a new limit, and reminders may fire again for it.
    ticket_move(
        ticket,
        TicketStatus.CLAIMED,
        TicketAction.FOLLOW_UP,
        actor=citizen,
        due_date=deadlines.due_date,
        reminded_at=None,
        escalated_at=None,
    )
    TicketMessage.objects.create(ticket=ticket, kind=MessageKind.FOLLOW_UP, author=citizen, body=body, at=now)
    if ticket.owner is not None:
        notify(recipient=ticket.owner, event="consult.follow_up", context=message_context(ticket))
    return ticket


def _close(ticket: ConsultTicket, *, actor: User, note: str = "") -> None:
    ticket_move(ticket, TicketStatus.CLOSED, TicketAction.CLOSE, actor=actor, note=note, closed_at=timezone.now())


@transaction.atomic
def ticket_close_by_citizen(*, citizen: User, code: str) -> ConsultTicket:
    """The citizen is done (or withdraws an unanswered question)."""
    ticket = lock_for_citizen(citizen=citizen, code=code)
    transition_check(ticket, TicketStatus.CLOSED)
    _close(ticket, actor=citizen, note="" if ticket.status == TicketStatus.ANSWERED else "市民撤回")
    return ticket


@transaction.atomic
def ticket_close_by_staff(*, actor: User, code: str) -> ConsultTicket:
    """The owner closes an answered ticket; an unanswered one cannot be closed from the staff side."""
    ticket = lock_for_staff(user=actor, code=code)
    owner_check(ticket, actor)
    if not ticket.is_answered:
        raise Conflict(_("答复后才能办结。"), code="not_answered")
    _close(ticket, actor=actor)
    return ticket


@transaction.atomic
def ticket_rate(*, citizen: User, code: str, score: int, comment: str = "") -> ConsultTicket:
    """The citizen rates the answer once (1 = 非常满意 … 5 = 非常不满意); rating closes the ticket."""
    ticket = lock_for_citizen(citizen=citizen, code=code)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("评价等级应为1至5。"), code="invalid_score")
    if ticket.rating is not None:
        raise Conflict(_("该工单已评价过。"), code="already_rated")
    if not ticket.can_rate():
        raise Conflict(_("工单答复后才能评价。"), code="not_answered")
    ticket.rating, ticket.rating_comment, ticket.rated_at = score, (comment or "").strip()[:300], timezone.now()
    ticket.save(update_fields=["rating", "rating_comment", "rated_at"])
    event_record(ticket, TicketAction.RATE, actor=citizen, from_status=ticket.status, note=str(score))
    if ticket.is_answered:
        _close(ticket, actor=citizen, note="评价后办结")
    return ticket


@transaction.atomic
def ticket_extend(*, supervisor: User, code: str, days: int, reason: str) -> ConsultTicket:
    """GB/T 39046 Table 10 "extension and reason": a supervisor adds working days to an open ticket."""
    if supervisor.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError(_("只有主管可以延期。"), code="not_supervisor")
    ticket = lock_for_staff(user=supervisor, code=code)
    if not supervises(supervisor, ticket):
        raise DomainError(_("只有本大厅主管可以延期。"), code="not_supervisor")
    if not ticket.is_open:
        raise Conflict(_("只能延期未答复的工单。"), code=lifecycle.REFUSED)
    if not isinstance(days, int) or not 1 <= days <= 10:
        raise DomainError(_("延期天数应为1至10个工作日。"), code="invalid_days")
    reason = text_required(reason, field="extension_reason", label=_("延期理由"), maximum=200)
    if ticket.due_date is None:
        raise Conflict(_("办理期限尚未确定，无法延期。"), code="calendar_unknown")
    try:
        ticket.due_date = calendar_get().add_workdays(ticket.due_date, days)
    except CalendarUnknown as exc:  # fails closed: no limit from a guessed calendar
        raise Conflict(
            _("%(year)s年的节假日安排尚未发布，无法计算工作日。") % {"year": exc.year}, code="calendar_unknown"
        ) from None
    ticket.extension_days += days
    ticket.extension_reason = reason
    ticket.reminded_at, ticket.escalated_at = None, None
    ticket.save(update_fields=["due_date", "extension_days", "extension_reason", "reminded_at", "escalated_at"])
    event_record(ticket, TicketAction.EXTEND, actor=supervisor, from_status=ticket.status, note=f"+{days} {reason}")
    return ticket


@transaction.atomic
def ticket_phone_reveal(*, actor: User, code: str, reason: str) -> str:
    """The asker's number in clear, to call them back: for the owner or a supervisor, with a reason.
    Every view is logged: in the citizen's "who viewed my data" list when they have an account, and in
    the ticket's event log always (DOMAIN.md §8)."""
    ticket = lock_for_staff(user=actor, code=code)
    owner_check(ticket, actor)
    reason = text_required(reason, field="reveal_reason", label=_("查看事由"), maximum=200)
    phone = ticket.asker_phone
    if not phone:
        raise DomainError(_("该工单没有联系电话。"), code="no_phone")
    if ticket.citizen is not None:
        # The access log's reason holds 200 characters, what was viewed first; the ticket's event keeps
        # the reason whole.
        personal_data_access_record(
            viewer=actor, subject=ticket.citizen, reason=f"手机号码：{reason}", case_reference=ticket.code
        )
    event_record(ticket, TicketAction.REVEAL, actor=actor, from_status=ticket.status, note=reason)
    return phone
