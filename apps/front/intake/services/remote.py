"""远程受理 (issue 14, DOMAIN.md §9: a remote acceptance has the same effect as a window's): the case a remote
session made. Central's staff concluded it live; the hall's front makes the case here as the window does —
received with the scans the hall uploaded (checked again, as every upload), then accepted and handed to central,
held with a one-time notice, or refused — with the same documents, printed at the hall. The acceptor is the
remote staff member (their stand-in account, apps/shared/accounts/stand_ins.py); the session's log goes into
the case's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall
from apps.front.floor.models import Ticket, TicketStatus
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from apps.shared.workcalendar.selectors import add_workdays_or_none
from govservice.api import DomainError
from govservice.lib.codes import digits

from ..conf import intake_conf
from ..models import Case, CaseEvent, CaseStatus, TrustLevel
from .window import Upload, _accept, _new_number, _store_materials, _vet, notice_give, refusal_give, ticket_served

ACCEPTED, ONE_TIME_NOTICE, REFUSED = "accepted", "one_time_notice", "refused"


@dataclass(frozen=True)
class RemoteLine:
    """One line of the session's log for the case's timeline."""

    at: dt.datetime
    actor: str
    note: str


@transaction.atomic
def case_conclude_remote(
    *,
    acceptor: User,
    uploader: User,
    citizen: User,
    matter: Matter,
    hall: Hall,
    uploads: Sequence[Upload],
    outcome: str,
    items: Sequence[str] = (),
    reason: str = "",
    refer_to: str = "",
    history: Sequence[RemoteLine] = (),
    identity_note: str = "",
    ticket: Ticket | None = None,
    hall_clerk: User | None = None,
) -> tuple[Case, str]:
    """Make the case a remote session concluded; returns it and its query password (shown once at the hall).
    ``uploader`` scanned the materials at the hall (the clerk, or the citizen at a kiosk); ``hall_clerk`` and
    ``ticket``: a window's session, whose ticket is finished as a window acceptance finishes it.
    ``identity_note``: central's "identity confirmed remotely" with its reason, for the case's timeline.

    Trust: a hall clerk who took part (a window's session) had the originals in hand, so an acceptance counts
    them as seen (level B, kept in the citizen's vault) as at a window. At a kiosk nobody held them: central saw
    scans and a video, and the scans stay level C (checked against the original before any reuse)."""
    if outcome not in (ACCEPTED, ONE_TIME_NOTICE, REFUSED):
        raise DomainError(_("未知的受理结果。"), code="invalid_outcome")
    vetted = _vet(matter, list(uploads))
    now = timezone.now()
    password = digits(6)
    appointment = ticket.appointment if ticket is not None and ticket.appointment_id else None
    if appointment is not None and Case.objects.filter(appointment=appointment).exists():
        appointment = None  # a case pre-filed for the appointment keeps it; this one is the remote session's
    case = Case.objects.create(
        number=_new_number(hall.case_prefix),
        query_password_hash=make_password(password),
        citizen=citizen,
        matter=matter,
        hall=hall,
        appointment=appointment,
        clerk=acceptor,
        status=CaseStatus.RECEIVED,
        received_at=now,
        intake_started_at=now,
        intake_deadline=add_workdays_or_none(timezone.localdate(), intake_conf.INTAKE_NOTICE_DAYS),
    )
    CaseEvent.objects.create(
        case=case,
        actor=acceptor,
        to_status=CaseStatus.RECEIVED,
        note=_("%(hall)s 远程虚拟窗口收件") % {"hall": hall.name},
    )
    for line in history:
        # The session's log, in the case's own timeline: every remote action is part of its audit trail.
        CaseEvent.objects.create(
            case=case,
            actor_label=line.actor[:64],
            from_status=CaseStatus.RECEIVED,
            to_status=CaseStatus.RECEIVED,
            note=line.note,
            at=line.at,
        )
    if identity_note.strip():
        # The log's line names who confirmed the identity; why (the registry's answer, the live video) comes
        # with it here, so that the case's audit trail holds the reason too.
        CaseEvent.objects.create(
            case=case,
            actor=acceptor,
            from_status=CaseStatus.RECEIVED,
            to_status=CaseStatus.RECEIVED,
            note=identity_note.strip()[:300],
        )
    _store_materials(case, vetted, by=uploader, trust_level=TrustLevel.B if hall_clerk is not None else TrustLevel.C)
    if outcome == ACCEPTED:
        _accept(
            clerk=acceptor,
            case=case,
            commitment_items=[],
            commitment_signed=False,
            originals_seen=hall_clerk is not None,
            originals_seen_by=hall_clerk,
        )
    elif outcome == ONE_TIME_NOTICE:
        notice = [item.strip() for item in items if item.strip()]
        if not notice:
            raise DomainError(_("请列出需要补正的全部事项。"), code="items_required")
        # 行政许可法 Art. 32: every missing item at once, in writing, as at a window.
        notice_give(case, clerk=acceptor, items=notice)
    else:
        if not reason.strip():
            raise DomainError(_("请填写不予受理的理由。"), code="reason_required")
        refusal_give(case, clerk=acceptor, reason=reason.strip(), refer_to=refer_to)
    if ticket is not None and hall_clerk is not None:
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("appointment").get(id=ticket.id)
        if locked.status in (TicketStatus.CALLED, TicketStatus.SERVING):
            ticket_served(clerk=hall_clerk, ticket=locked)
    return case, password
