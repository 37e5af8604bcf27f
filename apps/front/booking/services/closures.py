"""Hall closures (DOMAIN.md §3): a supervisor closes a hall or a window group for a day or part of one. The
slots inside stop taking bookings, every booked appointment there is cancelled by the hall (never
penalised), and each citizen is told and offered the nearest free slots."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.notifications.services import notify
from apps.shared.accounts.models import Role, User
from govservice.lib.errors import DomainError

from ..models import (
    Appointment,
    AppointmentStatus,
    Hall,
    HallClosure,
    Slot,
    StaffPost,
    WaitlistEntry,
    WaitlistStatus,
    WindowGroup,
)
from ..selectors import nearest_free_slots, slots_open_for, slots_text_lazy
from .appointments import appointment_cancel_by_hall, appointment_move_by_hall, message_context


def hall_for_supervisor(user: User) -> Hall | None:
    """The hall a supervisor runs (their StaffPost); None for anyone else. Administrators manage every hall."""
    if user.role != Role.HALL_SUPERVISOR:
        return None
    post = StaffPost.objects.select_related("hall").filter(user=user).first()
    return post.hall if post else None


def _may_close(user: User, hall: Hall) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    mine = hall_for_supervisor(user)
    return mine is not None and mine.id == hall.id


def _covered_slots(closure: HallClosure):
    slots = Slot.objects.filter(hall_id=closure.hall_id, date=closure.date)
    if closure.group_id:
        slots = slots.filter(group_id=closure.group_id)
    if closure.start is not None and closure.end is not None:
        tz = timezone.get_current_timezone()
        begin = dt.datetime.combine(closure.date, closure.start, tzinfo=tz)
        finish = dt.datetime.combine(closure.date, closure.end, tzinfo=tz)
        slots = slots.filter(start__lt=finish, end__gt=begin)
    return slots


def closure_create(
    *,
    actor: User,
    hall: Hall,
    date: dt.date,
    reason: str,
    group: WindowGroup | None = None,
    start: dt.time | None = None,
    end: dt.time | None = None,
    move: bool = False,
) -> HallClosure:
    """Close, then cancel what the closure covers, one appointment per transaction (each takes its citizen's
    lock first, as booking does, so a closure never deadlocks against a citizen's booking). With ``move``,
    each appointment is first moved to the nearest free slot of the same hall for its matter, and only
    cancelled (with offers) when there is none."""
    reason = (reason or "").strip()
    if not _may_close(actor, hall):
        raise DomainError(_("您只能管理本大厅的闭厅安排。"), code="forbidden")
    if not reason:
        raise DomainError(_("请填写闭厅原因，它会告知受影响的市民。"), code="closure_reason_required")
    if group is not None and group.hall_id != hall.id:
        raise DomainError(_("该窗口组不属于本大厅。"), code="group_not_in_hall")
    if (start is None) != (end is None) or (start is not None and end is not None and end <= start):
        raise DomainError(_("请填写完整的起止时间，且结束晚于开始；全天闭厅请都留空。"), code="invalid_period")
    if date < timezone.localdate():
        raise DomainError(_("不能为已过去的日期闭厅。"), code="past_date")

    with transaction.atomic():
        closure = HallClosure.objects.create(
            hall=hall, group=group, date=date, start=start, end=end, reason=reason[:200], created_by=actor
        )
        # From now on nobody books inside: the conditional UPDATE of booking requires closed = false.
        _covered_slots(closure).update(closed=True)
        _waitlist_after_closure(closure)
    ids = list(
        Appointment.objects.filter(slot__in=_covered_slots(closure), status=AppointmentStatus.BOOKED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    cancelled = moved = 0
    offers_for: dict[tuple[int, str], list] = {}  # the same nearest slots for every citizen of a matter
    for appointment_id in ids:
        if move and _move_to_nearest(appointment_id=appointment_id, actor=actor, reason=reason):
            moved += 1
            continue
        appointment = appointment_cancel_by_hall(
            appointment_id=appointment_id, actor=actor, reason=f"大厅暂停服务：{reason}"
        )
        if appointment is None:
            continue
        cancelled += 1
        key = (appointment.hall_id, appointment.matter_code)
        if key not in offers_for:
            offers_for[key] = nearest_free_slots(
                hall_id=appointment.hall_id, matter_code=appointment.matter_code, limit=3
            )
        offers = offers_for[key]
        with transaction.atomic():
            notify(
                recipient=appointment.citizen,
                event="booking.cancelled_by_hall",
                context=message_context(appointment) | {"reason": reason, "slots": slots_text_lazy(offers)},
            )
    HallClosure.objects.filter(id=closure.id).update(cancelled_count=cancelled, moved_count=moved)
    closure.cancelled_count, closure.moved_count = cancelled, moved
    return closure


def _waitlist_after_closure(closure: HallClosure) -> None:
    """An offer on a closed slot goes back to waiting (its place is gone, its turn is kept); when the whole
    hall closes for the whole day, nobody waits for that day any more."""
    covered = _covered_slots(closure).values("id")
    offers = WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offered_slot_id__in=covered)
    for slot_id in list(offers.values_list("offered_slot_id", flat=True)):
        Slot.objects.filter(id=slot_id, waitlist_held__gt=0).update(waitlist_held=F("waitlist_held") - 1)
    offers.update(status=WaitlistStatus.WAITING, offered_slot=None, offer_expires_at=None)
    if closure.group_id is None and closure.start is None:
        WaitlistEntry.objects.filter(hall_id=closure.hall_id, date=closure.date, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.CANCELLED
        )


def _move_to_nearest(*, appointment_id: int, actor: User, reason: str) -> bool:
    """Try the nearest free slots of the same hall, in order; True once one took the appointment."""
    appointment = Appointment.objects.filter(id=appointment_id).only("hall_id", "matter_code").first()
    if appointment is None:
        return False
    for slot in slots_open_for(hall_id=appointment.hall_id, matter_code=appointment.matter_code)[:5]:
        try:
            if appointment_move_by_hall(appointment_id=appointment_id, slot_id=slot.id, actor=actor, reason=reason):
                return True
        except DomainError:
            continue  # taken meanwhile: the next one
    return False
