"""The reference booking: a citizen's online booking through the ORM alone, the way it was written before the
fast path (``apps/front/booking/fastpath.py``) and the way it would be written without one.

Not called by the site: ``tests/front/booking/test_fastpath.py`` runs the same scenarios through this and
through ``appointment_book`` and asserts the same rows and the same refusals. The rules themselves (their
order, codes and messages) are ``rules.py``, shared by both; what differs is only how the facts are read and
how the rows are written.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Now
from django.utils import timezone

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from govservice.lib.codes import human_code

from ..models import ACTIVE_APPOINTMENT_STATUSES, Appointment, AppointmentEvent, GreenCategory, GroupMatter, Quota, Slot
from ..selectors import online_free_q
from .rules import (
    BookingFacts,
    check_elderly,
    citizen_lock,
    duplicate,
    refusal,
    same_request_or_refuse,
    slot_bookable,
    slot_refusal,
)


@transaction.atomic
def appointment_book_reference(
    *, citizen: User, slot_id: int, matter_code: str, idempotency_key: str = "", green_category: str = ""
) -> Appointment:
    """Book one place as appointment_book does (online, optionally by the green channel), through the ORM."""
    blocked_until = citizen_lock(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            same_request_or_refuse(previous, slot_id=slot_id, matter_code=matter_code)
            return previous
    matter = Matter.objects.filter(code=matter_code, is_current=True).only("id", "name", "bookable", "target").first()
    links = GroupMatter.objects.filter(group_id=OuterRef("group_id"), matter_code=matter_code)
    slot = (
        Slot.objects.select_related("hall", "group")
        .annotate(handles=Exists(links), matter_notice=Subquery(links.values("min_notice_hours")[:1]), db_now=Now())
        .filter(id=slot_id)
        .first()
    )
    counts = Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES).aggregate(
        total=Count("id"), same=Count("id", filter=Q(matter_code=matter_code))
    )
    notice = booking_conf.BOOKING_MIN_NOTICE_HOURS
    if slot is not None:
        # The matter's own minimum notice at this group, else the group's, else the site's default.
        notice = slot.matter_notice if slot.matter_notice is not None else slot.group.effective_min_notice_hours
    facts = BookingFacts(
        matter=matter,
        slot=slot,
        handles=slot is not None and slot.handles,
        notice=notice,
        total=counts["total"],
        same=counts["same"],
        previous_id=None,
        blocked_until=blocked_until,
    )
    refused = refusal(facts, applicant=citizen, green_category=green_category, slot_state=False)
    if refused is not None:
        raise refused
    assert matter is not None and slot is not None
    if green_category == GreenCategory.ELDERLY:
        check_elderly(citizen)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                code=human_code(8),
                citizen=citizen,
                matter=matter,
                matter_code=matter_code,
                slot=slot,
                hall=slot.hall,
                idempotency_key=idempotency_key,
                green_category=green_category,
            )
    except IntegrityError:
        raise duplicate() from None
    base = slot_bookable(slot.id, today=timezone.localdate(), ahead=dt.timedelta(hours=notice) if notice else None)
    taken = base.filter(online_free_q()).update(booked=F("booked") + 1)
    if not taken and green_category in booking_conf.BOOKING_GREEN_CATEGORIES:
        taken = base.filter(closed=False, release_at__lte=Now(), reserved__gt=F("reserved_booked")).update(
            reserved_booked=F("reserved_booked") + 1
        )
        if taken:
            Appointment.objects.filter(id=appointment.id).update(quota=Quota.RESERVED)
            appointment.quota = Quota.RESERVED
    if not taken:
        refused = slot_refusal(slot, notice=notice)
        transaction.set_rollback(True)
        raise refused
    AppointmentEvent.objects.create(
        appointment=appointment, actor=citizen, from_status="", to_status=appointment.status
    )
    return appointment
