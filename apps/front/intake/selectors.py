from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.intake.conf import intake_conf
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import id_number_index
from apps.shared.exchange.models import Peer
from apps.shared.exchange.peers import default_central
from apps.shared.workcalendar.selectors import add_workdays_or_none, calendar_get
from govservice.lib import idcard
from govservice.lib.workdays import WorkCalendar

from .models import COMMITMENT_OPEN_STATES, Case, CaseChannel, CaseStatus, CreditRecord, EvidenceItem, TrustLevel


def case_get_for_citizen(*, citizen: User, number: str) -> Case:
    """404 when the case is not this citizen's."""
    return get_object_or_404(
        Case.objects.select_related("matter", "hall").prefetch_related("events"), citizen=citizen, number=number
    )


def case_for_lookup(*, number: str) -> Case | None:
    """A case by its number alone, for the public status lookup; the caller checks the query password."""
    return (
        Case.objects.select_related("matter", "hall", "citizen")
        .prefetch_related("events")
        .filter(number=number)
        .first()
    )


def cases_for_citizen(*, citizen: User) -> QuerySet[Case]:
    return Case.objects.filter(citizen=citizen).select_related("matter", "hall").order_by("-received_at")


def cases_for_staff(*, user: User) -> QuerySet[Case]:
    """Hall staff see the cases received at their own hall only."""
    post = StaffPost.objects.filter(user=user).first()
    if post is None:
        return Case.objects.none()
    return (
        Case.objects.filter(hall_id=post.hall_id).select_related("matter", "hall", "citizen").order_by("-received_at")
    )


def case_get_for_staff(*, user: User, number: str) -> Case:
    """404 for a case of another hall."""
    return get_object_or_404(cases_for_staff(user=user).prefetch_related("events"), number=number)


def licence_stale_q(now: dt.datetime | None = None) -> Q:
    """Evidence from the library whose validity was not confirmed recently enough to rely on."""
    since = (now or timezone.now()) - dt.timedelta(seconds=intake_conf.LICENCE_RECHECK_SECONDS)
    return ~Q(licence_number="") & (Q(licence_checked_at__isnull=True) | Q(licence_checked_at__lt=since))


def case_for_finished_ticket(*, user: User, ticket) -> Case | None:
    """The case a finished ticket ended in (its applicant, matter and hall, that day), for the intake page
    opened again after the ticket was finished at another window or in another tab."""
    if ticket.citizen_id is None:
        return None
    return (
        cases_for_staff(user=user)
        .filter(
            citizen_id=ticket.citizen_id,
            matter__code=ticket.matter.code,
            hall_id=ticket.hall_id,
            updated_at__date__gte=ticket.service_date,
        )
        .order_by("-updated_at")
        .first()
    )


def evidence_for_matter(*, citizen: User, matter) -> dict[int, list[EvidenceItem]]:
    """Vault evidence matching each material of the matter by name, still valid, most trusted first. A
    licence from central's library counts while not revoked and confirmed valid recently (shared.py)."""
    names = {m.name: m.id for m in matter.materials.all()}
    today = timezone.localdate()
    items = (
        EvidenceItem.objects.filter(citizen=citizen, name__in=names, revoked_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exclude(licence_stale_q())
    )
    offered: dict[int, list[EvidenceItem]] = {}
    for item in items.order_by("trust_level", "-created_at"):
        offered.setdefault(names[item.name], []).append(item)
    return offered


def supervisor_near_limit(*, hall_id: int, today: dt.date) -> dict[str, Any]:
    """The hall supervisor's panel of received cases near the intake limit (the floor's supervisor_panels
    hook): no notice sent yet, the nearest limit first."""
    near_limit = list(
        Case.objects.filter(
            intake_near_limit_q(today=today, calendar=calendar_get()), awaiting_hall_q(), hall_id=hall_id
        )
        .select_related("matter")
        .order_by("intake_deadline")[:50]
    )
    return {"near_limit": near_limit}


def intake_near_limit_q(*, today: dt.date, calendar: WorkCalendar) -> Q:
    """Received cases whose 5-working-day intake limit is near. A limit left open (it reached a year whose
    holidays are not published) counts as near, and while the horizon itself cannot be counted so does
    every limit within a week: a supervisor warned once too often is better than a limit passed unseen."""
    horizon = add_workdays_or_none(today, intake_conf.INTAKE_WARN_WORKDAYS_BEFORE, calendar)
    near = Q(intake_deadline__lte=horizon if horizon is not None else today + dt.timedelta(days=7))
    return near | Q(intake_deadline__isnull=True)


def awaiting_hall_q() -> Q:
    """Received cases the hall must decide on within the intake limit: no one-time notice, or one the
    applicant has answered (行政许可法 Art. 32). A case whose notice is outstanding waits for the applicant."""
    return Q(status=CaseStatus.RECEIVED) & (
        Q(notice_sent_at__isnull=True)
        | Q(notice_answered_at__isnull=False, notice_answered_at__gte=F("notice_sent_at"))
    )


def deemed_due_q(*, today: dt.date) -> Q:
    """Received cases whose limit passed with no decision and no notice: accepted by law (Art. 32 (4)).
    The same rule as ``Case.intake_limit_passed``, for the database."""
    return awaiting_hall_q() & Q(intake_deadline__lt=today)


def held_q() -> Q:
    """What "a case the hall holds" means, for the held-case pages, the window's intake page and the service
    that continues a held case alike (one rule): received at a window (仅收件, or waiting on a one-time
    notice). An online application is held in the pre-review queue (prereview_queue_for_staff), not here:
    it is never taken over by a window's intake."""
    return Q(status=CaseStatus.RECEIVED, channel=CaseChannel.WINDOW)


def held_cases_for_staff(*, user: User, query: str = "") -> QuerySet[Case]:
    """The received (收件) cases of the clerk's hall, held for examination or waiting on a one-time notice,
    found by case number, the applicant's ID number (through its blind index: the clear number is never
    compared or stored), or the applicant's name. The oldest limit first."""
    qs = cases_for_staff(user=user).filter(held_q())
    query = query.strip()
    if query:
        try:
            parsed = idcard.parse(query)
        except idcard.InvalidIdNumber:
            qs = qs.filter(Q(number__iexact=query) | Q(citizen__real_name__contains=query))
        else:
            qs = qs.filter(citizen__id_number_index=id_number_index(parsed.value))
    return qs.order_by(F("intake_deadline").asc(nulls_first=True), "received_at")


def prereview_queue_for_staff(*, user: User) -> QuerySet[Case]:
    """The online applications of the clerk's hall awaiting pre-review (网上预审), the nearest limit first: not
    yet decided, and no one-time notice waiting on the applicant (those are ``prereview_waiting_for_staff``)."""
    return (
        cases_for_staff(user=user)
        .filter(awaiting_hall_q(), channel=CaseChannel.ONLINE)
        .order_by(F("prereview_deadline").asc(nulls_first=True), "received_at")
    )


def prereview_waiting_for_staff(*, user: User) -> QuerySet[Case]:
    """Online applications of the clerk's hall told by one-time notice, waiting for the applicant's resubmission."""
    return (
        cases_for_staff(user=user)
        .filter(status=CaseStatus.RECEIVED, channel=CaseChannel.ONLINE)
        .exclude(awaiting_hall_q())
        .order_by("notice_sent_at")
    )


def evidence_usable_online(*, citizen: User, matter) -> dict[int, EvidenceItem]:
    """Per material of the matter, the vault evidence an online application takes without anyone seeing an
    original: issued by government (A) or verified by a clerk before (B), still valid; the most trusted first."""
    offered = evidence_for_matter(citizen=citizen, matter=matter)
    return {
        material_id: usable[0]
        for material_id, items in offered.items()
        if (usable := [item for item in items if item.trust_level in (TrustLevel.A, TrustLevel.B)])
    }


def commitments_for_staff(*, user: User) -> QuerySet[Case]:
    """Cases of the clerk's hall accepted on a commitment (容缺) whose deferred items are still owed."""
    return (
        cases_for_staff(user=user)
        .filter(status__in=COMMITMENT_OPEN_STATES, commitment_met_at__isnull=True)
        .exclude(commitment_items=[])
        .order_by("commitment_deadline", "received_at")
    )


def credit_barred(*, citizen: User, today: dt.date | None = None) -> bool:
    """容缺受理 is not offered to an applicant with a bad credit record (DOMAIN.md §4): flagged on the
    account, or a broken commitment's record still in force."""
    today = today or timezone.localdate()
    return citizen.credit_restricted or CreditRecord.objects.filter(citizen=citizen, in_force_until__gte=today).exists()


def held_for_ticket(ticket, *, lock: bool = False) -> Case | None:
    """The case the hall holds for this ticket's applicant and matter (``held_q``: 收件 at a window, or waiting
    on a one-time notice): the one the intake page shows, and the one the applicant's return continues
    (``lock``: locked, for the service, in its transaction)."""
    if not ticket.citizen_id:
        return None
    qs = Case.objects.select_related("matter", "hall", "citizen")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return (
        qs.filter(held_q(), citizen_id=ticket.citizen_id, matter__code=ticket.matter.code, hall_id=ticket.hall_id)
        .order_by("-received_at")
        .first()
    )


def online_pending_for_ticket(ticket) -> Case | None:
    """The applicant's online application for this matter at this hall still in pre-review (or waiting on its
    notice): shown on the intake page, so the clerk knows the window's case will be a separate one."""
    if not ticket.citizen_id:
        return None
    return (
        Case.objects.filter(
            status=CaseStatus.RECEIVED,
            channel=CaseChannel.ONLINE,
            citizen_id=ticket.citizen_id,
            matter__code=ticket.matter.code,
            hall_id=ticket.hall_id,
        )
        .order_by("-received_at")
        .first()
    )


def case_central(case: Case) -> Peer:
    """The central a case's messages go to: the one it was handed to (or, for a case handed over before
    routes existed, the platform's own)."""
    return case.central if case.central is not None else default_central()
