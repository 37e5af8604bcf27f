"""Status changes of appointments: cancel, reschedule, the hall's moves and no-shows (DOMAIN.md §3, DESIGN.md
§6). Booking a place is booking.py, its rules rules.py.

Lock order, everywhere: the citizen row (FOR NO KEY UPDATE), then the appointment, then the slot(s) in id
order. A slot counter moves only by a conditional UPDATE, never read-then-write; nothing but the database
is touched inside a booking transaction (notifications are rows, delivered after commit).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Case, ExpressionWrapper, F, Value, When
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.booking.conf import booking_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from govservice.lib import lifecycle
from govservice.lib.codes import human_code
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.tasks import enqueue_on_commit

from ..models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Quota,
    Slot,
    Strike,
    WaitlistEntry,
    WaitlistStatus,
)
from ..selectors import resale_held_now
from .booking import appointment_book
from .penalties import strike_record
from .rules import citizen_lock as _lock_citizen
from .rules import moment_text_lazy

logger = logging.getLogger(__name__)


def _record(appointment: Appointment, *, actor: User | None, from_status: str, note: str = "") -> None:
    AppointmentEvent.objects.create(
        appointment=appointment, actor=actor, from_status=from_status, to_status=appointment.status, note=note
    )


@transaction.atomic
def appointment_cancel(*, citizen: User, appointment_id: int, note: str = "", actor: User | None = None) -> Appointment:
    """Flip the status with a conditional update first, then give the place back, in one transaction.
    The citizen row is locked first, as in booking: one citizen's writes never cross each other.
    Cancelling later than BOOKING_FREE_CANCEL_HOURS before the start counts as a late cancellation.
    ``actor``: who cancelled for the applicant (an agent whose authority was checked), else the citizen."""
    _lock_citizen(citizen)
    appointment = _cancel(citizen=citizen, appointment_id=appointment_id, note=note, actor=actor)
    waitlist_kick(appointment)
    notify(
        recipient=citizen,
        event="booking.cancelled",
        context=message_context(appointment) | {"late": _late_text(appointment)},
    )
    return appointment


def _late_text(appointment: Appointment) -> str | Promise:
    if appointment.strike != Strike.LATE_CANCEL:
        return ""
    return format_lazy(
        gettext_lazy("本次取消距开始不足{hours}小时，计为一次临近取消。"), hours=booking_conf.BOOKING_FREE_CANCEL_HOURS
    )


@transaction.atomic
def appointment_reschedule(
    *, citizen: User, appointment_id: int, slot_id: int, idempotency_key: str = ""
) -> Appointment:
    """One atomic cancel + book: either the citizen holds the new place and the old one is released, or
    nothing changed. The new appointment points back at the old one."""
    _lock_citizen(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            return previous
    # Lock both slots in id order before touching either: two citizens swapping slots would otherwise
    # each hold one and wait for the other (a deadlock PostgreSQL breaks only after a second).
    old_slot_id = (
        Appointment.objects.filter(id=appointment_id, citizen=citizen).values_list("slot_id", flat=True).first()
    )
    list(
        Slot.objects.select_for_update()
        .filter(id__in=[old_slot_id, slot_id])
        .order_by("id")
        .values_list("id", flat=True)
    )
    old = _cancel(citizen=citizen, appointment_id=appointment_id, note="改约")
    new = appointment_book(
        citizen=citizen,
        slot_id=slot_id,
        matter_code=old.matter_code,
        idempotency_key=idempotency_key,
        rescheduled_from=old,
        green_category=old.green_category,
    )
    waitlist_kick(old)
    return new


def waitlist_kick(appointment: Appointment) -> None:
    """After commit, offer a freed place to the waitlist at once (the periodic sweep is the safety net)."""
    waiting = WaitlistEntry.objects.filter(
        hall_id=appointment.hall_id, date=appointment.slot.date, status=WaitlistStatus.WAITING
    ).exists()
    if waiting:
        from ..tasks import waitlist_sweep  # tasks import services

        enqueue_on_commit(waitlist_sweep)  # broker down: the periodic sweep offers the place


def _cancel(*, citizen: User, appointment_id: int, note: str, actor: User | None = None) -> Appointment:
    try:
        appointment = lifecycle.move_pk(
            Appointment,
            appointment_id,
            AppointmentStatus.CANCELLED_BY_CITIZEN,
            sources={AppointmentStatus.BOOKED},
            where={"citizen": citizen},
            event={"actor": actor or citizen, "note": note},
            refused=_("该预约当前状态不能取消。"),
            select_related=("slot", "matter", "hall"),
        )
    except lifecycle.TransitionRefused:
        if not Appointment.objects.filter(id=appointment_id, citizen=citizen).exists():
            raise DomainError(_("未找到该预约。"), code="not_found") from None
        raise
    now = timezone.now()
    if appointment.slot.start <= now:
        raise Conflict(
            _("预约时段已开始，不能再取消；未到场将按爽约处理。"),
            code="started",
        )
    _give_back(appointment, resale=True)
    if appointment.slot.start - now < dt.timedelta(hours=booking_conf.BOOKING_FREE_CANCEL_HOURS):
        strike_record(appointment=appointment, kind=Strike.LATE_CANCEL, now=now)
    return appointment


def _give_back(appointment: Appointment, *, resale: bool) -> None:
    """Return the appointment's place to its slot. A citizen's cancellation holds an online place back from
    sale for BOOKING_RESALE_MINUTES (anti-resale; a waitlist offer may still take it)."""
    if appointment.quota == Quota.RESERVED:
        Slot.objects.filter(id=appointment.slot_id).update(reserved_booked=F("reserved_booked") - 1)
        return
    minutes = booking_conf.BOOKING_RESALE_MINUTES
    if not resale or minutes <= 0:
        Slot.objects.filter(id=appointment.slot_id).update(booked=F("booked") - 1)
        return
    Slot.objects.filter(id=appointment.slot_id).update(
        booked=F("booked") - 1,
        resale_held=Case(When(resale_until__gt=Now(), then=F("resale_held") + 1), default=Value(1)),
        resale_until=ExpressionWrapper(
            Now() + Value(dt.timedelta(minutes=minutes)), output_field=Slot._meta.get_field("resale_until")
        ),
    )


def _cancel_booked_by_hall(appointment_id: int, *, actor: User | None, reason: str, note: str) -> Appointment | None:
    """Inside the caller's transaction, the citizen locked: a booked appointment becomes cancelled by the
    hall, its place goes back with no resale hold, the event is recorded. None when it was no longer booked."""
    try:
        appointment = lifecycle.move_pk(
            Appointment,
            appointment_id,
            AppointmentStatus.CANCELLED_BY_HALL,
            sources={AppointmentStatus.BOOKED},
            fields={"cancel_reason": reason[:200]},
            event={"actor": actor, "note": note[:200]},
            select_related=("slot", "matter", "hall", "citizen"),
        )
    except lifecycle.TransitionRefused:
        return None
    _give_back(appointment, resale=False)
    return appointment


def appointment_cancel_by_hall(*, appointment_id: int, actor: User | None, reason: str) -> Appointment | None:
    """The hall cancels a booked appointment (closure, outage, a case that no longer needs its visit): never
    penalised, no resale hold; a place freed on a slot still open is offered to the day's waitlist after commit, as
    a citizen's cancellation's is. Locks the citizen first like every booking write; returns None when the
    appointment was no longer booked."""
    with transaction.atomic():
        citizen_id = Appointment.objects.filter(id=appointment_id).values_list("citizen_id", flat=True).first()
        if citizen_id is None:
            return None
        User.objects.select_for_update(no_key=True).filter(pk=citizen_id).first()
        appointment = _cancel_booked_by_hall(appointment_id, actor=actor, reason=reason, note=reason)
        if appointment is not None and not appointment.slot.closed:  # a closure's slots are closed: nothing to offer
            waitlist_kick(appointment)
        return appointment


def appointment_move_by_hall(
    *, appointment_id: int, slot_id: int, actor: User | None, reason: str
) -> Appointment | None:
    """The hall moves a booked appointment to another slot of the same hall (closure, outage): one atomic
    cancel-by-hall + book, never penalised; the new appointment points back at the old one. Limits and the
    citizen's block do not apply (one place out, one in; the hall decided). Returns None when the
    appointment was no longer booked; raises Conflict ("slot_full") when the new slot has no place, and
    then nothing changed."""
    with transaction.atomic():
        row = Appointment.objects.filter(id=appointment_id).values_list("citizen_id", "slot_id").first()
        if row is None:
            return None
        citizen_id, old_slot_id = row
        User.objects.select_for_update(no_key=True).filter(pk=citizen_id).first()
        list(
            Slot.objects.select_for_update()
            .filter(id__in=[old_slot_id, slot_id])
            .order_by("id")
            .values_list("id", flat=True)
        )
        old = _cancel_booked_by_hall(appointment_id, actor=actor, reason=reason, note=f"大厅调整：{reason}")
        if old is None:
            return None
        slot = Slot.objects.filter(id=slot_id, hall_id=old.hall_id).first()
        if slot is None:
            raise DomainError(_("该时段不属于本大厅。"), code="not_found")
        taken = (
            Slot.objects.filter(id=slot.id, start__gt=Now())
            .filter(closed=False, capacity__gt=F("booked") + F("waitlist_held") + resale_held_now())
            .update(booked=F("booked") + 1)
        )
        if not taken:
            raise Conflict(_("该时段已约满，请选择其他时段。"), code="slot_full")
        new = Appointment.objects.create(
            code=human_code(8),
            citizen_id=citizen_id,
            matter=old.matter,
            matter_code=old.matter_code,
            slot=slot,
            hall_id=old.hall_id,
            rescheduled_from=old,
            green_category=old.green_category,
        )
        _record(new, actor=actor, from_status="", note=f"大厅调整：{reason}"[:200])
        notify(
            recipient=old.citizen,
            event="booking.moved_by_hall",
            context=message_context(new) | {"old_time": moment_text_lazy(old.slot.start), "reason": reason},
        )
    return new


def appointment_transition(*, appointment: Appointment, to_status: str, actor: User | None, note: str = "") -> None:
    """Move an appointment the hall is handling (check-in, call, service); the caller holds the transaction."""
    lifecycle.move(
        appointment,
        to_status,
        event={"actor": actor, "note": note},
        refused=_("预约状态不能从“%(status)s”变更。") % {"status": appointment.get_status_display()},
        stale=_("预约状态已被他人更改，请刷新。"),
    )


def appointment_mark_no_show(
    *, appointment: Appointment, actor: User | None, note: str = "", now: dt.datetime | None = None
) -> str:
    """爽约: the citizen did not come (not checked in by start + grace, or called and never at the window).
    The place stays used (the slot has begun); the no-show counts toward the penalty. The caller holds the
    transaction. Returns what the penalty rule did ("blocked", "warned" or "")."""
    appointment_transition(appointment=appointment, to_status=AppointmentStatus.NO_SHOW, actor=actor, note=note)
    return strike_record(appointment=appointment, kind=Strike.NO_SHOW, now=now)


def no_shows_mark(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic no-show detection: every appointment still BOOKED at start + grace becomes NO_SHOW.
    Each in its own short transaction; rows another transaction holds are skipped and picked up next run."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=booking_conf.BOOKING_NO_SHOW_GRACE_MINUTES)
    ids = list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, slot__start__lte=cutoff)
        .order_by("slot__start")
        .values_list("id", flat=True)[:limit]
    )
    marked = 0
    for appointment_id in ids:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(id=appointment_id, status=AppointmentStatus.BOOKED)
                .first()
            )
            if appointment is None:
                continue
            appointment_mark_no_show(appointment=appointment, actor=None, note="超过签到时间未签到", now=now)
            marked += 1
    return marked


def message_context(appointment: Appointment) -> dict[str, object]:
    """Template fields of an appointment's messages: never an ID number or a phone."""
    return {
        "code": appointment.code,
        "matter": appointment.matter.name,
        "hall": appointment.hall.name,
        "address": appointment.hall.address,
        "time": moment_text_lazy(appointment.slot.start),
    }
