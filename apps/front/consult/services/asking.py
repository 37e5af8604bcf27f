"""Asking: on the portal, at a hall kiosk (ID card), or by phone through a clerk."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.booking.models import Hall
from apps.front.floor.models import Terminal
from apps.shared.accounts.models import Role, User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.accounts.services import PHONE_RE, phone_index
from apps.shared.catalog.models import Matter
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import DomainError
from govservice.lib import idcard
from govservice.lib.codes import human_code
from govservice.lib.ratelimit import hit

from ..limits import deadlines_for
from ..models import ConsultTicket, MessageKind, TicketAction, TicketChannel, TicketKind, TicketMessage, TicketStatus
from ..selectors import hall_offers_matter, staff_post_hall_id
from .records import BODY_MAX, TITLE_MAX, event_record, text_required

# A citizen's own questions per day, portal and kiosk together: room for real needs, not for a flood
# into the hall's queue (local practice).
QUESTIONS_PER_CITIZEN_PER_DAY = 20
# The names of the fields in "请填写%(label)s。": lazy, read in the language of the request.
TITLE = gettext_lazy("标题")
CONTENT = gettext_lazy("问题内容")


def _within_daily_limit(citizen: User) -> None:
    allowed, _retry_after = hit(
        "consult-ask", str(citizen.pk), limit=QUESTIONS_PER_CITIZEN_PER_DAY, window_seconds=86400
    )
    if not allowed:
        raise DomainError(
            _("今日提问次数已达上限（%(n)s次），请明天再试或拨打服务热线。") % {"n": QUESTIONS_PER_CITIZEN_PER_DAY},
            code="rate_limited",
        )


def _kind(value: str) -> str:
    if value not in TicketKind.values:
        raise DomainError(_("请选择咨询、投诉或建议。"), code="invalid_kind")
    return value


def _citizen_by_id_number(id_number: str) -> User | None:
    """The citizen account of a valid ID number (None: no account); an invalid number is a 400."""
    parsed = idcard.parse_or_refuse(id_number)
    return citizen_verified_by_id_number(parsed.value)


def _matter(code: str) -> Matter:
    matter = Matter.objects.select_related("department").filter(code=code, is_current=True).first()
    if matter is None:
        raise DomainError(_("未找到该事项。"), code="unknown_matter")
    return matter


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
) -> ConsultTicket:
    now = timezone.now()
    deadlines = deadlines_for(kind=kind, asked_on=timezone.localdate(now), calendar=calendar_get())
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
    TicketMessage.objects.create(
        ticket=ticket, kind=MessageKind.QUESTION, author=citizen or created_by, body=content, at=now
    )
    event_record(ticket, TicketAction.CREATE, actor=created_by or citizen, note=str(TicketChannel(channel).label))
    if owner is not None:
        event_record(ticket, TicketAction.CLAIM, actor=owner, from_status=TicketStatus.NEW)
    return ticket


@transaction.atomic
def ticket_ask(
    *, citizen: User, matter_code: str, kind: str, title: str, content: str, hall_id: int | None = None
) -> ConsultTicket:
    """A citizen asks on the portal; the question goes to the queue of a hall that handles the matter."""
    if citizen.role != Role.CITIZEN:
        raise DomainError(_("只有市民可以提交咨询。"), code="not_citizen")
    matter = _matter(matter_code)
    kind = _kind(kind)
    title = text_required(title, field="title", label=TITLE, maximum=TITLE_MAX)
    content = text_required(content, field="content", label=CONTENT, maximum=BODY_MAX)
    if hall_id is None:
        hall = Hall.objects.filter(groups__matter_links__matter_code=matter.code).order_by("code").first()
    elif hall_offers_matter(hall_id=hall_id, code=matter.code):
        hall = Hall.objects.get(id=hall_id)
    else:
        hall = None
    if hall is None:
        raise DomainError(_("所选大厅不办理该事项。"), code="invalid_hall")
    _within_daily_limit(citizen)
    return _create(
        matter=matter, hall=hall, kind=kind, channel=TicketChannel.WEB, title=title, content=content, citizen=citizen
    )


@transaction.atomic
def ticket_ask_at_terminal(
    *, terminal: Terminal, id_number: str, matter_code: str, kind: str, title: str, content: str
) -> ConsultTicket:
    """At a hall kiosk: the citizen swipes their ID card; the ticket goes to that hall's queue and the
    reply reaches their account."""
    citizen = _citizen_by_id_number(id_number)
    if citizen is None:
        raise DomainError(_("未找到该身份证对应的实名账户，请先注册，或请工作人员代为登记。"), code="no_account")
    matter = _matter(matter_code)
    if not hall_offers_matter(hall_id=terminal.hall_id, code=matter.code):
        raise DomainError(_("本大厅不办理该事项。"), code="invalid_hall")
    kind, title, content = (
        _kind(kind),
        text_required(title, field="title", label=TITLE, maximum=TITLE_MAX),
        text_required(content, field="content", label=CONTENT, maximum=BODY_MAX),
    )
    _within_daily_limit(citizen)
    return _create(
        matter=matter,
        hall=terminal.hall,
        kind=kind,
        channel=TicketChannel.TERMINAL,
        title=title,
        content=content,
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
    with an account (found by ID number, else by phone and name) gets the reply in it; otherwise by phone."""
    hall_id = staff_post_hall_id(clerk)
    if clerk.role not in (Role.CLERK, Role.HALL_SUPERVISOR) or hall_id is None:
        raise DomainError(_("您没有大厅岗位，不能登记来电。"), code="no_post")
    caller_name = text_required(caller_name, field="caller_name", label=gettext_lazy("来电人姓名"), maximum=64)
    caller_phone = (caller_phone or "").strip()
    if not PHONE_RE.match(caller_phone):
        raise DomainError(_("请填写11位手机号码。"), code="invalid_phone")
    citizen = None
    if id_number.strip():
        citizen = _citizen_by_id_number(id_number)
    if citizen is None:
        by_phone = User.objects.filter(phone_index=phone_index(caller_phone), role=Role.CITIZEN).order_by("id").first()
        # The number alone does not say who is calling (a relative's phone, a reassigned number): the
        # ticket, with the caller's question, goes into that account only when the name matches too.
        if by_phone is not None and by_phone.real_name and by_phone.real_name == caller_name:
            citizen = by_phone
    return _create(
        matter=_matter(matter_code),
        hall=Hall.objects.get(id=hall_id),
        kind=_kind(kind),
        channel=TicketChannel.PHONE,
        title=text_required(title, field="title", label=TITLE, maximum=TITLE_MAX),
        content=text_required(content, field="content", label=CONTENT, maximum=BODY_MAX),
        citizen=citizen,
        contact_name=caller_name,
        contact_phone=caller_phone,
        created_by=clerk,
        owner=clerk,
    )


@transaction.atomic
def ticket_open_for_callback(*, citizen: User, matter: Matter, hall: Hall, title: str, content: str) -> ConsultTicket:
    """A call-back the hall owes a citizen, in its queue like any question (首问负责 by whoever takes it): a
    remote-window session nobody answered in time (apps/front/remote)."""
    return _create(
        matter=matter,
        hall=hall,
        kind=TicketKind.CONSULTATION,
        channel=TicketChannel.REMOTE,
        title=title.strip()[:TITLE_MAX],
        content=content.strip()[:BODY_MAX],
        citizen=citizen,
    )
