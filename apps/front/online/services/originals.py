"""The one visit of an online application to have its originals seen (最多跑一次; intake's services/originals.py),
booked or cancelled by the applicant or by someone acting for them (issue 15): a company's legal representative or
经办人, a person's 代办人.

The case is found for the applicant, for the person the case names as its agent (who filed it or was received for
it), or for someone who may follow it now as the applicant's agent (mandates' ``cases_for_agent``: a company's
representative, a 经办人 or 代办人 whose mandate covers the case); anyone else gets 404. Each act then
passes the mandates' one rule on that case when it is done (``acting_check``, as every write on an application
filed for someone else: a revocation counts at once, an act outside the scope is refused with the reason), and is
recorded with both people: the appointment's ``agent`` (so the kiosk finds it by the agent's ID card and the window
receives the agent for the applicant), the case's event, and the mandate's event the principal reads.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404

from apps.front.booking.models import Slot
from apps.front.booking.selectors import slots_open_for
from apps.front.intake.models import Case, OriginalsCheck
from apps.front.intake.services import original_visit_book, original_visit_cancel
from apps.front.mandates.models import EventKind, MandateEvent
from apps.front.mandates.selectors import Authority, cases_for_agent, principals_for_agent
from apps.front.mandates.services import mandate_act_record
from apps.shared.accounts.models import User

from .acting import acting_check

# The slots offered for the visit (page and API): the first ones open at the case's hall.
SLOTS_SHOWN = 40


def visit_case_for(*, user: User, number: str) -> Case:
    """The case whose visit ``user`` may see and book (see the module docstring); 404 for anyone else's."""
    scope = Q(citizen=user) | Q(agent=user)
    for principal in principals_for_agent(agent=user):
        scope |= Q(pk__in=cases_for_agent(agent=user, principal=principal).values("pk"))
    return get_object_or_404(
        Case.objects.select_related("matter", "hall", "citizen", "agent").filter(scope), number=str(number)[:32]
    )


def visit_slots(case: Case) -> list[Slot]:
    """The first slots open for the case's matter at the hall that accepted it (the visit is booked there)."""
    return list(slots_open_for(hall_id=case.hall_id, matter_code=case.matter.code)[:SLOTS_SHOWN])


def visit_authority(*, user: User, case: Case) -> Authority | None:
    """None for the applicant; else the authority of ``user`` on the case now, or the refusal saying why not."""
    return acting_check(applicant=case.citizen, actor=user, case=case)


def originals_visit_book(*, actor: User, number: str, slot_id: int, idempotency_key: str = "") -> OriginalsCheck:
    """Book the case's one visit, for its applicant: by them, or by ``actor`` within their authority now."""
    case = visit_case_for(user=actor, number=number)
    authority = visit_authority(user=actor, case=case)
    with transaction.atomic():
        check = original_visit_book(
            citizen=case.citizen,
            number=case.number,
            slot_id=slot_id,
            idempotency_key=idempotency_key,
            agent=actor if authority is not None else None,
        )
        assert check.appointment is not None
        if (
            authority is not None
            and authority.mandate is not None
            and not MandateEvent.objects.filter(
                mandate=authority.mandate, kind=EventKind.BOOKED, reference=check.appointment.code
            ).exists()
        ):  # a retry with the same Idempotency-Key got the first booking back: recorded once
            mandate_act_record(
                mandate=authority.mandate,
                kind=EventKind.BOOKED,
                actor=actor,
                reference=check.appointment.code,
                note=f"核验原件：{case.number}，{case.hall.name}",
            )
    return check


def originals_visit_cancel(*, actor: User, number: str) -> OriginalsCheck:
    """Cancel the case's visit still ahead, for its applicant: by them, or by ``actor`` within their authority."""
    case = visit_case_for(user=actor, number=number)
    authority = visit_authority(user=actor, case=case)
    with transaction.atomic():
        check = original_visit_cancel(
            citizen=case.citizen, number=case.number, agent=actor if authority is not None else None
        )
        assert check.appointment is not None
        if authority is not None:
            mandate_act_record(
                mandate=authority.mandate,
                kind=EventKind.CANCELLED,
                actor=actor,
                reference=check.appointment.code,
                note=f"核验原件：{case.number}",
            )
    return check
