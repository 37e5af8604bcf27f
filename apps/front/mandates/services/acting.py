"""What an agent does for a principal, each act checked against the mandates when it is done (a revocation
counts at once) and recorded with both people: on the appointment, ticket, case or delivery (their ``agent``
fields) and in the mandate's events the principal reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from apps.front.booking.models import Appointment
from apps.front.booking.services import appointment_book, appointment_cancel
from apps.front.floor.models import Ticket
from apps.front.floor.services import ticket_applicant_set, ticket_get_for_clerk
from apps.front.intake import hooks as intake_hooks
from apps.front.intake.documents import document_pdf
from apps.front.intake.models import Case, Document, DocumentKind
from apps.front.intake.services import original_visit_cancel, originals_check_for_ticket
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from govservice.lib.errors import DomainError

from ..models import Act, EventKind, MandateEvent
from ..selectors import Authority, Principal, appointments_for_agent, authority_check, case_get_for_agent
from .records import mandate_act_record
from .terms import _principal_at_window, _verified_person


def agent_book(
    *,
    agent: User,
    principal: Principal,
    slot_id: int,
    matter_code: str,
    idempotency_key: str = "",
    green_category: str = "",
) -> Appointment:
    """Book for the principal (whose limits and standing apply, and who is told as for their own booking),
    the agent recorded on the appointment and in the mandate's events."""
    matter = Matter.objects.filter(code=matter_code, is_current=True).first()
    if matter is None:
        raise DomainError(_("事项不存在。"), code="not_found")
    authority = authority_check(agent=agent, principal=principal.account, act=Act.APPLY, matter=matter)
    with transaction.atomic():
        appointment = appointment_book(
            citizen=principal.account,
            slot_id=slot_id,
            matter_code=matter.code,
            idempotency_key=idempotency_key,
            green_category=green_category,
            agent=agent,
        )
        if (
            authority.mandate is not None
            and not MandateEvent.objects.filter(
                mandate=authority.mandate, kind=EventKind.BOOKED, reference=appointment.code
            ).exists()
        ):  # a retry with the same Idempotency-Key got the first booking back
            mandate_act_record(
                mandate=authority.mandate,
                kind=EventKind.BOOKED,
                actor=agent,
                reference=appointment.code,
                note=f"{matter.name}，{appointment.hall.name}",
            )
    return appointment


def agent_cancel(*, agent: User, principal: Principal, code: str) -> Appointment:
    """Cancel an appointment of the principal the agent may see, within a mandate in force now."""
    appointment = (
        appointments_for_agent(agent=agent, principal=principal).filter(code=code).select_related("matter").first()
    )
    if appointment is None:
        raise Http404
    # The one visit of an online case (最多跑一次) is an act on that case: a 委托书 for the case reaches it.
    case = Case.objects.select_related("matter").filter(originals_check__appointment=appointment).first()
    authority = authority_check(
        agent=agent, principal=principal.account, act=Act.APPLY, matter=None if case else appointment.matter, case=case
    )
    with transaction.atomic():
        if case is not None:  # intake's cancel of the visit, so that the case's events say so too
            visit = original_visit_cancel(citizen=principal.account, number=case.number, agent=agent)
            assert visit.appointment is not None
            cancelled = visit.appointment
        else:
            cancelled = appointment_cancel(
                citizen=principal.account, appointment_id=appointment.id, note="代办人取消", actor=agent
            )
        mandate_act_record(mandate=authority.mandate, kind=EventKind.CANCELLED, actor=agent, reference=appointment.code)
    return cancelled


@dataclass(frozen=True)
class WindowCheck:
    ticket: Ticket
    authority: Authority | None  # None: the applicant came in person


def window_check(*, clerk: User, ticket_id: int, person_id_number: str, principal_id_number: str = "") -> WindowCheck:
    """The clerk checks who stands at the window (their ID card read or typed) and for whom: the ticket's
    applicant, or the principal named by ID number or credit code. The applicant in person, the company's
    legal representative, or an agent within a mandate in force for the ticket's matter passes; anyone else
    is refused with the reason. The ticket then names the applicant and the person acting."""
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id)
    person = _verified_person(person_id_number)
    if person is None:
        raise DomainError(_("办理人尚未在本平台完成实名注册，请先协助其注册。"), code="agent_not_registered")
    if principal_id_number.strip():
        principal = _principal_at_window(principal_id_number=principal_id_number)
    elif ticket.citizen is not None:
        principal = ticket.citizen
    else:
        raise DomainError(_("请登记委托人（申请人）的身份证号码或统一社会信用代码。"), code="no_applicant")
    with transaction.atomic():
        if principal.pk == person.pk:
            ticket = ticket_applicant_set(
                clerk=clerk, ticket_id=ticket.id, citizen=principal, agent=None, note="申请人本人办理，已核验身份证件"
            )
            return WindowCheck(ticket=ticket, authority=None)
        # The ticket of an online case's originals visit acts on that case (a 委托书 for the case reaches it).
        visit = originals_check_for_ticket(ticket)
        authority = authority_check(
            agent=person,
            principal=principal,
            act=Act.APPLY,
            matter=None if visit else ticket.matter,
            case=visit.case if visit else None,
        )
        note = (
            f"法定代表人 {person.real_name} 办理，已核验身份证件"
            if authority.mandate is None
            else f"代办人 {person.real_name} 办理，已核验身份证件和委托书 {authority.mandate.number}"
        )
        ticket = ticket_applicant_set(clerk=clerk, ticket_id=ticket.id, citizen=principal, agent=person, note=note)
        mandate_act_record(
            mandate=authority.mandate,
            kind=EventKind.RECEIVED,
            actor=clerk,
            reference=ticket.label,
            note=f"{ticket.hall.name} {ticket.matter.name}",
        )
    return WindowCheck(ticket=ticket, authority=authority)


def document_kind_name(document: Document) -> str:
    """The kind in the site's first language: event notes are records, not the reader's interface."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(document.get_kind_display())


def agent_document(*, agent: User, principal: Principal, number: str, code: str) -> tuple[Document, bytes]:
    """A document of a case the agent may follow, as PDF. The certificate is the result: reading it is
    collecting (代领), and for an electronic delivery the first download is the handover, by the agent. The
    case's other documents (vouchers, notices, the 送达回执) go with either power."""
    case = case_get_for_agent(agent=agent, principal=principal, number=number)
    document = case.documents.filter(verification_code=code).first()
    if document is None:
        raise Http404
    if document.kind == DocumentKind.CERTIFICATE:
        authority = authority_check(agent=agent, principal=principal.account, act=Act.COLLECT, case=case)
    else:
        try:
            authority = authority_check(agent=agent, principal=principal.account, act=Act.APPLY, case=case)
        except DomainError:
            authority = authority_check(agent=agent, principal=principal.account, act=Act.COLLECT, case=case)
    pdf = document_pdf(document)
    with transaction.atomic():
        mandate_act_record(
            mandate=authority.mandate,
            kind=EventKind.DOWNLOADED,
            actor=agent,
            reference=case.number,
            note=document_kind_name(document),
        )
        if document.kind == DocumentKind.CERTIFICATE:
            for receiver in intake_hooks.document_downloaded.receivers():
                receiver(citizen=principal.account, document=document, by=agent)
    return document, pdf
