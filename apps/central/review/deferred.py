"""容缺受理 at central (DOMAIN.md §4, issue 13): the case was accepted at the front on the applicant's written
commitment to bring minor items by a deadline. Central records the commitment, receives the items as they
come, and when the front reports the deadline passed with items owed, suspends the review (the clock stops,
nothing is decided) until they arrive or the suspension's period passes; the last item resumes it and the front
is told the new promised date.

The messages' handlers, wired by the exchange registry, and one template include; the suspension itself and its
ends are services (services/suspension.py), since a case coming back to review is suspended there too."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.shared.exchange import contract, registry
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import Peer
from apps.shared.exchange.services import outbox_enqueue

from .handlers import _store
from .models import DeferredCommitment, ReviewCase, ReviewEvent, ReviewStatus
from .services.suspension import case_resume_supplied, case_suspend, case_suspension_lifted


def _locked(peer: Peer, number: str) -> ReviewCase:
    case = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("matter")
        .filter(platform=peer, front_number=number)
        .first()
    )
    if case is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {number}。")
    return case


def _note(case: ReviewCase, note: str) -> None:
    ReviewEvent.objects.create(case=case, from_status=case.status, to_status=case.status, note=note)


@registry.handles(MessageKind.CASE_COMMITMENT_MADE)
def commitment_made(
    peer: Peer, message_id: str, payload: contract.CaseCommitmentMade, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    case = _locked(peer, payload.number)
    commitment, created = DeferredCommitment.objects.get_or_create(
        case=case,
        defaults={"items": list(payload.items), "outstanding": list(payload.items), "deadline": payload.deadline},
    )
    if created:
        _note(case, f"容缺受理：申请人承诺于{payload.deadline.isoformat()}前补交" + "、".join(payload.items))
    return {"number": case.front_number, "outstanding": commitment.outstanding}


@registry.handles(MessageKind.CASE_DEFERRED_SUPPLIED)
def deferred_supplied(
    peer: Peer, message_id: str, payload: contract.CaseDeferredSupplied, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """Deferred items arrived (with their files). The last one meets the commitment and, if the review was
    suspended for it, resumes the review: the clock runs again and the front learns the new promised date."""
    case = _locked(peer, payload.number)
    commitment = DeferredCommitment.objects.select_for_update().filter(case=case).first()
    if commitment is None:
        raise registry.NotReady(f"审批总后台尚未收到办件 {payload.number} 的容缺承诺。")
    _store(case, files)
    now = timezone.now()
    commitment.supplied = list(dict.fromkeys([*commitment.supplied, *payload.items]))
    commitment.outstanding = list(payload.outstanding)
    if not payload.outstanding and commitment.fulfilled_at is None:
        commitment.fulfilled_at = now
    commitment.save(update_fields=["supplied", "outstanding", "fulfilled_at"])
    note = (
        "收到容缺材料："
        + "、".join(payload.items)
        + ("（已补齐）" if not payload.outstanding else "，尚欠" + "、".join(payload.outstanding))
    )
    if not payload.outstanding and case.status == ReviewStatus.SUSPENDED:
        promised = case_resume_supplied(case, note=note + "，恢复审查")
        outbox_enqueue(peer=peer, payload=contract.CaseReviewResumed(number=case.front_number, promised_date=promised))
    elif not payload.outstanding and case.status == ReviewStatus.TRANSFERRED and case.suspended_on is not None:
        # Suspended, then transferred: the suspension ends now; the new department takes the case up in review.
        case_suspension_lifted(case)
        _note(case, note + "，中止结束，审批时限恢复计算")
    else:
        _note(case, note)
    return {"number": case.front_number, "status": case.status, "outstanding": commitment.outstanding}


@registry.handles(MessageKind.CASE_COMMITMENT_BROKEN)
def commitment_broken(
    peer: Peer, message_id: str, payload: contract.CaseCommitmentBroken, files: list[registry.IncomingFile]
) -> dict[str, Any]:
    """The deadline passed with items owed: a case under review is suspended (its clock stops and it cannot
    be decided) until they come or the suspension's period passes (services/suspension.py). One in a
    correction, a special procedure or a transfer has its clock stopped or is on its way; the breach is
    recorded and shown on it, and it is suspended when it comes back to review."""
    case = _locked(peer, payload.number)
    commitment, _created = DeferredCommitment.objects.select_for_update().get_or_create(
        case=case, defaults={"items": list(payload.outstanding), "deadline": payload.deadline}
    )
    if commitment.fulfilled_at is not None or commitment.broken_at is not None:
        # Met meanwhile, or the breach is known (a re-send under a new id): nothing changes.
        return {"number": case.front_number, "status": case.status}
    commitment.outstanding = list(payload.outstanding)
    commitment.broken_at = timezone.now()
    commitment.credit_recorded = payload.credit_recorded
    commitment.save(update_fields=["outstanding", "broken_at", "credit_recorded"])
    note = f"容缺材料逾期（{payload.deadline.isoformat()}）未补交：" + "、".join(payload.outstanding)
    if payload.credit_recorded:
        note += "；已记入申请人信用记录"
    if case.status == ReviewStatus.IN_REVIEW:
        case_suspend(case, note=note + "；中止审查至材料补齐")
    else:
        _note(case, note + "；回到审查时中止审查")
    return {"number": case.front_number, "status": case.status}
