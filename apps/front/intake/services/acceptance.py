"""What an acceptance puts in place, whoever accepts (a window, or the law when the hall let the intake limit
pass): the commitment's rules (容缺受理) and the hand-over to central on the wire."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.shared.exchange import contract
from apps.shared.exchange.peers import central_for
from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
from govservice.api import DomainError

from .. import hooks
from ..models import Case
from ..selectors import credit_barred


def commitment_check(case: Case, items: list[str], *, signed: bool) -> list[str]:
    """容缺受理: always the applicant's choice (signed), never with a bad credit record, and only for the
    materials the matter marks as deferrable: the key ones (identity, application form and every other
    material not marked) must all be there. Returns the items still owed (one brought anyway is not)."""
    if case.citizen.credit_restricted or credit_barred(citizen=case.citizen):
        raise DomainError(_("申请人存在失信记录，不适用容缺受理。"), code="commitment_refused")
    if not signed:
        raise DomainError(_("容缺受理须申请人签署承诺书。"), code="commitment_unsigned")
    materials = {m.name: m for m in case.matter.materials.all()}
    unknown = [item for item in items if item not in materials or not materials[item].required]
    if unknown:
        raise DomainError(
            _("容缺事项应为本事项的申请材料：%(items)s") % {"items": "、".join(unknown)}, code="commitment_invalid"
        )
    key = [item for item in items if not materials[item].deferrable]
    if key:
        raise DomainError(
            _("以下材料为主要材料，不能容缺：%(items)s。") % {"items": "、".join(key)}, code="commitment_invalid"
        )
    provided = set(case.materials.values_list("name", flat=True))
    return [item for item in dict.fromkeys(items) if item not in provided]


def hand_over(case: Case, *, actor: str) -> None:
    """Put an accepted case on the wire to the central that decides its matter (the routing table,
    exchange.peers) with its materials, in the caller's transaction; with its commitment (容缺) after it,
    whose deadline central shows and whose follow-up it receives. The case keeps that central."""
    matter, citizen = case.matter, case.citizen
    assert case.accepted_at is not None
    central = case.central if case.central is not None else central_for(matter.code)
    if case.central_id is None:
        Case.objects.filter(id=case.id).update(central=central)
        case.central = central
    # The result delivery chosen so far (pickup, post with the city and district only, electronic), told
    # by the delivery app, which owns that choice.
    chosen: dict[str, Any] = {}
    for fields in hooks.submission_fields.receivers():
        chosen |= fields(case=case)
    outbox_enqueue(
        peer=central,
        payload=contract.CaseSubmitted(
            number=case.number,
            matter_code=matter.code,
            matter_version=matter.version,
            hall=case.hall.name,
            # A company's case says so (absent for a person: older messages unchanged); who acted for the
            # applicant comes from mandates through submission_fields (``agent``).
            applicant=contract.Applicant(
                name=citizen.real_name, id_number=citizen.id_number, kind="company" if citizen.is_company else None
            ),
            accepted_at=case.accepted_at,
            promised_date=case.promised_date,
            commitment_items=list(case.commitment_items),
            **chosen,
        ),
        actor=actor,
        files=[
            OutgoingFile(name=m.name, path=str(m.file.name), sha256=m.sha256, content_type=m.content_type)
            for m in case.materials.all()
        ],
    )
    for receiver in hooks.handed_over.receivers():
        receiver(case=case, central=central)
    if case.commitment_items and case.commitment_deadline is not None:
        outbox_enqueue(
            peer=central,
            payload=contract.CaseCommitmentMade(
                number=case.number, items=list(case.commitment_items), deadline=case.commitment_deadline
            ),
            actor=actor,
        )
