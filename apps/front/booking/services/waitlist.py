"""Waitlist for full days (DOMAIN.md §3): when a place frees up, the first waiting citizen is offered it with
a short hold (BOOKING_WAITLIST_HOLD_MINUTES); an unanswered offer passes to the next; accepting books it
through the normal booking service.

A held place is counted in ``Slot.waitlist_held``: online booking needs booked + waitlist_held (+ the
anti-resale hold) below capacity, so nobody else takes it during the hold. An offer may take a place that
is still held back from resale: the waitlist comes first, that is what the hold is for.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.conf import booking_conf
from apps.front.notifications.services import notify
from apps.front.notifications.services.schedule import not_before
from apps.shared.accounts.models import User
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter
from govservice.lib import lifecycle
from govservice.lib.errors import Conflict, DomainError

from ..models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    GroupMatter,
    Hall,
    Slot,
    WaitlistEntry,
    WaitlistStatus,
)
from ..selectors import notice_from, online_free_q
from .booking import appointment_book
from .rules import citizen_lock as _lock_citizen
from .rules import moment_text, moment_text_lazy


def waitlist_join(*, citizen: User, matter_code: str, hall_id: int, date: dt.date) -> WaitlistEntry:
    """Wait for a place on a day that is full for this matter at this hall."""
    with transaction.atomic():
        blocked_until = _lock_citizen(citizen)
        if blocked_until is not None and blocked_until > timezone.now():
            raise DomainError(
                _("您的网上预约已暂停至%(until)s，暂不能登记候补。") % {"until": moment_text(blocked_until)},
                code="blocked",
            )
        matter = Matter.objects.filter(code=matter_code, is_current=True).first()
        hall = Hall.objects.filter(id=hall_id).first()
        if matter is None or hall is None:
            raise DomainError(_("事项或大厅不存在。"), code="not_found")
        applicant_matter_check(citizen, matter)
        groups = GroupMatter.objects.filter(group__hall=hall, matter_code=matter.code).values("group_id")
        day_slots = Slot.objects.filter(hall=hall, group_id__in=groups, date=date, closed=False, release_at__lte=Now())
        if date <= timezone.localdate() or not day_slots.exists():
            raise DomainError(_("该日期不可预约，无法登记候补。"), code="not_bookable_day")
        if day_slots.filter(online_free_q()).exists():
            raise Conflict(_("该日仍有空余名额，请直接预约。"), code="not_full")
        if not _answerable(_hold_end(timezone.now()), date):
            raise DomainError(
                _("该日候补已截止：现在空出的名额已来不及为您保留。"),
                code="waitlist_closed",
            )
        if Appointment.objects.filter(
            citizen=citizen, matter_code=matter.code, status__in=ACTIVE_APPOINTMENT_STATUSES
        ).exists():
            raise Conflict(_("您已有该事项的有效预约。"), code="duplicate")
        try:
            with transaction.atomic():
                return WaitlistEntry.objects.create(citizen=citizen, matter_code=matter.code, hall=hall, date=date)
        except IntegrityError:
            raise Conflict(_("您已在该日的候补名单中。"), code="duplicate") from None


def waitlist_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job (safe to run twice at once): expire unanswered offers, giving their places back,
    end the waiting of those whose day has come (no same-day booking: nothing can be offered any more, and
    each is told), then offer every free place of a day with a waitlist to the first waiting citizen."""
    now = now or timezone.now()
    expired = 0
    for entry_id in WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offer_expires_at__lte=now).values_list(
        "id", flat=True
    ):
        with transaction.atomic():
            entry = (
                WaitlistEntry.objects.filter(id=entry_id, status=WaitlistStatus.OFFERED)
                .select_for_update(skip_locked=True)
                .first()
            )
            if entry is None:
                continue
            lifecycle.move(entry, WaitlistStatus.EXPIRED)
            _release_hold(entry.offered_slot_id)
            expired += 1
    unfilled = _end_unfilled(today=timezone.localdate(now))
    offered = 0
    days = (
        WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, date__gt=timezone.localdate(now))
        .values_list("hall_id", "date", "matter_code")
        .distinct()
    )
    for hall_id, day, matter_code in list(days):
        while _offer_next(hall_id=hall_id, day=day, matter_code=matter_code, now=now):
            offered += 1
    return {"expired": expired, "unfilled": unfilled, "offered": offered}


def _end_unfilled(*, today: dt.date) -> int:
    """Waiting entries for today or earlier end as UNFILLED; each citizen is told once (the conditional
    UPDATE decides who tells, so two sweeps at once never send it twice)."""
    ended = 0
    stale = WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, date__lte=today).select_related(
        "hall", "citizen"
    )
    for entry in stale:
        with transaction.atomic():  # the status and the message together
            try:
                lifecycle.move(entry, WaitlistStatus.UNFILLED)
            except lifecycle.TransitionRefused:
                continue
            matter = Matter.objects.filter(code=entry.matter_code, is_current=True).first()
            notify(
                recipient=entry.citizen,
                event="waitlist.unfilled",
                context={
                    "matter": matter.name if matter else entry.matter_code,
                    "hall": entry.hall.name,
                    "date": f"{entry.date:%Y年%m月%d日}",
                },
            )
            ended += 1
    return ended


def _hold_end(now: dt.datetime) -> dt.datetime:
    """When an offer made at ``now`` stops being held: the hold runs from when the SMS may go out."""
    return not_before(now, channel="sms", urgent=False) + dt.timedelta(
        minutes=booking_conf.BOOKING_WAITLIST_HOLD_MINUTES
    )


def _answerable(expires: dt.datetime, day: dt.date) -> bool:
    """An offer held until ``expires`` can be accepted: its hold ends before ``day`` begins (no same-day booking)."""
    return expires <= timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _release_hold(slot_id: int | None) -> None:
    if slot_id is not None:
        Slot.objects.filter(id=slot_id, waitlist_held__gt=0).update(waitlist_held=F("waitlist_held") - 1)


def _offer_next(*, hall_id: int, day: dt.date, matter_code: str, now: dt.datetime) -> bool:
    """Offer one free place of the day to the first waiting citizen; False when there is none or nobody, or
    when the hold would run into the day itself (no same-day booking: such an offer could not be accepted).

    The hold runs from when the SMS may go out: an offer made in the quiet hours is held until their end
    plus the hold, so that nobody loses a place while asleep."""
    expires = _hold_end(now)
    if not _answerable(expires, day):
        return False
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(hall_id=hall_id, date=day, matter_code=matter_code, status=WaitlistStatus.WAITING)
            .order_by("created_at", "id")
            .first()
        )
        if entry is None:
            return False
        groups = GroupMatter.objects.filter(group__hall_id=hall_id, matter_code=matter_code).values("group_id")
        candidates = (
            Slot.objects.filter(
                hall_id=hall_id,
                group_id__in=groups,
                date=day,
                closed=False,
                release_at__lte=Now(),
                # Acceptable until the hold ends: far enough ahead for the minimum notice even then.
                start__gte=notice_from(Value(expires, output_field=DateTimeField()), matter_code=matter_code),
                capacity__gt=F("booked") + F("waitlist_held"),
            )
            .order_by("start")
            .values_list("id", flat=True)
        )
        for slot_id in candidates:
            # The conditional UPDATE holds the place; a place held back from resale goes to the waitlist first.
            held = Slot.objects.filter(id=slot_id, closed=False, capacity__gt=F("booked") + F("waitlist_held")).update(
                waitlist_held=F("waitlist_held") + 1,
                resale_held=Greatest(F("resale_held") - 1, Value(0)),
            )
            if not held:
                continue
            lifecycle.move(
                entry, WaitlistStatus.OFFERED, fields={"offered_slot_id": slot_id, "offer_expires_at": expires}
            )
            slot = Slot.objects.get(id=slot_id)
            matter = Matter.objects.filter(code=matter_code, is_current=True).first()
            notify(
                recipient=entry.citizen,
                event="waitlist.offer",
                context={
                    "matter": matter.name if matter else matter_code,
                    "hall": entry.hall.name,
                    "time": moment_text_lazy(slot.start),
                    "expires": f"{timezone.localtime(expires):%H:%M}",
                },
            )
            return True
        return False


def waitlist_accept(*, citizen: User, entry_id: int, idempotency_key: str = "") -> Appointment:
    """Book the offered place through the normal booking service (all of its rules apply)."""
    with transaction.atomic():
        _lock_citizen(citizen)
        entry = WaitlistEntry.objects.filter(id=entry_id, citizen=citizen).first() if entry_id < 2**63 else None
        if entry is None:
            raise DomainError(_("未找到该候补。"), code="not_found")
        if idempotency_key:
            # A retry of an accept that went through returns its appointment.
            previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
            if previous is not None:
                return previous
        expired = Conflict(_("该候补名额已过保留时间或已失效。"), code="offer_expired")
        if entry.offered_slot_id is None:
            raise expired
        try:
            lifecycle.move(entry, WaitlistStatus.ACCEPTED, where={"offer_expires_at__gt": timezone.now()})
        except lifecycle.TransitionRefused:
            # An offer that ended, or ran out of its hold, answers as it always did: expired.
            raise expired from None
        appointment = appointment_book(
            citizen=citizen,
            slot_id=entry.offered_slot_id,
            matter_code=entry.matter_code,
            idempotency_key=idempotency_key,
            waitlist_entry=entry,
        )
        WaitlistEntry.objects.filter(id=entry.id).update(appointment=appointment)
    return appointment


def waitlist_leave(*, citizen: User, entry_id: int) -> WaitlistEntry:
    """Leave the waitlist, or decline an offer (its place goes back, and to the next in line)."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update().filter(id=entry_id, citizen=citizen).first()
            if entry_id < 2**63
            else None
        )
        if entry is None:
            raise DomainError(_("未找到该候补。"), code="not_found")
        if not entry.can_leave:
            raise Conflict(_("该候补已结束。"), code="invalid_state")
        if entry.can_accept:  # declining an offer gives its held place back
            _release_hold(entry.offered_slot_id)
        lifecycle.move(entry, WaitlistStatus.CANCELLED)
    return entry
