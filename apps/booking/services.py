"""Writes for booking: slots and appointments (DOMAIN.md §3, DESIGN.md §6)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.models import Matter
from apps.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib.codes import human_code
from govservice.lib.workdays import CalendarUnknown

from .models import (
    ACTIVE_APPOINTMENT_STATUSES,
    APPOINTMENT_TRANSITIONS,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    GroupMatter,
    Slot,
    WindowGroup,
)

logger = logging.getLogger(__name__)

# Opening sessions of a hall day; slots are cut from them (local time).
SESSIONS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 0)))
RELEASE_TIME = dt.time(8, 30)  # DOMAIN.md §3: each day's slots open at 08:30


def slots_generate(*, today: dt.date | None = None, horizon: int | None = None) -> int:
    """Materialise slots for the next ``horizon`` working days of every window group. Idempotent: an
    existing slot is left as it is, so booked places are never dropped. Stops, with a warning, at a
    year the calendar does not know (fail closed)."""
    today = today or timezone.localdate()
    horizon = horizon or settings.BOOKING_HORIZON_WORKDAYS
    calendar = calendar_get()
    days: list[dt.date] = []
    day = today + dt.timedelta(days=1)
    while len(days) < horizon:
        try:
            if calendar.is_workday(day):
                days.append(day)
        except CalendarUnknown as exc:
            logger.warning("slot generation stopped at %s: %s", day, exc)
            break
        day += dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    step = dt.timedelta(minutes=settings.BOOKING_SLOT_MINUTES)
    rows = []
    for group in WindowGroup.objects.select_related("hall").prefetch_related("windows"):
        capacity = len(group.windows.all()) * group.people_per_window
        if capacity == 0:
            continue
        for day in days:
            release_day = _release_day(calendar, day, horizon)
            release_at = dt.datetime.combine(release_day, RELEASE_TIME, tzinfo=tz)
            for begin, finish in SESSIONS:
                start = dt.datetime.combine(day, begin, tzinfo=tz)
                session_end = dt.datetime.combine(day, finish, tzinfo=tz)
                while start + step <= session_end:
                    rows.append(
                        Slot(
                            hall=group.hall,
                            group=group,
                            date=day,
                            start=start,
                            end=start + step,
                            capacity=capacity,
                            release_at=release_at,
                        )
                    )
                    start += step
    before = Slot.objects.count()
    Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return Slot.objects.count() - before


def _release_day(calendar, day: dt.date, horizon: int) -> dt.date:
    """The working day ``horizon`` working days before ``day``: when its places are released."""
    back = day
    counted = 0
    while counted < horizon:
        back -= dt.timedelta(days=1)
        try:
            if calendar.is_workday(back):
                counted += 1
        except CalendarUnknown:
            break
    return back


def _lock_citizen(citizen: User) -> None:
    # NO KEY UPDATE still serialises one citizen's writes, but lets other transactions insert rows that
    # reference the citizen (a ticket at check-in takes FOR KEY SHARE on it): no deadlock against them.
    User.objects.select_for_update(no_key=True).filter(pk=citizen.pk).first()


def _record(appointment: Appointment, *, actor: User | None, from_status: str, note: str = "") -> None:
    AppointmentEvent.objects.create(
        appointment=appointment, actor=actor, from_status=from_status, to_status=appointment.status, note=note
    )


@transaction.atomic
def appointment_book(
    *, citizen: User, slot_id: int, matter_code: str, idempotency_key: str = "", rescheduled_from: Appointment | None = None
) -> Appointment:
    """Book one place. The slot counter moves only by a conditional UPDATE: never read-then-write."""
    # Serialise one citizen's bookings first: a concurrent retry with the same Idempotency-Key then
    # waits here and finds the first result, and the per-person total holds under concurrency.
    _lock_citizen(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            return previous
    matter = Matter.objects.filter(code=matter_code, is_current=True).first()
    if matter is None:
        raise DomainError("事项不存在。 No such matter.", code="not_found", status_code=404)
    if not matter.bookable:
        raise DomainError("该事项无需预约，请直接到大厅办理或在线办理。 This matter cannot be booked.", code="not_bookable")
    slot = Slot.objects.select_related("group").filter(id=slot_id).first()
    if slot is None:
        raise DomainError("预约时段不存在。 No such slot.", code="not_found", status_code=404)
    if not GroupMatter.objects.filter(group_id=slot.group_id, matter_code=matter.code).exists():
        raise DomainError("该时段所在窗口不办理此事项。 This window group does not handle the matter.", code="wrong_group")

    active = Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES)
    if active.filter(matter_code=matter.code).exists():
        raise Conflict("您已有该事项的有效预约，不能重复预约。 You already have an appointment for this matter.", code="duplicate")
    if active.count() >= settings.BOOKING_MAX_ACTIVE_PER_CITIZEN:
        raise Conflict(
            f"每人最多同时持有{settings.BOOKING_MAX_ACTIVE_PER_CITIZEN}个有效预约。 Limit of active appointments reached.",
            code="limit_reached",
        )

    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                code=human_code(8),
                citizen=citizen,
                matter=matter,
                matter_code=matter.code,
                slot=slot,
                hall_id=slot.hall_id,
                idempotency_key=idempotency_key,
                rescheduled_from=rescheduled_from,
            )
    except IntegrityError:
        # The partial unique index (one active per matter) caught a concurrent twin.
        raise Conflict("您已有该事项的有效预约，不能重复预约。 You already have an appointment for this matter.", code="duplicate") from None

    taken = Slot.objects.filter(
        id=slot.id, booked__lt=F("capacity"), release_at__lte=Now(), date__gt=timezone.localdate()
    ).update(booked=F("booked") + 1)
    if taken == 0:
        transaction.set_rollback(True)
        raise _slot_refusal(slot)
    _record(appointment, actor=citizen, from_status="")
    return appointment


def _slot_refusal(slot: Slot) -> DomainError:
    now = timezone.now()
    if slot.date <= timezone.localdate():
        return DomainError("不能预约当天或已过去的时段，当天请到大厅现场取号。 Same-day slots cannot be booked.", code="too_late")
    if slot.release_at > now:
        local = timezone.localtime(slot.release_at)
        return DomainError(
            f"该时段尚未放号，将于{local:%Y年%m月%d日 %H:%M}开放预约。 Not yet released.", code="not_released"
        )
    return Conflict("该时段已约满，请选择其他时段。 This slot is full.", code="slot_full")


@transaction.atomic
def appointment_cancel(*, citizen: User, appointment_id: int, note: str = "") -> Appointment:
    """Flip the status with a conditional update first, then give the place back, in one transaction.
    The citizen row is locked first, as in booking: one citizen's writes never cross each other."""
    _lock_citizen(citizen)
    return _cancel(citizen=citizen, appointment_id=appointment_id, note=note)


@transaction.atomic
def appointment_reschedule(*, citizen: User, appointment_id: int, slot_id: int, idempotency_key: str = "") -> Appointment:
    """One atomic cancel + book: either the citizen holds the new place and the old one is released, or
    nothing changed. The new appointment points back at the old one."""
    _lock_citizen(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            return previous
    # Lock both slots in id order before touching either: two citizens swapping slots would otherwise
    # each hold one and wait for the other (a deadlock PostgreSQL breaks only after a second).
    old_slot_id = Appointment.objects.filter(id=appointment_id, citizen=citizen).values_list("slot_id", flat=True).first()
    list(Slot.objects.select_for_update().filter(id__in=[old_slot_id, slot_id]).order_by("id").values_list("id", flat=True))
    old = _cancel(citizen=citizen, appointment_id=appointment_id, note="改约")
    return appointment_book(
        citizen=citizen, slot_id=slot_id, matter_code=old.matter_code, idempotency_key=idempotency_key, rescheduled_from=old
    )


def _cancel(*, citizen: User, appointment_id: int, note: str) -> Appointment:
    changed = Appointment.objects.filter(id=appointment_id, citizen=citizen, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED_BY_CITIZEN, updated_at=timezone.now()
    )
    appointment = Appointment.objects.filter(id=appointment_id, citizen=citizen).first()
    if appointment is None:
        raise DomainError("未找到该预约。 No such appointment.", code="not_found", status_code=404)
    if not changed:
        raise Conflict("该预约当前状态不能取消。 This appointment can no longer be cancelled.", code="invalid_state")
    Slot.objects.filter(id=appointment.slot_id).update(booked=F("booked") - 1)
    _record(appointment, actor=citizen, from_status=AppointmentStatus.BOOKED, note=note)
    return appointment


def appointment_transition(*, appointment: Appointment, to_status: str, actor: User | None, note: str = "") -> None:
    """Move an appointment the hall is handling (check-in, call, service); the caller holds the transaction."""
    from_status = appointment.status
    if to_status not in APPOINTMENT_TRANSITIONS[from_status]:
        raise Conflict(f"预约状态不能从“{appointment.get_status_display()}”变更。 Invalid transition.", code="invalid_state")
    changed = Appointment.objects.filter(id=appointment.id, status=from_status).update(
        status=to_status, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict("预约状态已被他人更改，请刷新。 Changed by someone else.", code="stale")
    appointment.status = to_status
    _record(appointment, actor=actor, from_status=from_status, note=note)

