"""Writes on consultation tickets: one atomic service per transition (STYLE.md "State changes").

Each service locks the ticket (or claims it with a conditional UPDATE), checks TICKET_TRANSITIONS,
saves the changed fields and writes a TicketEvent in the same transaction; notifications are created
in it too and delivered after commit by apps.feedback.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import PHONE_RE, id_number_index, phone_index
from apps.booking.models import Hall, StaffPost
from apps.catalog.models import Department, Matter
from apps.feedback.services import notify
from apps.hall.models import Terminal
from apps.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib import idcard
from govservice.lib.codes import human_code
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from .limits import ESCALATE_WHEN_WORKDAYS_LEFT, REMIND_WHEN_WORKDAYS_LEFT, deadlines_for, workdays_left
from .models import (
    OPEN_STATUSES,
    TICKET_TRANSITIONS,
    ConsultDesk,
    ConsultTicket,
    FaqEntry,
    MessageKind,
    TicketAction,
    TicketChannel,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketStatus,
)
from .selectors import NOT_FOUND, desk_department_id, hall_offers_matter, staff_post_hall_id

TITLE_MAX = 100
BODY_MAX = 2000


def _not_found() -> DomainError:
    return DomainError(NOT_FOUND, code="not_found", status_code=404)


def _event(
    ticket: ConsultTicket,
    action: str,
    *,
    actor: User | None,
    from_status: str = "",
    note: str = "",
    department: Department | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        department=department,
    )


def _check_transition(ticket: ConsultTicket, target: str) -> None:
    if target not in TICKET_TRANSITIONS[ticket.status]:
        raise Conflict(
            f"工单当前状态为“{ticket.get_status_display()}”，不能执行此操作。 Not allowed in this status.",
            code="invalid_transition",
        )


def _text(value: str, *, field: str, label: str, maximum: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}。 {field} is required.", code=f"{field}_required", status_code=400)
    if len(value) > maximum:
        raise DomainError(
            f"{label}不能超过{maximum}个字。 {field} is too long.", code=f"{field}_too_long", status_code=400
        )
    return value


def _kind(value: str) -> str:
    if value not in TicketKind.values:
        raise DomainError("请选择咨询、投诉或建议。 Unknown kind.", code="invalid_kind", status_code=400)
    return value


def _matter(code: str) -> Matter:
    matter = Matter.objects.select_related("department").filter(code=code, is_current=True).first()
    if matter is None:
        raise DomainError("未找到该事项。 No such matter.", code="unknown_matter", status_code=400)
    return matter


def _context(ticket: ConsultTicket, **extra: str) -> dict[str, str]:
    return {
        "code": ticket.code,
        "matter": ticket.matter.name,
        "kind": str(ticket.get_kind_display()),
        "due_date": ticket.due_date.isoformat() if ticket.due_date else "",
        **extra,
    }


def _hall_supervisors(hall_id: int) -> list[User]:
    return list(
        User.objects.filter(role=Role.HALL_SUPERVISOR, post__hall_id=hall_id, is_active=True).order_by("id")
    )


def _create(
    *,
    matter: Matter,
    hall: Hall,
    kind: str,
    channel: str,
    title: str,
    content: str,
    citizen: User | None,
    contact_name: str = "",
    contact_phone: str = "",
    created_by: User | None = None,
    owner: User | None = None,
    calendar: WorkCalendar | None = None,
) -> ConsultTicket:
    now = timezone.now()
    deadlines = deadlines_for(kind=kind, asked_on=timezone.localdate(now), calendar=calendar or calendar_get())
    ticket = ConsultTicket(
        kind=kind,
        channel=channel,
        citizen=citizen,
        contact_name=contact_name,
        contact_phone=contact_phone or None,
        matter=matter,
        hall=hall,
        department=matter.department,
        title=title,
        created_by=created_by,
        created_at=now,
        response_due=deadlines.response_due,
        due_date=deadlines.due_date,
    )
    if owner is not None:
        # A clerk who takes a phone call is the first one asked: the ticket is theirs at once.
        ticket.owner, ticket.claimed_at, ticket.status = owner, now, TicketStatus.CLAIMED
    # Codes are random (not guessable from a neighbour's); a clash is astronomically rare but checked.
    for _attempt in range(5):
        code = "ZX" + human_code(10)
        if not ConsultTicket.objects.filter(code=code).exists():
            ticket.code = code
            break
    ticket.save()
    TicketMessage.objects.create(ticket=ticket, kind=MessageKind.QUESTION, author=citizen or created_by, body=content, at=now)
    _event(ticket, TicketAction.CREATE, actor=created_by or citizen, note=str(TicketChannel(channel).label))
    if owner is not None:
        _event(ticket, TicketAction.CLAIM, actor=owner, from_status=TicketStatus.NEW)
    return ticket


@transaction.atomic
def ticket_ask(
    *, citizen: User, matter_code: str, kind: str, title: str, content: str, hall_id: int | None = None
) -> ConsultTicket:
    """A citizen asks on the portal; the question goes to the queue of a hall that handles the matter."""
    if citizen.role != Role.CITIZEN:
        raise DomainError("只有市民可以提交咨询。 Only citizens may ask.", code="not_citizen", status_code=403)
    matter = _matter(matter_code)
    kind = _kind(kind)
    title = _text(title, field="title", label="标题", maximum=TITLE_MAX)
    content = _text(content, field="content", label="问题内容", maximum=BODY_MAX)
    if hall_id is None:
        hall = Hall.objects.filter(groups__matter_links__matter_code=matter.code).order_by("code").first()
    elif hall_offers_matter(hall_id=hall_id, code=matter.code):
        hall = Hall.objects.get(id=hall_id)
    else:
        hall = None
    if hall is None:
        raise DomainError("所选大厅不办理该事项。 That hall does not handle this matter.", code="invalid_hall", status_code=400)
    return _create(matter=matter, hall=hall, kind=kind, channel=TicketChannel.WEB, title=title, content=content, citizen=citizen)


@transaction.atomic
def ticket_ask_at_terminal(
    *, terminal: Terminal, id_number: str, matter_code: str, kind: str, title: str, content: str
) -> ConsultTicket:
    """At a hall kiosk: the citizen swipes their ID card; the ticket goes to that hall's queue and the
    reply reaches their account."""
    try:
        parsed = idcard.parse(id_number)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(f"{exc} Invalid ID number.", code="invalid_id_number", status_code=400) from None
    citizen = User.objects.filter(id_number_index=id_number_index(parsed.value), role=Role.CITIZEN).first()
    if citizen is None:
        raise DomainError(
            "未找到该身份证对应的实名账户，请先注册，或请工作人员代为登记。 No account for this ID card.",
            code="no_account",
            status_code=400,
        )
    matter = _matter(matter_code)
    if not hall_offers_matter(hall_id=terminal.hall_id, code=matter.code):
        raise DomainError("本大厅不办理该事项。 This hall does not handle this matter.", code="invalid_hall", status_code=400)
    return _create(
        matter=matter,
        hall=terminal.hall,
        kind=_kind(kind),
        channel=TicketChannel.TERMINAL,
        title=_text(title, field="title", label="标题", maximum=TITLE_MAX),
        content=_text(content, field="content", label="问题内容", maximum=BODY_MAX),
        citizen=citizen,
    )


@transaction.atomic
def ticket_log_call(
    *,
    clerk: User,
    matter_code: str,
    kind: str,
    title: str,
    content: str,
    caller_name: str,
    caller_phone: str,
    id_number: str = "",
) -> ConsultTicket:
    """A clerk logs a phone call on the caller's behalf and owns it from the start (首问负责). A caller
    with an account (found by ID number, else by phone) gets the reply in it; otherwise by phone."""
    hall_id = staff_post_hall_id(clerk)
    if clerk.role not in (Role.CLERK, Role.HALL_SUPERVISOR) or hall_id is None:
        raise DomainError("您没有大厅岗位，不能登记来电。 You have no hall post.", code="no_post", status_code=403)
    caller_name = _text(caller_name, field="caller_name", label="来电人姓名", maximum=64)
    caller_phone = (caller_phone or "").strip()
    if not PHONE_RE.match(caller_phone):
        raise DomainError("请填写11位手机号码。 Invalid mobile number.", code="invalid_phone", status_code=400)
    citizen = None
    if id_number.strip():
        try:
            parsed = idcard.parse(id_number)
        except idcard.InvalidIdNumber as exc:
            raise DomainError(f"{exc} Invalid ID number.", code="invalid_id_number", status_code=400) from None
        citizen = User.objects.filter(id_number_index=id_number_index(parsed.value), role=Role.CITIZEN).first()
    if citizen is None:
        citizen = User.objects.filter(phone_index=phone_index(caller_phone), role=Role.CITIZEN).order_by("id").first()
    return _create(
        matter=_matter(matter_code),
        hall=Hall.objects.get(id=hall_id),
        kind=_kind(kind),
        channel=TicketChannel.PHONE,
        title=_text(title, field="title", label="标题", maximum=TITLE_MAX),
        content=_text(content, field="content", label="问题内容", maximum=BODY_MAX),
        citizen=citizen,
        contact_name=caller_name,
        contact_phone=caller_phone,
        created_by=clerk,
        owner=clerk,
    )


def _lock_for_staff(*, user: User, code: str) -> ConsultTicket:
    """The ticket, locked, if this member of staff may see it; "not found" otherwise."""
    ticket = ConsultTicket.objects.select_for_update(of=("self",)).select_related("matter", "department", "citizen").filter(code=code).first()
    if ticket is None:
        raise _not_found()
    if user.role == Role.ADMIN:
        return ticket
    if user.role in (Role.CLERK, Role.HALL_SUPERVISOR):
        if ticket.hall_id == staff_post_hall_id(user):
            return ticket
        if ticket.status == TicketStatus.ROUTED and ticket.department_id == desk_department_id(user):
            return ticket
    raise _not_found()


def _lock_for_citizen(*, citizen: User, code: str) -> ConsultTicket:
    ticket = (
        ConsultTicket.objects.select_for_update(of=("self",))
        .select_related("matter", "owner")
        .filter(code=code, citizen=citizen)
        .first()
    )
    if ticket is None:
        raise _not_found()
    return ticket


def ticket_claim(*, clerk: User, code: str) -> ConsultTicket:
    """首问负责: the first clerk of the hall to take a waiting ticket owns it. One conditional UPDATE, so
    two clerks pressing at once give exactly one owner and one "already taken"."""
    hall_id = staff_post_hall_id(clerk)
    if clerk.role not in (Role.CLERK, Role.HALL_SUPERVISOR) or hall_id is None:
        raise _not_found()
    with transaction.atomic():
        now = timezone.now()
        taken = ConsultTicket.objects.filter(code=code, hall_id=hall_id, status=TicketStatus.NEW, owner__isnull=True).update(
            owner=clerk, status=TicketStatus.CLAIMED, claimed_at=now
        )
        ticket = ConsultTicket.objects.select_related("owner", "matter").filter(code=code, hall_id=hall_id).first()
        if ticket is None:
            raise _not_found()
        if not taken:
            if ticket.owner_id == clerk.id:
                return ticket  # pressing twice is harmless
            raise Conflict(
                f"该工单已由{ticket.owner.display_name if ticket.owner else '他人'}受理。 Already taken.",
                code="already_claimed",
            )
        _event(ticket, TicketAction.CLAIM, actor=clerk, from_status=TicketStatus.NEW)
    return ticket


def _must_own(ticket: ConsultTicket, user: User) -> None:
    if ticket.owner_id != user.id and user.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError(
            "只有首问责任人或主管可以执行此操作。 Only the owner or a supervisor may do this.",
            code="not_owner",
            status_code=403,
        )


@transaction.atomic
def ticket_route(*, actor: User, code: str, department_code: str, note: str) -> ConsultTicket:
    """The owner routes the ticket to a department with a note; the owner stays responsible."""
    ticket = _lock_for_staff(user=actor, code=code)
    _must_own(ticket, actor)
    _check_transition(ticket, TicketStatus.ROUTED)
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise DomainError("未找到该部门。 No such department.", code="unknown_department", status_code=400)
    note = _text(note, field="note", label="转办说明", maximum=500)
    before = ticket.status
    ticket.status, ticket.department = TicketStatus.ROUTED, department
    ticket.save(update_fields=["status", "department"])
    _event(ticket, TicketAction.ROUTE, actor=actor, from_status=before, note=note, department=department)
    for desk in ConsultDesk.objects.filter(department=department).select_related("user"):
        notify(recipient=desk.user, event="consult.routed", context=_context(ticket, department=department.name, note=note))
    return ticket


@transaction.atomic
def ticket_reply(*, actor: User, code: str, body: str) -> ConsultTicket:
    """Answer the citizen: the owner, a hall supervisor, or the liaison of the department it was routed to."""
    ticket = _lock_for_staff(user=actor, code=code)
    routed_here = ticket.status == TicketStatus.ROUTED and ticket.department_id == desk_department_id(actor)
    if not routed_here:
        _must_own(ticket, actor)
    _check_transition(ticket, TicketStatus.ANSWERED)
    body = _text(body, field="body", label="答复内容", maximum=BODY_MAX)
    now = timezone.now()
    before = ticket.status
    ticket.status, ticket.answered_at = TicketStatus.ANSWERED, now
    ticket.first_answered_at = ticket.first_answered_at or now
    ticket.save(update_fields=["status", "answered_at", "first_answered_at"])
    TicketMessage.objects.create(ticket=ticket, kind=MessageKind.REPLY, author=actor, body=body, at=now)
    _event(ticket, TicketAction.REPLY, actor=actor, from_status=before)
    if ticket.citizen is not None:
        notify(recipient=ticket.citizen, event="consult.answered", context=_context(ticket))
    return ticket


@transaction.atomic
def ticket_follow_up(*, citizen: User, code: str, body: str) -> ConsultTicket:
    """A follow-up question in the same thread: the ticket goes back to its owner with a fresh limit."""
    ticket = _lock_for_citizen(citizen=citizen, code=code)
    if ticket.status != TicketStatus.ANSWERED:
        raise Conflict("工单答复后才能追问，已办结的工单请重新提问。 You can follow up on an answered ticket.", code="invalid_transition")
    _check_transition(ticket, TicketStatus.CLAIMED)
    body = _text(body, field="body", label="追问内容", maximum=BODY_MAX)
    now = timezone.now()
    deadlines = deadlines_for(kind=ticket.kind, asked_on=timezone.localdate(now), calendar=calendar_get())
    ticket.status = TicketStatus.CLAIMED
    # The follow-up is a new question: a new limit, and reminders may fire again for it.
    ticket.due_date, ticket.reminded_at, ticket.escalated_at = deadlines.due_date, None, None
    ticket.save(update_fields=["status", "due_date", "reminded_at", "escalated_at"])
    TicketMessage.objects.create(ticket=ticket, kind=MessageKind.FOLLOW_UP, author=citizen, body=body, at=now)
    _event(ticket, TicketAction.FOLLOW_UP, actor=citizen, from_status=TicketStatus.ANSWERED)
    if ticket.owner is not None:
        notify(recipient=ticket.owner, event="consult.follow_up", context=_context(ticket))
    return ticket


def _close(ticket: ConsultTicket, *, actor: User, note: str = "") -> None:
    before = ticket.status
    ticket.status, ticket.closed_at = TicketStatus.CLOSED, timezone.now()
    ticket.save(update_fields=["status", "closed_at"])
    _event(ticket, TicketAction.CLOSE, actor=actor, from_status=before, note=note)


@transaction.atomic
def ticket_close_by_citizen(*, citizen: User, code: str) -> ConsultTicket:
    """The citizen is done (or withdraws an unanswered question)."""
    ticket = _lock_for_citizen(citizen=citizen, code=code)
    _check_transition(ticket, TicketStatus.CLOSED)
    _close(ticket, actor=citizen, note="" if ticket.status == TicketStatus.ANSWERED else "市民撤回")
    return ticket


@transaction.atomic
def ticket_close_by_staff(*, actor: User, code: str) -> ConsultTicket:
    """The owner closes an answered ticket; an unanswered one cannot be closed from the staff side."""
    ticket = _lock_for_staff(user=actor, code=code)
    _must_own(ticket, actor)
    if ticket.status != TicketStatus.ANSWERED:
        raise Conflict("答复后才能办结。 Answer the ticket before closing it.", code="not_answered")
    _close(ticket, actor=actor)
    return ticket


@transaction.atomic
def ticket_rate(*, citizen: User, code: str, score: int, comment: str = "") -> ConsultTicket:
    """The citizen rates the answer once (1 = 非常满意 … 5 = 非常不满意); rating closes the ticket."""
    ticket = _lock_for_citizen(citizen=citizen, code=code)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("评价等级应为1至5。 Score must be 1 to 5.", code="invalid_score", status_code=400)
    if ticket.rating is not None:
        raise Conflict("该工单已评价过。 Already rated.", code="already_rated")
    if not ticket.can_rate():
        raise Conflict("工单答复后才能评价。 You can rate once you have an answer.", code="not_answered")
    ticket.rating, ticket.rating_comment, ticket.rated_at = score, (comment or "").strip()[:300], timezone.now()
    ticket.save(update_fields=["rating", "rating_comment", "rated_at"])
    _event(ticket, TicketAction.RATE, actor=citizen, from_status=ticket.status, note=str(score))
    if ticket.status == TicketStatus.ANSWERED:
        _close(ticket, actor=citizen, note="评价后办结")
    return ticket


@transaction.atomic
def ticket_extend(*, supervisor: User, code: str, days: int, reason: str) -> ConsultTicket:
    """GB/T 39046 Table 10 "extension and reason": a supervisor adds working days to an open ticket."""
    if supervisor.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError("只有主管可以延期。 Only a supervisor may extend.", code="not_supervisor", status_code=403)
    ticket = _lock_for_staff(user=supervisor, code=code)
    if ticket.status not in OPEN_STATUSES:
        raise Conflict("只能延期未答复的工单。 Only open tickets can be extended.", code="invalid_transition")
    if not isinstance(days, int) or not 1 <= days <= 10:
        raise DomainError("延期天数应为1至10个工作日。 Extend by 1 to 10 working days.", code="invalid_days", status_code=400)
    reason = _text(reason, field="reason", label="延期理由", maximum=200)
    if ticket.due_date is None:
        raise Conflict("办理期限尚未确定，无法延期。 The due date is not known yet.", code="calendar_unknown")
    ticket.due_date = calendar_get().add_workdays(ticket.due_date, days)
    ticket.extension_days += days
    ticket.extension_reason = reason
    ticket.reminded_at, ticket.escalated_at = None, None
    ticket.save(update_fields=["due_date", "extension_days", "extension_reason", "reminded_at", "escalated_at"])
    _event(ticket, TicketAction.EXTEND, actor=supervisor, from_status=ticket.status, note=f"+{days} {reason}")
    return ticket


# A published FAQ holds no personal data: no ID number, no phone number, not the asker's name.
_ID_RE = re.compile(r"\d{17}[\dXx]|\d{15}")
_PHONE_RE = re.compile(r"1[3-9]\d{9}")


@transaction.atomic
def faq_publish(*, supervisor: User, code: str, question: str, answer: str) -> FaqEntry:
    """A supervisor publishes an answered ticket, edited, as a question and answer of its matter."""
    if supervisor.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError("只有主管可以发布常见问题。 Only a supervisor may publish.", code="not_supervisor", status_code=403)
    ticket = _lock_for_staff(user=supervisor, code=code)
    if ticket.first_answered_at is None:
        raise Conflict("只能发布已答复的工单。 Only answered tickets can be published.", code="not_answered")
    question = _text(question, field="question", label="问题", maximum=300)
    answer = _text(answer, field="answer", label="答复", maximum=BODY_MAX)
    names = [n for n in (ticket.citizen.real_name if ticket.citizen else "", ticket.contact_name) if len(n) >= 2]
    for text in (question, answer):
        if _ID_RE.search(text) or _PHONE_RE.search(text) or any(n in text for n in names):
            raise DomainError(
                "常见问题不能包含姓名、身份证号码或电话号码，请删除个人信息后再发布。 Remove personal data first.",
                code="personal_data",
                status_code=400,
            )
    entry = FaqEntry.objects.create(
        matter_code=ticket.matter.code, question=question, answer=answer, source_ticket=ticket, published_by=supervisor
    )
    _event(ticket, TicketAction.FAQ, actor=supervisor, from_status=ticket.status)
    return entry


@transaction.atomic
def faq_unpublish(*, supervisor: User, entry_id: int) -> None:
    if supervisor.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError("只有主管可以撤下常见问题。 Only a supervisor may do this.", code="not_supervisor", status_code=403)
    if not FaqEntry.objects.filter(id=entry_id, is_published=True).update(is_published=False):
        raise DomainError("未找到该常见问题。 No such entry.", code="not_found", status_code=404)


def _remind_one(ticket_id: int, *, now: dt.datetime, today: dt.date, calendar: WorkCalendar) -> tuple[int, int]:
    """Reminder and escalation of one ticket, each at most once per limit (compare-and-set on the
    timestamp, so two beat runs at once still send one)."""
    reminded = escalated = 0
    with transaction.atomic():
        ticket = (
            ConsultTicket.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("matter", "owner")
            .filter(id=ticket_id, status__in=[*OPEN_STATUSES])
            .first()
        )
        if ticket is None:
            return 0, 0
        if ticket.due_date is None or ticket.response_due is None:
            # The calendar of that year may have been published since.
            deadlines = deadlines_for(kind=ticket.kind, asked_on=timezone.localdate(ticket.created_at), calendar=calendar)
            if deadlines.due_date is None or deadlines.response_due is None:
                return 0, 0
            ticket.due_date = ticket.due_date or deadlines.due_date
            ticket.response_due = ticket.response_due or deadlines.response_due
            ticket.save(update_fields=["due_date", "response_due"])
        assert ticket.due_date is not None and ticket.response_due is not None
        left = workdays_left(due_date=ticket.due_date, today=today, calendar=calendar)
        reasons = []
        # Late to be taken once a working day has begun after the response day (not on the weekend).
        if ticket.status == TicketStatus.NEW and calendar.workdays_between(ticket.response_due, today) >= 1:
            reasons.append("无人受理，已超过当日响应时限")
        if left <= ESCALATE_WHEN_WORKDAYS_LEFT:
            reasons.append(f"办理期限为{ticket.due_date.isoformat()}，尚未答复")
        if left <= REMIND_WHEN_WORKDAYS_LEFT and ticket.reminded_at is None:
            ticket.reminded_at = now
            ticket.save(update_fields=["reminded_at"])
            recipients = [ticket.owner] if ticket.owner else _hall_supervisors(ticket.hall_id)
            for user in recipients:
                notify(recipient=user, event="consult.reminder", context=_context(ticket))
            _event(ticket, TicketAction.REMIND, actor=None, from_status=ticket.status, note=f"剩余{max(left, 0)}个工作日")
            reminded = 1
        if reasons and ticket.escalated_at is None:
            ticket.escalated_at = now
            ticket.save(update_fields=["escalated_at"])
            reason = "；".join(reasons)
            for user in _hall_supervisors(ticket.hall_id):
                notify(recipient=user, event="consult.escalated", context=_context(ticket, reason=reason))
            _event(ticket, TicketAction.ESCALATE, actor=None, from_status=ticket.status, note=reason)
            escalated = 1
    return reminded, escalated


def tickets_remind_and_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic sweep (beat every 15 minutes): idempotent, one short transaction per ticket."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = calendar_get()
    candidates = ConsultTicket.objects.filter(status__in=[*OPEN_STATUSES]).filter(
        Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True)
    )
    totals = {"reminded": 0, "escalated": 0}
    for ticket_id in list(candidates.values_list("id", flat=True)):
        try:
            reminded, escalated = _remind_one(ticket_id, now=now, today=today, calendar=calendar)
        except CalendarUnknown:  # fails closed: no reminder from a guessed calendar
            continue
        totals["reminded"] += reminded
        totals["escalated"] += escalated
    return totals


def staff_post(user: User) -> StaffPost | None:
    return StaffPost.objects.select_related("hall").filter(user=user).first()
