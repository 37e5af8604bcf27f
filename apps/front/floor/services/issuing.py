"""Tickets at the door: smart terminals, check-in with an appointment code, walk-in tickets (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from apps.front.booking.models import (
    Appointment,
    AppointmentStatus,
    GroupMatter,
    WindowGroup,
)
from apps.front.booking.services import appointment_transition
from apps.front.floor.conf import floor_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.applicants import applicant_matter_refusal
from apps.shared.catalog.models import Matter
from govservice.lib import idcard
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.masking import mask_name

from .. import hooks
from ..models import ACTIVE_TICKET_STATUSES, Priority, Terminal, Ticket, TicketAction, TicketStatus
from ..selectors import people_ahead
from .events import ticket_event_record
from .green import green_reason as green_reason_for
from .hours import walk_in_hours_check


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


def _issue(
    *,
    terminal: Terminal,
    group: WindowGroup,
    matter: Matter,
    citizen: User | None,
    priority: int,
    green_reason: str = "",
    appointment: Appointment | None = None,
    idempotency_key: str = "",
    note: str,
    agent: User | None = None,
) -> Ticket:
    today = timezone.localdate()
    ticket = Ticket.objects.create(
        hall=terminal.hall,
        group=group,
        service_date=today,
        number=daily_counter_next(scope=f"ticket:{group.id}", day=today),
        prefix=group.letter,
        appointment=appointment,
        matter=matter,
        citizen=citizen,
        agent=agent,
        display_name=mask_name(citizen.real_name) if citizen is not None else "",
        priority=Priority.GREEN_CHANNEL if green_reason else priority,
        green_reason=green_reason,
        booked_start=appointment.slot.start if appointment is not None else None,
        terminal=terminal,
        idempotency_key=idempotency_key,
    )
    ticket_event_record(ticket=ticket, action=TicketAction.ISSUE, actor=None, from_status="", note=note)
    return ticket


def todays_appointment_code(*, terminal: Terminal, id_number: str) -> str:
    """The code of the citizen's appointment at this hall today, found by the ID number read at the kiosk: their
    own, or one they booked for someone else (an agent's card finds the appointment it will act on; the window
    checks the agent's authority again)."""
    parsed = idcard.parse_or_refuse(id_number)
    # Only the verified account of the number: an unverified registration of someone else's ID number
    # never checks in on that person's appointment.
    citizen = citizen_verified_by_id_number(parsed.value)
    code = (
        Appointment.objects.filter(
            Q(citizen=citizen) | Q(agent=citizen) if citizen is not None else Q(pk__in=[]),
            hall=terminal.hall,
            slot__date=timezone.localdate(),
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
        )
        .order_by("slot__start")
        .values_list("code", flat=True)
        .first()
    )
    if code is None:
        raise DomainError(
            _("未找到您今天在本大厅的预约，可选择“现场取号”。"),
            code="not_found",
        )
    return code


@transaction.atomic
def checkin_by_code(*, terminal: Terminal, code: str) -> Ticket:
    """Check in with an appointment code (typed, or read from the QR code) or an ID number (read from the
    ID card; it finds the citizen's appointment at this hall today), within the window of DOMAIN.md §3:
    from start − 30 min to start + 15 min. Early arrivals are told when to come back; late ones must
    take a walk-in ticket."""
    code = code.strip().upper()
    if len(code) == 18:
        code = todays_appointment_code(terminal=terminal, id_number=code)
    # Lock the appointment only (of=self): locking the joined citizen row too would cross booking's
    # citizen-then-appointment order and deadlock against a cancel.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot", "slot__group", "citizen", "matter")
        .filter(code=code, hall=terminal.hall)
        .first()
    )
    if appointment is None:
        raise DomainError(
            _("未找到该预约码对应的本大厅预约，请核对。"),
            code="not_found",
        )
    if appointment.status == AppointmentStatus.CHECKED_IN:
        return appointment.ticket
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            _("该预约状态为“%(status)s”，不能签到。") % {"status": appointment.get_status_display()},
            code="invalid_state",
        )
    now = timezone.now()
    start = appointment.slot.start
    opens = start - dt.timedelta(minutes=floor_conf.CHECKIN_EARLY_MINUTES)
    closes = start + dt.timedelta(minutes=floor_conf.CHECKIN_LATE_MINUTES)
    if now < opens:
        local = timezone.localtime(opens)
        # The Chinese reads 05月03日 09:00; other languages get the ISO form.
        when = f"{local:%m月%d日 %H:%M}" if (get_language() or "zh").startswith("zh") else f"{local:%m-%d %H:%M}"
        raise DomainError(
            _("签到时间未到，请于%(when)s后签到。") % {"when": when},
            code="too_early",
        )
    if now > closes:
        raise DomainError(_("已超过签到时间，请在取号机选择“现场取号”。"), code="too_late")
    ticket = _issue(
        terminal=terminal,
        group=appointment.slot.group,
        matter=appointment.matter,
        citizen=appointment.citizen,
        priority=Priority.BOOKED,
        # A booked citizen of 70 or more is called in the green channel too (their ID is on the account).
        green_reason=green_reason_for(chosen="", id_number="", citizen=appointment.citizen, today=timezone.localdate()),
        appointment=appointment,
        note=f"{terminal.name} 预约签到",
        # Booked by someone for the applicant: that person is expected at the window (checked there again).
        agent=appointment.agent,
    )
    appointment_transition(
        appointment=appointment, to_status=AppointmentStatus.CHECKED_IN, actor=None, note=terminal.name
    )
    # The queue number and the people ahead on the citizen's phone too: they may sit anywhere in the hall.
    # Counted once: the kiosk's answer (TicketSerializer) reads the same figure from the ticket.
    ticket._ahead = people_ahead(ticket)
    notify(
        recipient=appointment.citizen,
        event="hall.checked_in",
        context={
            "code": appointment.code,
            "matter": appointment.matter.name,
            "hall": terminal.hall.name,
            "ticket": ticket.label,
            "ahead": str(ticket._ahead),
        },
    )
    return ticket


def _late_appointment(*, terminal: Terminal, code: str) -> Appointment:
    """Today's appointment whose check-in window has closed: its holder may queue as a walk-in."""
    code = code.strip().upper()
    if len(code) == 18:  # read from an ID card, as check-in accepts
        code = todays_appointment_code(terminal=terminal, id_number=code)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot", "citizen")
        .filter(code=code, hall=terminal.hall)
        .first()
    )
    if appointment is None:
        raise DomainError(
            _("未找到该预约码对应的本大厅预约，请核对。"),
            code="not_found",
        )
    # Past start + grace the booking job may already have marked it a no-show: the citizen still queues.
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW):
        raise Conflict(
            _("该预约状态为“%(status)s”。") % {"status": appointment.get_status_display()}, code="invalid_state"
        )
    if appointment.slot.date != timezone.localdate():  # the hall day the slot belongs to, as at check-in
        raise DomainError(_("该预约不是今天的，请现场取号时直接选择事项。"), code="not_today")
    if timezone.now() <= appointment.slot.start + dt.timedelta(minutes=floor_conf.CHECKIN_LATE_MINUTES):
        raise DomainError(_("您的预约仍可签到，请直接签到。"), code="checkin_open")
    return appointment


def _group_for(*, terminal: Terminal, matter_code: str) -> WindowGroup:
    """The window group of this hall serving the matter; with several, the one with the shortest queue."""
    groups = [
        link.group
        for link in GroupMatter.objects.filter(group__hall=terminal.hall, matter_code=matter_code).select_related(
            "group"
        )
    ]
    if not groups:
        raise DomainError(_("本大厅不办理该事项，请咨询导服台。"), code="matter_not_served")
    if len(groups) == 1:
        return groups[0]
    waiting = dict(
        Ticket.objects.filter(group__in=groups, service_date=timezone.localdate(), status=TicketStatus.WAITING)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return min(groups, key=lambda g: (waiting.get(g.id, 0), g.letter))


# What the kiosk says to a person who chose a matter for companies and acts for none in it.
NOT_FOR_PERSONS_AT_KIOSK = gettext_lazy(
    "“%(matter)s”面向法人办理，不能以个人名义取号。为企业办理的，请法定代表人先在网上授权您为该事项的经办人后"
    "再取号；携带企业纸质委托书的，请不读身份证直接取号，到窗口登记委托书。"
)


def _walk_in_applicant_check(*, person: User, matter: Matter) -> None:
    """The catalog's rule of whom a matter serves, at the kiosk (DOMAIN.md §9): a person read from their ID card
    takes a ticket for a matter that serves persons; for one that serves only companies, only as a company's legal
    representative or 经办人 within a mandate for it (the mandates' rule, through the floor's hook) — stopped here
    with what to do instead, rather than after the wait at the window."""
    refusal = applicant_matter_refusal(person, matter)
    if refusal is None:
        return
    receivers = hooks.walk_in_for_others.receivers()
    if not receivers:
        raise DomainError(NOT_FOR_PERSONS_AT_KIOSK % {"matter": matter.name}, code=refusal.error_code)
    for check in receivers:
        check(person=person, matter=matter, refusal=refusal)


@transaction.atomic
def ticket_walk_in(
    *,
    terminal: Terminal,
    matter_code: str = "",
    green_channel: str = "",
    id_number: str = "",
    appointment_code: str = "",
    idempotency_key: str = "",
) -> Ticket:
    """A walk-in ticket (现场取号) for a matter the hall serves, in the green channel when it applies.

    An ID number read at the kiosk links the ticket to the citizen's account (so the window can take the
    application) and verifies age; it is used for that and not stored. A late arrival brings their
    appointment code instead: the matter and the citizen come from the appointment."""
    if idempotency_key:
        existing = Ticket.objects.filter(terminal=terminal, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    walk_in_hours_check(hall=terminal.hall)  # before any row is locked
    today = timezone.localdate()
    citizen: User | None = None
    agent: User | None = None
    note = f"{terminal.name} 现场取号"
    if appointment_code:
        appointment = _late_appointment(terminal=terminal, code=appointment_code)
        citizen, matter_code, agent = appointment.citizen, appointment.matter_code, appointment.agent
        note = f"{note}（预约 {appointment.code} 逾时签到）"
    elif id_number:
        parsed = idcard.parse_or_refuse(id_number, today=today)
        # Locked so that two presses at two kiosks give one ticket, as for an appointment above.
        citizen = citizen_verified_by_id_number(parsed.value, lock=True)
    if not matter_code:
        raise DomainError(_("请选择要办理的事项。"), code="matter_required")
    group = _group_for(terminal=terminal, matter_code=matter_code)
    walk_in_hours_check(hall=terminal.hall, group=group)  # that group's closures
    matter = Matter.objects.filter(code=matter_code, is_current=True).first()
    if matter is None:
        raise DomainError(_("该事项已停办。"), code="matter_not_served")
    if citizen is not None and not appointment_code:
        _walk_in_applicant_check(person=citizen, matter=matter)
    if citizen is not None:
        # One active ticket per person and matter a day: pressing again reprints the same number.
        active = Ticket.objects.filter(
            citizen=citizen, matter__code=matter_code, service_date=today, status__in=ACTIVE_TICKET_STATUSES
        ).first()
        if active is not None:
            return active
    green_reason = green_reason_for(chosen=green_channel, id_number=id_number, citizen=citizen, today=today)
    try:
        with transaction.atomic():
            return _issue(
                terminal=terminal,
                group=group,
                matter=matter,
                citizen=citizen,
                priority=Priority.WALK_IN,
                green_reason=green_reason,
                idempotency_key=idempotency_key,
                note=note,
                agent=agent,
            )
    except IntegrityError:
        # The same Idempotency-Key raced in from a retry: answer with the ticket the first one got.
        existing = (
            Ticket.objects.filter(terminal=terminal, idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing
