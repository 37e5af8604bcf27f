"""Check-in, tickets and calling (DOMAIN.md §3, DESIGN.md §6)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.booking.models import Appointment, AppointmentStatus, StaffPost
from apps.booking.services import appointment_transition
from govservice.api import Conflict, DomainError
from govservice.lib.masking import mask_name

from .models import TICKET_TRANSITIONS, Priority, Terminal, Ticket, TicketStatus


def terminal_authenticate(token: str) -> Terminal | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return Terminal.objects.select_related("hall").filter(token_sha256=digest, active=True).first()


def daily_counter_next(*, scope: str, day: dt.date) -> int:
    """The next number of a daily sequence. One atomic upsert: two terminals never get the same number."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO hall_dailycounter (scope, day, last) VALUES (%s, %s, 1)
            ON CONFLICT (scope, day) DO UPDATE SET last = hall_dailycounter.last + 1
            RETURNING last
            """,
            [scope, day],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def checkin_by_code(*, terminal: Terminal, code: str) -> Ticket:
    """Check in with an appointment code within the window of DOMAIN.md §3: from start − 30 min to
    start + 15 min. Early arrivals are told when to come back; late ones must take a walk-in ticket."""
    code = code.strip().upper()
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("slot", "slot__group", "citizen", "matter")
        .filter(code=code, hall=terminal.hall)
        .first()
    )
    if appointment is None:
        raise DomainError("未找到该预约码对应的本大厅预约，请核对。 No appointment with this code at this hall.", code="not_found", status_code=404)
    if appointment.status == AppointmentStatus.CHECKED_IN:
        return appointment.ticket
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(f"该预约状态为“{appointment.get_status_display()}”，不能签到。 Cannot check in.", code="invalid_state")
    now = timezone.now()
    start = appointment.slot.start
    opens = start - dt.timedelta(minutes=settings.CHECKIN_EARLY_MINUTES)
    closes = start + dt.timedelta(minutes=settings.CHECKIN_LATE_MINUTES)
    if now < opens:
        local = timezone.localtime(opens)
        raise DomainError(f"签到时间未到，请于{local:%m月%d日 %H:%M}后签到。 Too early: come back at {local:%H:%M}.", code="too_early")
    if now > closes:
        raise DomainError("已超过签到时间，请在取号机选择“现场取号”。 Too late: please take a walk-in ticket.", code="too_late")
    group = appointment.slot.group
    ticket = Ticket.objects.create(
        hall=terminal.hall,
        group=group,
        service_date=timezone.localdate(),
        number=daily_counter_next(scope=f"ticket:{group.id}", day=timezone.localdate()),
        appointment=appointment,
        matter=appointment.matter,
        citizen=appointment.citizen,
        display_name=mask_name(appointment.citizen.real_name),
        priority=Priority.BOOKED,
        booked_start=start,
    )
    appointment_transition(appointment=appointment, to_status=AppointmentStatus.CHECKED_IN, actor=None, note=terminal.name)
    return ticket


def people_ahead(ticket: Ticket) -> int:
    waiting = Ticket.objects.filter(group=ticket.group, service_date=ticket.service_date, status=TicketStatus.WAITING)
    return sum(1 for t in waiting.only("id", "priority", "booked_start", "checked_in_at") if _sort_key(t) < _sort_key(ticket))


def _sort_key(t: Ticket) -> tuple:
    return (t.priority, t.booked_start or dt.datetime.max.replace(tzinfo=dt.UTC), t.checked_in_at, t.id)


def _post_for(clerk: User) -> StaffPost:
    post = StaffPost.objects.select_related("window", "window__group", "hall").filter(user=clerk).first()
    if post is None or post.window is None:
        raise DomainError("您尚未分配窗口，请联系大厅主管。 You have no window assigned.", code="no_window", status_code=403)
    return post


@transaction.atomic
def ticket_call_next(*, clerk: User) -> Ticket | None:
    """Claim the first waiting ticket of the clerk's window group. SKIP LOCKED lets eight windows call at
    once without waiting on each other, and the conditional update makes each ticket called once."""
    post = _post_for(clerk)
    while True:
        ticket = (
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(group=post.window.group, service_date=timezone.localdate(), status=TicketStatus.WAITING)
            .order_by("priority", "booked_start", "checked_in_at", "id")
            .first()
        )
        if ticket is None:
            return None
        changed = Ticket.objects.filter(id=ticket.id, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED, called_at=timezone.now(), window=post.window, served_by=clerk
        )
        if changed:
            break
    ticket.refresh_from_db()
    if ticket.appointment_id:
        appointment_transition(appointment=ticket.appointment, to_status=AppointmentStatus.CALLED, actor=clerk)
    return ticket


def ticket_get_for_clerk(*, clerk: User, ticket_id: int, lock: bool = False) -> Ticket:
    """A clerk sees only tickets of their own hall (404 otherwise)."""
    post = _post_for(clerk)
    qs = Ticket.objects.select_related("matter", "citizen", "appointment", "group", "hall")
    if lock:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.filter(id=ticket_id, hall=post.hall).first()
    if ticket is None:
        raise DomainError("未找到该号码，或不属于本大厅。 No such ticket at your hall.", code="not_found", status_code=404)
    return ticket


def ticket_transition(*, ticket: Ticket, to_status: str, actor: User) -> None:
    if to_status not in TICKET_TRANSITIONS[ticket.status]:
        raise Conflict("号码当前状态不能执行此操作。 Invalid ticket transition.", code="invalid_state")
    changed = Ticket.objects.filter(id=ticket.id, status=ticket.status).update(status=to_status)
    if not changed:
        raise Conflict("号码状态已被他人更改，请刷新。 Changed by someone else.", code="stale")
    ticket.status = to_status
