"""Messages from client platforms: a case package arrives at central exactly once."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.shared.catalog.models import Matter
from apps.shared.exchange import registry
from apps.shared.exchange.models import Peer
from apps.shared.exchange.services import outbox_enqueue
from govservice.lib.filetypes import EXTENSIONS, UNKNOWN_TYPE, sniff

from .models import DeliveryMethod, ReviewCase, ReviewEvent, ReviewMaterial, ReviewStatus
from .services import cases_resync, delivery_choice_apply, delivery_record, supplement_apply, withdrawal_apply


@registry.handles("case.submitted")
def case_submitted(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    existing = ReviewCase.objects.filter(platform=peer, front_number=payload["number"]).first()
    if existing is not None:
        # Same case under a new message id (an operator's re-send): still one case.
        return {"central_id": existing.id, "number": existing.front_number}
    matter = Matter.objects.filter(code=payload["matter_code"], version=payload["matter_version"]).select_related("department").first()
    if matter is None:
        raise registry.Rejected(f"审批总后台无此事项版本 {payload['matter_code']} v{payload['matter_version']}。")
    applicant = payload["applicant"]
    accepted_at = parse_datetime(payload["accepted_at"])
    if accepted_at is None:
        raise registry.Rejected("受理时间格式错误。 Malformed accepted_at.")
    method = str(payload.get("delivery_method") or DeliveryMethod.ELECTRONIC)
    case = ReviewCase.objects.create(
        platform=peer,
        front_number=payload["number"],
        matter=matter,
        department=matter.department,
        hall_name=payload.get("hall", ""),
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        accepted_at=accepted_at,
        promised_date=parse_date(payload["promised_date"]) if payload.get("promised_date") else None,
        promised_limit=matter.promised_days,
        legal_limit=matter.legal_days,
        # The clock started the day the hall accepted the case, not when it reached us.
        clock_running_since=timezone.localtime(accepted_at).date(),
        # The choice the applicant made before acceptance travels with the case; later changes come as
        # case.delivery_chosen, in order after it. An unreadable method does not cost the applicant their
        # case: it is taken as the e-licence, and noted.
        delivery_method=method if method in DeliveryMethod.values else DeliveryMethod.ELECTRONIC,
        delivery_region=str(payload.get("delivery_region", ""))[:40] if method == DeliveryMethod.POST else "",
    )
    _store(case, files)
    ReviewEvent.objects.create(case=case, to_status=ReviewStatus.IN_REVIEW, note=f"收到 {peer.name} 报送")
    if method not in DeliveryMethod.values:
        ReviewEvent.objects.create(
            case=case, from_status=case.status, to_status=case.status, note=f"领取方式“{method[:32]}”无法识别，按电子证照下载"
        )
    outbox_enqueue(peer=peer, kind="case.review_started", payload={"number": case.front_number})
    return {"central_id": case.id, "number": case.front_number}


def _store(case: ReviewCase, files: list[registry.IncomingFile]) -> None:
    for f in files:
        # What the file is comes from its own bytes, not from the sender's word: a platform (or whoever holds
        # its key) could call HTML a PDF, and central's viewer shows materials inline to approvers.
        content_type = sniff(f.content[:16]) or UNKNOWN_TYPE
        material = ReviewMaterial(case=case, name=f.name, content_type=content_type, size=len(f.content), sha256=f.sha256)
        material.file.save(f"{case.front_number}-{f.sha256[:12]}{EXTENSIONS.get(content_type, '')}", ContentFile(f.content), save=False)
        material.save()


@registry.handles("case.supplement")
def case_supplement(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    """The applicant's corrected materials (补正), uploaded at the front."""
    case = ReviewCase.objects.select_for_update(of=("self",)).select_related("matter").filter(platform=peer, front_number=payload["number"]).first()
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {payload['number']}。")
    if case.status != ReviewStatus.CORRECTION:
        raise registry.Rejected(f"办件 {case.front_number} 不在待补正状态。")
    _store(case, files)
    supplement_apply(case, names=[f.name for f in files])
    return {"number": case.front_number, "status": case.status}


@registry.handles("case.resync")
def case_resync(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    return cases_resync(platform=peer, numbers=[str(n) for n in payload["numbers"]][:500])


@registry.handles("case.withdraw_requested")
def case_withdraw_requested(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    """Withdrawn if nothing has been decided yet; otherwise the front is told why not."""
    case = ReviewCase.objects.select_for_update(of=("self",)).select_related("department").filter(platform=peer, front_number=payload["number"]).first()
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {payload['number']}。")
    return withdrawal_apply(case, reason=payload.get("reason", ""))


def _method(value: Any) -> str:
    if value not in DeliveryMethod.values:
        raise registry.Rejected(f"未知的领取方式 {value}。 Unknown delivery method.")
    return str(value)


def _locked_case(peer: Peer, number: str) -> ReviewCase:
    case = ReviewCase.objects.select_for_update().filter(platform=peer, front_number=number).first()
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {number}。")
    return case


@registry.handles("case.delivery_chosen")
def case_delivery_chosen(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    """The applicant chose or changed how to receive the result at the front. For post only the city and
    district travel (the front keeps the address)."""
    method = _method(payload.get("method"))
    case = _locked_case(peer, payload["number"])
    return delivery_choice_apply(case, method=method, region=str(payload.get("region", "")))


@registry.handles("case.delivered")
def case_delivered(peer: Peer, message_id: str, payload: dict[str, Any], files: list[registry.IncomingFile]) -> dict[str, Any]:
    """The result has reached the applicant: picked up at the window, delivered by the courier, or the
    e-licence downloaded."""
    method = _method(payload.get("method"))
    delivered_at = parse_datetime(str(payload.get("delivered_at", "")))
    if delivered_at is None:
        raise registry.Rejected("送达时间格式错误。 Malformed delivered_at.")
    case = _locked_case(peer, payload["number"])
    return delivery_record(case, method=method, delivered_at=delivered_at, tracking_number=str(payload.get("tracking_number", "")))
