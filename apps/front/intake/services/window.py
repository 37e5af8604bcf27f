"""Intake at the window (行政许可法 Art. 32): materials checked and stored, the case received, accepted,
refused or held with a one-time notice of everything missing, its documents issued and, once accepted,
handed to central on the wire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.booking.services import appointment_transition
from apps.front.floor.models import TicketStatus
from apps.front.floor.services import daily_counter_next, ticket_get_for_clerk, ticket_transition
from apps.front.intake.conf import intake_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.workcalendar.selectors import add_workdays_or_none
from govservice.api import Conflict, DomainError
from govservice.lib import lifecycle
from govservice.lib.codes import digits

from .. import hooks
from ..documents import document_issue
from ..models import CASE_SETTLED, Case, CaseEvent, CaseStatus, DocumentKind, TrustLevel
from ..selectors import case_get_for_staff, held_for_ticket
from .acceptance import commitment_check, hand_over
from .materials import Reuse, Upload, _keep_in_vault, _reuse, _store_materials, _vet
from .periods import commitment_deadline_from, notice_answer_deadline_from

# The statuses of a case that central is working on (withdrawal asks central; reconciliation asks about them).
WAITING_ON_CENTRAL = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SPECIAL_PROCEDURE, CaseStatus.TRANSFERRED)


def case_transition(
    *,
    case: Case,
    to_status: str,
    actor: User | None,
    note: str = "",
    actor_label: str = "",
    event_fields: Mapping[str, Any] | None = None,
    **fields: Any,
) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with an event row (``event_fields``: more of its
    fields, e.g. the suspension it records); a move into an answer (CASE_SETTLED) releases an originals visit still
    booked (originals.py) and is told to the apps above, in this transaction."""
    settling = to_status in CASE_SETTLED and case.status not in CASE_SETTLED
    lifecycle.move(
        case,
        to_status,
        fields=fields,
        event={"actor": actor, "actor_label": actor_label, "note": note, **(event_fields or {})},
        refused=_("办件状态不能从“%(status)s”变更。") % {"status": case.get_status_display()},
        stale=_("办件状态已被他人更改，请刷新。"),
    )
    if settling:
        # The one visit of an online case to have its originals seen, if still ahead, is no longer needed
        # (imported here: originals.py builds on this module).
        from .originals import original_visit_release

        original_visit_release(case)
        for receiver in hooks.case_settled.receivers():
            receiver(case=case)


# Why a ticket cannot be taken in, by its status (issue 17: one finished at another window or in another tab
# is not "call it first").
NOT_CALLED = gettext_lazy("请先叫号再受理。")
NOT_AT_WINDOW: dict[str, Any] = {
    TicketStatus.DONE: gettext_lazy("该号已办结（可能已在其他窗口或页面受理），不能再次受理。"),
    TicketStatus.PARKED: gettext_lazy("该号已挂起，请先恢复办理再受理。"),
    TicketStatus.MISSED: gettext_lazy("该号已过号，请重新叫号后再受理。"),
}


def _called_ticket(*, clerk: User, ticket_id: int, refusing: bool = False, case: Case | None = None):
    """The called ticket, locked, with the person who applies: an agent within a mandate in force now (for the
    ticket's matter, or on ``case`` when the ticket came for an existing case: the originals visit); a company
    only through one; a person for a matter that serves persons (the catalog's rule — a refusal stays open: it is
    the written answer to an application the hall cannot accept)."""
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id, lock=True)
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise Conflict(NOT_AT_WINDOW.get(ticket.status, NOT_CALLED), code="invalid_state")
    if ticket.citizen is None:
        raise DomainError(_("现场号未关联实名账户，请先为申请人登记。"), code="no_applicant")
    if any(elsewhere(ticket=ticket) for elsewhere in hooks.ticket_elsewhere.receivers()):
        raise Conflict(_("该号码是一件事预约，请在一件事受理页面一次受理全部事项。"), code="bundle_ticket")
    if ticket.agent is not None:
        # DOMAIN.md §9: the person at the window acts for the applicant only within a mandate in force now.
        for check in hooks.agent_check.receivers():
            if case is not None:
                check(agent=ticket.agent, principal=ticket.citizen, act="apply", case=case)
            else:
                check(agent=ticket.agent, principal=ticket.citizen, act="apply", matter=ticket.matter)
    elif ticket.citizen.is_company:
        raise DomainError(_("法人申请须由法定代表人或经授权的经办人办理，请先核验办理人身份。"), code="agent_required")
    elif not refusing:
        applicant_matter_check(ticket.citizen, ticket.matter)
    return ticket


def _new_number(prefix: str) -> str:
    today = timezone.localdate()
    return f"{prefix}{today:%Y%m%d}{daily_counter_next(scope=f'case:{prefix}', day=today):05d}"


def _receive(*, clerk: User, ticket, vetted) -> tuple[Case, str]:
    """收件: the hall holds the materials; the 5-working-day intake clock starts (行政许可法 Art. 32).
    A case the citizen pre-filed online is received as it is (its password was given then: "")."""
    today = timezone.localdate()
    now = timezone.now()
    found = prefiled_for_ticket(ticket)
    prefiled = Case.objects.select_for_update().get(id=found.id) if found is not None else None
    if prefiled is not None and prefiled.status == CaseStatus.SUBMITTED:
        case_transition(
            case=prefiled,
            to_status=CaseStatus.RECEIVED,
            actor=clerk,
            note=f"{ticket.hall.name} 收件（在线预填）",
            clerk=clerk,
            received_at=now,
            intake_started_at=now,
            intake_deadline=add_workdays_or_none(today, intake_conf.INTAKE_NOTICE_DAYS),
            **({"agent": ticket.agent} if ticket.agent is not None else {}),
            **({"appointment_id": ticket.appointment_id} if ticket.appointment_id else {}),
        )
        _store_materials(prefiled, vetted, by=clerk)
        return prefiled, ""
    held = held_for_ticket(ticket, lock=True)
    if held is not None:
        # The applicant is back for a case the hall holds (仅收件, or after a one-time notice): the same case
        # goes on, never a second one.
        held_continue(held, clerk=clerk, vetted=vetted, where=ticket.hall.name)
        if ticket.agent is not None and held.agent_id != ticket.agent.pk:
            Case.objects.filter(id=held.id).update(agent=ticket.agent)
            held.agent = ticket.agent
        return held, ""
    password = digits(6)
    case = Case.objects.create(
        number=_new_number(ticket.hall.case_prefix),
        query_password_hash=make_password(password),
        citizen=ticket.citizen,
        agent=ticket.agent,
        matter=ticket.matter,
        hall=ticket.hall,
        appointment=ticket.appointment,
        clerk=clerk,
        status=CaseStatus.RECEIVED,
        received_at=now,
        intake_started_at=now,
        intake_deadline=add_workdays_or_none(today, intake_conf.INTAKE_NOTICE_DAYS),
    )
    note = f"{ticket.hall.name} 收件" + (f"（代办人 {ticket.agent.real_name}）" if ticket.agent is not None else "")
    CaseEvent.objects.create(case=case, actor=clerk, to_status=CaseStatus.RECEIVED, note=note)
    _store_materials(case, vetted, by=clerk)
    return case, password


def intake_limit_check(case: Case) -> None:
    """Refuse to act on a received case as if the hall could still decide: past the limit with no notice,
    the law has accepted it (行政许可法 Art. 32 (4)); the periodic job records that acceptance."""
    if case.intake_limit_passed(timezone.localdate()):
        raise Conflict(
            _("该办件已超过5个工作日受理期限且未一次性告知，依法自收件之日起视为受理，系统将自动转交审批。"),
            code="intake_limit_passed",
        )


def held_continue(case: Case, *, clerk: User, vetted, where: str) -> bool:
    """Add what the applicant brought to a case the hall holds (the caller has locked it). Bringing items
    answers an outstanding one-time notice: the five working days run again from today, since the
    materials the hall decides on were received today. Returns whether a notice was answered."""
    intake_limit_check(case)
    _store_materials(case, vetted, by=clerk)
    if not vetted or not case.notice_outstanding:
        if vetted:
            CaseEvent.objects.create(
                case=case, actor=clerk, from_status=case.status, to_status=case.status, note=f"{where} 补充材料"
            )
        return False
    notice_answer(case, actor=clerk, note=f"{where} 收到补正材料（答复一次性告知），受理期限重新起算")
    return True


def notice_answer(case: Case, *, actor: User, note: str) -> None:
    """The applicant answered the one-time notice (the caller has locked the case and stored what came): the
    five working days run again from today, since the materials the hall decides on were received today; an
    online application's pre-review limit too."""
    now = timezone.now()
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "notice_answered_at": now,
        "intake_started_at": now,
        "intake_deadline": add_workdays_or_none(today, intake_conf.INTAKE_NOTICE_DAYS),
        # The warning was about the old limit: the new one is warned of in its turn.
        "intake_warning_sent_at": None,
    }
    if case.online:
        fields["prereview_deadline"] = add_workdays_or_none(today, intake_conf.PREREVIEW_WORKDAYS)
    Case.objects.filter(id=case.id).update(**fields)
    for name, value in fields.items():
        setattr(case, name, value)
    CaseEvent.objects.create(case=case, actor=actor, from_status=case.status, to_status=case.status, note=note)


def notice_give(case: Case, *, clerk: User, items: list[str]) -> None:
    """一次性告知 on a received case (the caller has locked it): every item at once. A notice the applicant
    has not answered yet is never followed by another: the law allows one notice of everything missing."""
    if case.notice_outstanding:
        raise Conflict(_("已向申请人一次性告知，申请人尚未补正，不得再次告知。"), code="notice_outstanding")
    intake_limit_check(case)
    now = timezone.now()
    # Unanswered by its last day, the application is deemed withdrawn (held.cases_notice_lapse).
    answer_by = notice_answer_deadline_from(timezone.localdate())
    Case.objects.filter(id=case.id).update(
        notice_items=items, notice_sent_at=now, notice_answer_deadline=answer_by, notice_reminded_at=None
    )
    case.notice_items, case.notice_sent_at = items, now
    case.notice_answer_deadline, case.notice_reminded_at = answer_by, None
    CaseEvent.objects.create(
        case=case, actor=clerk, from_status=case.status, to_status=case.status, note="一次性告知：" + "；".join(items)
    )
    document_issue(case=case, kind=DocumentKind.ONE_TIME_NOTICE, by=clerk)
    notify(recipient=case.citizen, event="case.one_time_notice", case=case)


# The longest "where to apply instead" on a refusal notice (Case.refer_to).
REFER_TO_MAX = 200


def refusal_give(case: Case, *, clerk: User, reason: str, refer_to: str) -> None:
    """不予受理 of a received case: a dated notice with the reason, where to apply instead, the remedies."""
    intake_limit_check(case)
    refer_to = refer_to.strip()
    if len(refer_to) > REFER_TO_MAX:
        # Refused, not cut: the notice is a legal document, and half an authority's name misleads.
        raise DomainError(_("“应向何机关申请”不能超过%(max)d个字。") % {"max": REFER_TO_MAX}, code="refer_to_too_long")
    case_transition(
        case=case,
        to_status=CaseStatus.REJECTED_AT_INTAKE,
        actor=clerk,
        note=reason,
        refusal_reason=reason,
        refer_to=refer_to,
    )
    document_issue(case=case, kind=DocumentKind.REFUSAL, by=clerk)
    notify(recipient=case.citizen, event="case.refused", case=case)


def ticket_served(*, clerk: User, ticket) -> None:
    """The called ticket (locked by the caller, in its transaction) has had its outcome: the ticket is done and its
    appointment completed. Every outcome at a window ends with it, the apps above intake's too (一件事 visits)."""
    if ticket.status == TicketStatus.CALLED:
        ticket_transition(ticket=ticket, to_status=TicketStatus.SERVING, actor=clerk)
    ticket_transition(ticket=ticket, to_status=TicketStatus.DONE, actor=clerk)
    if ticket.appointment is not None:
        appointment = ticket.appointment
        if appointment.status == AppointmentStatus.CALLED:
            appointment_transition(appointment=appointment, to_status=AppointmentStatus.IN_SERVICE, actor=clerk)
        appointment_transition(appointment=appointment, to_status=AppointmentStatus.COMPLETED, actor=clerk)


def _missing_required(case: Case, *, deferred: Sequence[str] = ()) -> list[str]:
    provided = set(case.materials.values_list("material_id", flat=True))
    covered: set[str] = set()
    for receiver in hooks.materials_covered.receivers():
        covered |= receiver(case=case)
    return [
        m.name
        for m in case.matter.materials.all()
        if m.required and m.id not in provided and m.name not in deferred and m.name not in covered
    ]


def _accept(
    *,
    clerk: User,
    case: Case,
    commitment_items: list[str],
    commitment_signed: bool,
    originals_seen: bool = True,
    originals_seen_by: User | None = None,
) -> None:
    """Accept a received case and put it on the wire to central, in the caller's transaction. ``originals_seen``:
    the clerk had the originals in hand (a window); an online pre-review has not, and the uploads stay C.
    ``originals_seen_by``: who held them, when that is not the acceptor (a hall clerk in a remote session)."""
    matter = case.matter
    if commitment_items:
        commitment_items = commitment_check(case, commitment_items, signed=commitment_signed)
    missing = _missing_required(case, deferred=commitment_items)
    if missing:
        # 行政许可法 Art. 32: every missing item is named at once.
        raise DomainError(
            _("以下必要材料尚未提供：%(items)s。") % {"items": "、".join(missing)}, code="materials_missing"
        )
    today = timezone.localdate()
    now = timezone.now()
    # None while the limit reaches a year whose holidays nobody has published: filled in once it is.
    promised = add_workdays_or_none(today, matter.promised_days)
    extra: dict[str, Any] = {}
    if commitment_items:
        extra = {"commitment_items": list(commitment_items), "commitment_deadline": commitment_deadline_from(today)}
    case_transition(
        case=case, to_status=CaseStatus.ACCEPTED, actor=clerk, accepted_at=now, promised_date=promised, **extra
    )
    if originals_seen:
        # Accepting at the window means the clerk has seen the originals of what the citizen uploaded.
        case.materials.filter(trust_level=TrustLevel.C).update(trust_level=TrustLevel.B)
        _keep_in_vault(case, by=originals_seen_by or clerk)
    document_issue(case=case, kind=DocumentKind.RECEIPT, by=clerk)
    if commitment_items:
        document_issue(case=case, kind=DocumentKind.COMMITMENT, by=clerk)
    hand_over(case, actor=clerk.audit_label)
    notify(recipient=case.citizen, event="case.accepted", case=case)


@transaction.atomic
def case_accept(
    *,
    clerk: User,
    ticket_id: int,
    uploads: list[Upload],
    reuses: Sequence[Reuse] = (),
    commitment_items: Sequence[str] = (),
    commitment_signed: bool = False,
    vault_consent: bool = False,
) -> tuple[Case, str]:
    """Receive the materials of a called ticket and accept the case; it leaves for central through the
    outbox in this same transaction. Returns the case and its query password, shown only this once."""
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    vetted = _vet(ticket.matter, uploads)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=vetted)
    _reuse(case, list(reuses), by=clerk, vault_consent=vault_consent)
    _accept(clerk=clerk, case=case, commitment_items=list(commitment_items), commitment_signed=commitment_signed)
    ticket_served(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_receive(*, clerk: User, ticket_id: int, uploads: list[Upload]) -> tuple[Case, str]:
    """收件 only: the hall keeps the materials to examine them; it must accept, refuse or send a one-time
    notice within 5 working days (the clock is watched, supervisors are warned)."""
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=_vet(ticket.matter, uploads))
    ticket_served(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_refuse(
    *, clerk: User, ticket_id: int, reason: str, refer_to: str = "", uploads: Sequence[Upload] = ()
) -> tuple[Case, str]:
    """不予受理: a dated notice with the reason, where to apply instead, and the remedies."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写不予受理的理由。"), code="reason_required")
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id, refusing=True)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=_vet(ticket.matter, list(uploads)))
    refusal_give(case, clerk=clerk, reason=reason, refer_to=refer_to)
    ticket_served(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_notify_missing(
    *, clerk: User, ticket_id: int, items: list[str], uploads: Sequence[Upload] = ()
) -> tuple[Case, str]:
    """一次性告知: every missing or defective item in one written notice, on the spot; the case waits
    (RECEIVED) for the applicant to bring them."""
    items = [item.strip() for item in items if item.strip()]
    if not items:
        raise DomainError(_("请列出需要补正的全部事项。"), code="items_required")
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=_vet(ticket.matter, list(uploads)))
    notice_give(case, clerk=clerk, items=items)
    ticket_served(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_accept_received(
    *,
    clerk: User,
    number: str,
    uploads: list[Upload],
    reuses: Sequence[Reuse] = (),
    commitment_items: Sequence[str] = (),
    commitment_signed: bool = False,
    vault_consent: bool = False,
) -> Case:
    """Accept a case the hall already holds (after a one-time notice, or a later examination)."""
    case = case_get_for_staff(user=clerk, number=number)
    case = Case.objects.select_for_update(of=("self",)).select_related("matter", "hall", "citizen").get(id=case.id)
    if not case.awaits_intake:
        raise Conflict(_("该办件不在待受理状态。"), code="invalid_state")
    held_continue(case, clerk=clerk, vetted=_vet(case.matter, uploads), where=case.hall.name)
    _reuse(case, list(reuses), by=clerk, vault_consent=vault_consent)
    _accept(clerk=clerk, case=case, commitment_items=list(commitment_items), commitment_signed=commitment_signed)
    return case


def appointment_lineage(appointment_id: int) -> list[int]:
    """The appointment and those it replaced by rescheduling (改约 cancels one and books the next, pointing back),
    newest first: a filing made for an earlier one goes on with the latest."""
    lineage: list[int] = []
    current: int | None = appointment_id
    while current is not None and current not in lineage:
        lineage.append(current)
        current = Appointment.objects.filter(id=current).values_list("rescheduled_from_id", flat=True).first()
    return lineage


def prefiled_for_ticket(ticket) -> Case | None:
    """The case the citizen (or a helper for them) filed before reaching the window, if any; a filing made for
    an appointment since rescheduled counts for the new one."""
    if ticket.appointment_id:
        return Case.objects.filter(
            appointment_id__in=appointment_lineage(ticket.appointment_id), status=CaseStatus.SUBMITTED
        ).first()
    if ticket.citizen_id:
        return Case.objects.filter(
            citizen_id=ticket.citizen_id,
            matter__code=ticket.matter.code,
            hall_id=ticket.hall_id,
            appointment__isnull=True,
            status=CaseStatus.SUBMITTED,
        ).first()
    return None
