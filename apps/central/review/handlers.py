"""Messages from client platforms: a case package arrives at central exactly once."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.shared.accounts.models import ApplicantKind
from apps.shared.catalog.models import Matter
from apps.shared.exchange import contract, registry
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import Peer
from apps.shared.exchange.services import outbox_enqueue
from govservice.lib.filetypes import EXTENSIONS, UNKNOWN_TYPE, sniff

from .bundles import bundle_fields
from .models import DeliveryMethod, ReviewCase, ReviewEvent, ReviewMaterial, ReviewStatus
from .services import (
    cases_resync,
    delivery_choice_apply,
    delivery_record,
    supplement_apply,
    supplement_too_late,
    withdrawal_apply,
)


def applicant_fields(payload: contract.CaseSubmitted) -> dict[str, str]:
    """Who applied and who acted for them (issue 15): a company when the applicant says so (absent: a person),
    the agent when there was one (absent: the applicant alone)."""
    kind = ApplicantKind.COMPANY if payload.applicant.kind == "company" else ApplicantKind.PERSON
    fields: dict[str, str] = {"applicant_kind": str(kind)}
    if payload.agent is not None:
        fields |= {
            "agent_name": payload.agent.name,
            "agent_id_masked": payload.agent.id_masked,
            "agent_mandate": payload.agent.mandate,
        }
    return fields


@registry.handles(MessageKind.CASE_SUBMITTED)
def case_submitted(
    peer: Peer, message_id: str, payload: contract.CaseSubmitted, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    existing = ReviewCase.objects.filter(platform=peer, front_number=payload.number).first()
    if existing is not None:
        # Same case under a new message id (an operator's re-send): still one case.
        return {"central_id": existing.id, "number": existing.front_number}
    matter = (
        Matter.objects.filter(code=payload.matter_code, version=payload.matter_version)
        .select_related("department")
        .first()
    )
    if matter is None:
        raise registry.Rejected(f"审批总后台无此事项版本 {payload.matter_code} v{payload.matter_version}。")
    accepted_at = payload.accepted_at
    method = payload.delivery_method or DeliveryMethod.ELECTRONIC
    case = ReviewCase.objects.create(
        platform=peer,
        front_number=payload.number,
        matter=matter,
        department=matter.department,
        hall_name=payload.hall,
        applicant_name=payload.applicant.name,
        applicant_id_number=payload.applicant.id_number,
        accepted_at=accepted_at,
        promised_date=payload.promised_date,
        promised_limit=matter.promised_days,
        legal_limit=matter.legal_days,
        # The clock started the day the hall accepted the case, not when it reached us.
        clock_running_since=timezone.localtime(accepted_at).date(),
        # The choice the applicant made before acceptance travels with the case; later changes come as
        # case.delivery_chosen, in order after it. An unreadable method does not cost the applicant their
        # case: it is taken as the e-licence, and noted.
        delivery_method=method if method in DeliveryMethod.values else DeliveryMethod.ELECTRONIC,
        delivery_region=payload.delivery_region[:40] if method == DeliveryMethod.POST else "",
        **bundle_fields(payload.bundle),
        **applicant_fields(payload),
        delivery_chosen=method in DeliveryMethod.values and bool(payload.delivery_method),
    )
    _store(case, files)
    ReviewEvent.objects.create(case=case, to_status=ReviewStatus.IN_REVIEW, note=f"收到 {peer.name} 报送")
    if method not in DeliveryMethod.values:
        ReviewEvent.objects.create(
            case=case,
            from_status=case.status,
            to_status=case.status,
            note=f"领取方式“{method[:32]}”无法识别，按电子证照下载",
        )
    outbox_enqueue(peer=peer, payload=contract.CaseReviewStarted(number=case.front_number))
    return {"central_id": case.id, "number": case.front_number}


def _store(case: ReviewCase, files: list[registry.IncomingFile]) -> None:
    for f in files:
        # What the file is comes from its own bytes, not from the sender's word: a platform (or whoever holds
        # its key) could call HTML a PDF, and central's viewer shows materials inline to approvers.
        content_type = sniff(f.content[:16]) or UNKNOWN_TYPE
        material = ReviewMaterial(
            case=case, name=f.name, content_type=content_type, size=len(f.content), sha256=f.sha256
        )
        material.file.save(
            f"{case.front_number}-{f.sha256[:12]}{EXTENSIONS.get(content_type, '')}", ContentFile(f.content), save=False
        )
        material.save()


@registry.handles(MessageKind.CASE_SUPPLEMENT)
def case_supplement(
    peer: Peer, message_id: str, payload: contract.CaseSupplement, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """The applicant's corrected materials (补正), uploaded at the front."""
    case = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("matter", "platform", "department")
        .filter(platform=peer, front_number=payload.number)
        .first()
    )
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {payload.number}。")
    if case.status in (ReviewStatus.CLOSED_NO_CORRECTION, ReviewStatus.VOIDED):
        # Crossed the case's end on the wire: acknowledged, not used, and the front told the end again.
        return supplement_too_late(case, names=[f.name for f in files])
    if case.status != ReviewStatus.CORRECTION:
        raise registry.Rejected(f"办件 {case.front_number} 不在待补正状态。")
    _store(case, files)
    supplement_apply(case, names=[f.name for f in files])
    return {"number": case.front_number, "status": case.status}


@registry.handles(MessageKind.CASE_RESYNC)
def case_resync(
    peer: Peer, message_id: str, payload: contract.CaseResync, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    return cases_resync(platform=peer, numbers=payload.numbers[:500])


@registry.handles(MessageKind.CASE_WITHDRAW_REQUESTED)
def case_withdraw_requested(
    peer: Peer, message_id: str, payload: contract.CaseWithdrawRequested, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """Withdrawn if nothing has been decided yet; otherwise the front is told why not."""
    case = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("department", "platform", "matter")
        .filter(platform=peer, front_number=payload.number)
        .first()
    )
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {payload.number}。")
    return withdrawal_apply(case, reason=payload.reason)


def _locked_case(peer: Peer, number: str) -> ReviewCase:
    case = ReviewCase.objects.select_for_update().filter(platform=peer, front_number=number).first()
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {number}。")
    return case


@registry.handles(MessageKind.CASE_DELIVERY_CHOSEN)
def case_delivery_chosen(
    peer: Peer, message_id: str, payload: contract.CaseDeliveryChosen, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """The applicant chose or changed how to receive the result at the front. For post only the city and
    district travel (the front keeps the address)."""
    case = _locked_case(peer, payload.number)
    return delivery_choice_apply(case, method=payload.method, region=payload.region)


@registry.handles(MessageKind.CASE_DELIVERED)
def case_delivered(
    peer: Peer, message_id: str, payload: contract.CaseDelivered, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """The result has reached the applicant: picked up at the window, delivered by the courier, or the
    e-licence downloaded."""
    case = _locked_case(peer, payload.number)
    return delivery_record(
        case, method=payload.method, delivered_at=payload.delivered_at, tracking_number=payload.tracking_number or ""
    )


@registry.handles(MessageKind.CASE_ORIGINALS_POSTED)
def case_originals_posted(
    peer: Peer, message_id: str, payload: contract.CaseOriginalsPosted, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """异地代收代办: the hall that received the case for us posted its originals (材料寄递); the approver sees the
    waybill on the case's history and follows the parcel with it."""
    case = _locked_case(peer, payload.number)
    ReviewEvent.objects.create(
        case=case,
        from_status=case.status,
        to_status=case.status,
        note=f"收件地已寄出原件：{'、'.join(payload.items)}（{payload.courier}，运单号 {payload.tracking_number}）",
    )
    return {"number": case.front_number, "tracking_number": payload.tracking_number}
