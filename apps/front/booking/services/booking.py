"""Booking a place (DOMAIN.md §3, DESIGN.md §6): online by the citizen, through the fast path
(``apps/front/booking/fastpath.py``), and by hall staff into the reserved share.

Lock order, everywhere: the citizen row (FOR NO KEY UPDATE), then the appointment, then the slot(s) in id
order. A slot counter moves only by a conditional UPDATE, never read-then-write; nothing but the database
is touched inside a booking transaction (notifications are rows, delivered after commit).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import User
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter
from govservice.lib.codes import human_code
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.metrics import counts_refusals

from .. import fastpath
from ..models import (
    ACTIVE_APPOINTMENT_STATUSES,
    Appointment,
    AppointmentEvent,
    GreenCategory,
    GroupMatter,
    Quota,
    Slot,
    StaffPost,
    WaitlistEntry,
)
from ..selectors import online_free_q
from .rules import check_elderly, citizen_lock, duplicate, refusal, same_request_or_refuse, slot_bookable, slot_refusal


@counts_refusals("booking_refusals")  # the operators' metric of refusals by code (apps/shared/observability)
def appointment_book(
    *,
    citizen: User,
    slot_id: int,
    matter_code: str,
    idempotency_key: str = "",
    rescheduled_from: Appointment | None = None,
    green_category: str = "",
    waitlist_entry: WaitlistEntry | None = None,
    agent: User | None = None,
) -> Appointment:
    """Book one place. ``agent``: the person booking for the applicant ``citizen`` (whose limits and
    standing apply), their authority already checked (apps/front/mandates); recorded on the appointment
    and as the actor of its first event. The slot counter moves only by a conditional UPDATE: never read-then-write.

    A plain online booking is first refused without any transaction or lock when one read shows a reason
    (most of a flash crowd: the slot is visibly full): the same refusals, in the same order, as the
    transaction would give from that moment's state. That read stands aside (the request takes the
    transaction) when the citizen already has an appointment with this Idempotency-Key or a booking of the
    citizen is in flight (its advisory lock is held): a retry still waits for and returns the first result.
    Green-channel requests (which may take the reserved share), reschedules and waitlist offers always go
    through the transaction. services/reference.py is the same booking through the ORM alone."""
    if rescheduled_from is None and waitlist_entry is None and not green_category:
        facts, alone = fastpath.booking_facts(
            citizen=citizen, slot_id=slot_id, matter_code=matter_code, idempotency_key=idempotency_key, early=True
        )
        if alone and facts.previous_id is None:
            early = refusal(facts, applicant=citizen, green_category="", slot_state=True)
            if early is not None:
                raise early
    return _book(
        citizen=citizen,
        slot_id=slot_id,
        matter_code=matter_code,
        idempotency_key=idempotency_key,
        rescheduled_from=rescheduled_from,
        green_category=green_category,
        waitlist_entry=waitlist_entry,
        agent=agent,
    )


@transaction.atomic
def _book(
    *,
    citizen: User,
    slot_id: int,
    matter_code: str,
    idempotency_key: str,
    rescheduled_from: Appointment | None,
    green_category: str,
    waitlist_entry: WaitlistEntry | None,
    agent: User | None = None,
) -> Appointment:
    """The booking transaction. Statements: the citizen lock; one read of the facts (taking the citizen's
    booking lock); the insert; the event row; the conditional UPDATE, last before the commit (it holds the
    slot row until then). Refusals are decided in the order of the rules from that read; "full", "not yet
    released" and "too soon" are the conditional UPDATE."""
    # Serialise one citizen's bookings first: a concurrent retry with the same Idempotency-Key then
    # waits here and finds the first result, and the per-person total holds under concurrency.
    fastpath.citizen_row_lock(citizen)
    # A new statement after the lock: it sees what the citizen's previous transaction committed.
    facts, _ = fastpath.booking_facts(
        citizen=citizen, slot_id=slot_id, matter_code=matter_code, idempotency_key=idempotency_key, early=False
    )
    if facts.previous_id is not None:
        previous = Appointment.objects.select_related("matter", "hall", "slot").get(id=facts.previous_id)
        same_request_or_refuse(previous, slot_id=slot_id, matter_code=matter_code)
        return previous
    refused = refusal(facts, applicant=citizen, green_category=green_category, slot_state=False)
    if refused is not None:
        raise refused
    if green_category == GreenCategory.ELDERLY:
        check_elderly(citizen)
    matter, slot, notice = facts.matter, facts.slot, facts.notice
    assert matter is not None and slot is not None
    matter.code = matter_code

    try:
        # No savepoint: on a unique violation the whole transaction is rolled back (nothing else is kept).
        appointment = Appointment(
            code=human_code(8),
            citizen=citizen,
            matter=matter,
            matter_code=matter_code,
            slot=slot,
            hall=slot.hall,
            idempotency_key=idempotency_key,
            rescheduled_from=rescheduled_from,
            green_category=green_category,
            agent=agent,
        )
        fastpath.insert(appointment)
    except IntegrityError:
        # The partial unique index (one active per matter) caught a concurrent twin.
        raise duplicate() from None
    # The event row before the conditional UPDATE: the UPDATE locks the (hot) slot row until commit, so it
    # comes last; a refusal rolls the event back with the rest.
    fastpath.insert(
        AppointmentEvent(appointment=appointment, actor=agent or citizen, from_status="", to_status=appointment.status)
    )

    if waitlist_entry is None and not green_category:
        # The plain online booking (a flash crowd's thousand successes): the ORM's UPDATE of the else branch
        # below with online_free_q, compiled once per process.
        taken = fastpath.take_online(slot_id=slot.id, today=timezone.localdate(), notice=notice)
    else:
        base = slot_bookable(slot.id, today=timezone.localdate(), ahead=dt.timedelta(hours=notice) if notice else None)
        if waitlist_entry is not None:
            # Accepting a waitlist offer: the place held for it becomes the booking.
            taken = base.filter(closed=False, waitlist_held__gt=0).update(
                booked=F("booked") + 1, waitlist_held=F("waitlist_held") - 1
            )
        else:
            taken = base.filter(online_free_q()).update(booked=F("booked") + 1)
            if not taken and green_category in booking_conf.BOOKING_GREEN_CATEGORIES:
                # The green channel may also take the share reserved for phone and on-site booking.
                taken = base.filter(closed=False, release_at__lte=Now(), reserved__gt=F("reserved_booked")).update(
                    reserved_booked=F("reserved_booked") + 1
                )
                if taken:
                    Appointment.objects.filter(id=appointment.id).update(quota=Quota.RESERVED)
                    appointment.quota = Quota.RESERVED
    if taken == 0:
        refused = slot_refusal(slot, notice=notice)  # may read the slot again: before marking the rollback
        transaction.set_rollback(True)
        raise refused
    return appointment


@transaction.atomic
@counts_refusals("booking_refusals")
def appointment_book_by_staff(
    *, staff: User, citizen: User, slot_id: int, matter_code: str, idempotency_key: str = ""
) -> Appointment:
    """Phone or on-site booking by hall staff (DOMAIN.md §3 quotas): a place of the slot's reserved share,
    at the staff member's own hall. The per-person limits hold as online; the online block does not (it
    stops online booking only, like walk-in). Lock order as everywhere: the citizen, then the slot."""
    hall_id = StaffPost.objects.filter(user=staff).values_list("hall_id", flat=True).first()
    if hall_id is None:
        raise DomainError(_("您尚未分配到大厅。"), code="no_hall")
    citizen_lock(citizen)
    if idempotency_key:
        previous = Appointment.objects.filter(citizen=citizen, idempotency_key=idempotency_key).first()
        if previous is not None:
            same_request_or_refuse(previous, slot_id=slot_id, matter_code=matter_code)
            return previous
    matter = (
        Matter.objects.filter(code=matter_code, is_current=True)
        .only("id", "code", "name", "bookable", "target")
        .first()
    )
    if matter is None:
        raise DomainError(_("事项不存在。"), code="not_found")
    applicant_matter_check(citizen, matter)
    links = GroupMatter.objects.filter(group_id=OuterRef("group_id"), matter_code=matter.code)
    slot = Slot.objects.annotate(handles=Exists(links), db_now=Now()).filter(id=slot_id, hall_id=hall_id).first()
    if slot is None:
        raise DomainError(_("本大厅没有该时段。"), code="not_found")
    if not slot.handles:
        raise DomainError(_("该时段所在窗口不办理此事项。"), code="wrong_group")
    counts = Appointment.objects.filter(citizen=citizen, status__in=ACTIVE_APPOINTMENT_STATUSES).aggregate(
        total=Count("id"), same=Count("id", filter=Q(matter_code=matter.code))
    )
    if counts["same"]:
        raise Conflict(_("该市民已有此事项的有效预约。"), code="duplicate")
    if counts["total"] >= booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN:
        raise Conflict(
            _("该市民已持有%(limit)s个有效预约。") % {"limit": booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN},
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
                quota=Quota.RESERVED,
            )
    except IntegrityError:
        raise Conflict(_("该市民已有此事项的有效预约。"), code="duplicate") from None
    taken = Slot.objects.filter(id=slot.id, closed=False, start__gt=Now(), reserved__gt=F("reserved_booked")).update(
        reserved_booked=F("reserved_booked") + 1
    )
    if not taken:
        if slot.closed:
            refused: DomainError = Conflict(_("该时段大厅暂停服务。"), code="closed")
        elif slot.start <= slot.db_now:
            refused = DomainError(_("该时段已开始。"), code="too_late")
        else:
            refused = Conflict(_("该时段的电话/现场预留名额已满。"), code="slot_full")
        transaction.set_rollback(True)
        raise refused
    AppointmentEvent.objects.create(
        appointment=appointment, actor=staff, from_status="", to_status=appointment.status, note="电话/现场预约"
    )
    return appointment
