"""The one visit of a fully online application whose matter needs an original seen (最多跑一次, DOMAIN.md §9;
issue 15).

The citizen books the visit for the case, from the case page or the link on the receipt, or someone acting for them
does (their authority is checked by the caller, apps/front/online, with the mandates' one rule; both people are
recorded: the appointment's and the ticket's ``agent``, the case's event): the appointment names the case (OriginalsCheck, one per case; a cancelled or missed visit may be booked again, never a second
one beside it). At the window, the ticket of that appointment opens the case's originals check, never a new case:
the clerk marks each listed original seen (the upload becomes B-level evidence, verified by that clerk at that
time, and joins the citizen's vault as such) or records a mismatch (the upload stays C). Once every listed
original has an outcome the check is complete, the ticket and the appointment are finished, and the case page
says so. The held-case path of the window (held.py, selectors.held_for_ticket) is not involved: it continues
cases the hall holds before acceptance, and this case is accepted already.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.front.booking.models import Appointment, AppointmentStatus, Slot
from apps.front.booking.services import (
    appointment_book,
    appointment_cancel,
    appointment_cancel_by_hall,
    message_context,
)
from apps.front.floor.models import Ticket
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from govservice.api import Conflict, DomainError

from ..models import (
    COMMITMENT_OPEN_STATES,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    EvidenceItem,
    OriginalOutcome,
    OriginalsCheck,
    OriginalSeen,
    TrustLevel,
)
from .window import _called_ticket, ticket_served

# An accepted case not decided yet: its originals may still be seen (the states a 容缺 commitment stays open in).
VISIT_OPEN_STATES = COMMITMENT_OPEN_STATES


def originals_to_see(case: Case) -> list[CaseMaterial]:
    """The case's materials whose originals the clerk must see: uploads (not vault evidence, not the generated
    form) of a catalogue material that asks for an original, with the outcome once recorded."""
    return list(
        case.materials.filter(material__isnull=False, material__originals__gt=0, reused_from__isnull=True)
        .filter(Q(trust_level=TrustLevel.C) | Q(original_seen__isnull=False))
        .select_related("material", "original_seen__clerk")
        .order_by("id")
    )


def originals_check_for_ticket(ticket: Ticket) -> OriginalsCheck | None:
    """The originals check whose visit this ticket came from (its appointment was booked for the case)."""
    if ticket.appointment_id is None:
        return None
    return (
        OriginalsCheck.objects.select_related("case__matter", "case__hall", "case__citizen", "appointment")
        .filter(appointment_id=ticket.appointment_id)
        .first()
    )


def _visit_case(*, citizen: User, number: str) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("matter", "hall")
        .filter(citizen=citizen, number=number)
        .first()
    )
    if case is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    if not case.needs_original_visit:
        raise Conflict(_("本件无需到大厅核验原件。"), code="no_visit_needed")
    if case.status not in VISIT_OPEN_STATES:
        raise Conflict(_("本件当前状态无需预约核验原件。"), code="invalid_state")
    return case


def original_visit_release(case: Case) -> Appointment | None:
    """The case has just got its answer (decided, withdrawn, voided, closed: CASE_SETTLED; intake's
    ``case_transition``, in the transaction of that move): its visit is no longer needed. One still booked is
    cancelled by the hall (the place given back at once, never a late cancellation), the case's events say so, and
    the applicant — and the agent who booked it for them — are told not to come. A visit already checked in or
    ended stays as it is. Returns the cancelled appointment, or None."""
    check = OriginalsCheck.objects.filter(case=case, appointment__status=AppointmentStatus.BOOKED).first()
    if check is None or check.appointment_id is None:
        return None
    status = CaseStatus(case.status).label
    with translation.override(settings.LANGUAGE_CODE):  # records, in the site's first language
        why = f"办件{status}，无需到大厅核验原件"
    appointment = appointment_cancel_by_hall(appointment_id=check.appointment_id, actor=None, reason=why)
    if appointment is None:  # checked in (or cancelled) meanwhile
        return None
    CaseEvent.objects.create(
        case=case,
        actor=None,
        actor_label="系统",
        from_status=case.status,
        to_status=case.status,
        note=f"{why}：预约（预约码 {appointment.code}）已自动取消",
    )
    context = message_context(appointment) | {"status": status}
    notify(recipient=appointment.citizen, event="case.visit_released", case=case, context=context)
    if appointment.agent is not None and appointment.agent_id != appointment.citizen_id:
        notify(recipient=appointment.agent, event="case.visit_released", case=case, context=context)
    return appointment


def _by(agent: User | None) -> str:
    """Who did it, in the case's events (records, in the site's first language)."""
    return "" if agent is None else f"{agent.real_name} 代为"


@transaction.atomic
def original_visit_book(
    *, citizen: User, number: str, slot_id: int, idempotency_key: str = "", agent: User | None = None
) -> OriginalsCheck:
    """Book the one visit for the case at the hall that accepted it: the appointment names the case. One per
    case: refused while a booked visit is still ahead or the check is done; a cancelled or missed one is replaced
    (the booking rules of DOMAIN.md §3 apply as to any booking: one active appointment per matter, …).
    ``agent``: the person booking for ``citizen``, their authority already checked; recorded on the appointment
    (so the kiosk finds it by their ID card and the ticket names them) and in the case's event."""
    case = _visit_case(citizen=citizen, number=number)
    check, _created = OriginalsCheck.objects.select_for_update().get_or_create(case=case)
    if check.completed_at is not None:
        raise Conflict(_("本件原件已核验完毕，无需再预约。"), code="invalid_state")
    if check.appointment is not None and check.appointment.is_active:
        if idempotency_key and check.appointment.idempotency_key == idempotency_key:
            return check  # a retry with the same Idempotency-Key: the first booking
        raise Conflict(
            _("本件已预约核验原件（预约码 %(code)s），如需改期请先取消原预约。") % {"code": check.appointment.code},
            code="already_booked",
        )
    slot = Slot.objects.filter(id=slot_id).only("hall_id").first()
    if slot is None or slot.hall_id != case.hall_id:
        raise DomainError(_("核验原件须预约受理本件的大厅：%(hall)s。") % {"hall": case.hall.name}, code="wrong_hall")
    appointment = appointment_book(
        citizen=citizen, slot_id=slot_id, matter_code=case.matter.code, idempotency_key=idempotency_key, agent=agent
    )
    check.appointment, check.booked_at = appointment, timezone.now()
    check.save(update_fields=["appointment", "booked_at"])
    CaseEvent.objects.create(
        case=case,
        actor=agent or citizen,
        from_status=case.status,
        to_status=case.status,
        note=f"{_by(agent)}预约到大厅核验原件（预约码 {appointment.code}）",
    )
    return check


@transaction.atomic
def original_visit_cancel(*, citizen: User, number: str, agent: User | None = None) -> OriginalsCheck:
    """Cancel the case's visit still ahead (booking's cancel: the place given back, a late cancellation counted);
    the case may book it again. ``agent`` as for ``original_visit_book``."""
    case = _visit_case(citizen=citizen, number=number)
    check = (
        OriginalsCheck.objects.select_for_update(of=("self",)).select_related("appointment").filter(case=case).first()
    )
    if check is None or check.appointment is None or not check.appointment.is_active:
        raise Conflict(_("本件没有待到场的核验原件预约。"), code="invalid_state")
    appointment = appointment_cancel(
        citizen=citizen, appointment_id=check.appointment.id, note="取消核验原件预约", actor=agent
    )
    check.appointment = appointment
    CaseEvent.objects.create(
        case=case,
        actor=agent or citizen,
        from_status=case.status,
        to_status=case.status,
        note=f"{_by(agent)}取消到大厅核验原件的预约（预约码 {appointment.code}）",
    )
    return check


def _check_at_window(*, clerk: User, ticket_id: int, number: str) -> tuple[Ticket, OriginalsCheck]:
    """The called ticket and the check of the case it came for. Another case (another citizen's, or one whose
    visit this ticket was not booked for) is refused: the ticket opens its own case's check and nothing else."""
    # The case this ticket's visit was booked for, read before the locks (ticket first, then the check, as
    # always): someone acting for its applicant is checked on that case (a 委托书 for this one case reaches it).
    visit_case = (
        Case.objects.select_related("matter")
        .filter(number=number, originals_check__appointment__ticket__id=ticket_id)
        .first()
    )
    if visit_case is None:
        raise DomainError(_("该办件不是本号申请人预约核验原件的办件。"), code="not_this_applicant")
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id, case=visit_case)
    check = (
        OriginalsCheck.objects.select_for_update(of=("self",))
        .select_related("case__matter", "case__hall", "case__citizen")
        .filter(case__number=number)
        .first()
    )
    if (
        check is None
        or ticket.appointment_id is None
        or check.appointment_id != ticket.appointment_id
        or check.case.citizen_id != ticket.citizen_id
    ):
        raise DomainError(_("该办件不是本号申请人预约核验原件的办件。"), code="not_this_applicant")
    if check.completed_at is not None:
        raise Conflict(_("本件原件已核验完毕。"), code="invalid_state")
    if check.case.status not in VISIT_OPEN_STATES:
        raise Conflict(_("本件当前状态不能核验原件。"), code="invalid_state")
    return ticket, check


@transaction.atomic
def original_mark(
    *, clerk: User, ticket_id: int, number: str, material_id: int, outcome: str, note: str = ""
) -> OriginalsCheck:
    """The clerk's outcome for one original of the case (see the module docstring). The check completes, and
    the ticket and its appointment finish, with the last outcome."""
    ticket, check = _check_at_window(clerk=clerk, ticket_id=ticket_id, number=number)
    case = check.case
    listed = {m.id: m for m in originals_to_see(case)}
    material = listed.get(material_id)
    if material is None:
        raise DomainError(_("该材料不在本件须核验原件的材料中。"), code="wrong_material")
    if hasattr(material, "original_seen"):
        raise Conflict(_("“%(name)s”已记录核验结果。") % {"name": material.name}, code="invalid_state")
    note = note.strip()
    if outcome not in OriginalOutcome.values:
        raise DomainError(_("请选择核验结果。"), code="invalid")
    if outcome == OriginalOutcome.MISMATCH and not note:
        raise DomainError(_("原件与上传件不一致时，请写明不一致之处。"), code="mismatch_note_required")
    now = timezone.now()
    OriginalSeen.objects.create(
        originals_check=check, material=material, outcome=outcome, note=note[:200], clerk=clerk, at=now
    )
    if outcome == OriginalOutcome.SEEN:
        # 国办函〔2016〕108号 level B: verified by a clerk against the original, reusable later.
        CaseMaterial.objects.filter(id=material.id).update(trust_level=TrustLevel.B)
        vault, created = EvidenceItem.objects.get_or_create(
            citizen=case.citizen,
            sha256=material.sha256,
            defaults={
                "name": material.name,
                "trust_level": TrustLevel.B,
                "file": material.file.name,
                "content_type": material.content_type,
                "size": material.size,
                "origin_case": case,
                "verified_by": clerk,
            },
        )
        if not created and vault.trust_level == TrustLevel.C:
            EvidenceItem.objects.filter(id=vault.id).update(trust_level=TrustLevel.B, verified_by=clerk)
        text = f"核验原件一致：{material.name}"
    else:
        text = f"原件与上传件不一致：{material.name}（{note}）"
    CaseEvent.objects.create(case=case, actor=clerk, from_status=case.status, to_status=case.status, note=text)
    if len(listed) == check.outcomes.count():
        check.completed_at, check.completed_by = now, clerk
        check.save(update_fields=["completed_at", "completed_by"])
        came = f"（{ticket.agent.real_name} 代申请人到场）" if ticket.agent is not None else ""
        CaseEvent.objects.create(
            case=case, actor=clerk, from_status=case.status, to_status=case.status, note=f"原件核验完成{came}"
        )
        ticket_served(clerk=clerk, ticket=ticket)
    return check
