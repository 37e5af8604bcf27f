"""The review as the front sees it: what the front is told at each state (also what reconciliation
re-sends), and the messages from the front applied to the case (a supplement, a withdrawal, the delivery
chosen and done), each in the exchange handler's transaction with the case row locked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.shared.exchange import contract
from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
from apps.shared.workcalendar.selectors import calendar_get

from ..models import (
    REVIEW_TRANSITIONS,
    Certificate,
    Decision,
    DeliveryMethod,
    ReviewCase,
    ReviewEvent,
    ReviewStatus,
    SpecialProcedure,
)
from ..selectors import clock_of
from .clock import extension_lapse
from .moves import _clock_fields, _move, _tell_front
from .suspension import _owed, _suspended_payload, case_suspend_if_owed


# What the front is told at each state; also what reconciliation re-sends (the front applies each
# idempotently, so a repeat changes nothing).
def _correction_payload(case: ReviewCase) -> contract.CaseCorrectionRequested:
    return contract.CaseCorrectionRequested(
        number=case.front_number, items=list(case.correction_items), deadline=case.correction_deadline
    )


def _special_payload(case: ReviewCase) -> contract.CaseSpecialProcedure:
    return contract.CaseSpecialProcedure(
        number=case.front_number,
        kind=case.special_kind,
        kind_label=str(SpecialProcedure(case.special_kind).label) if case.special_kind else "",
        reason=case.special_reason,
        expected_days=case.special_expected_days,
    )


def _decided_payload(case: ReviewCase) -> contract.CaseDecided:
    return contract.CaseDecided(
        number=case.front_number,
        decision=Decision(case.decision),
        reason=case.decision_reason,
        remedies=settings.REMEDIES_TEXT if case.decision != Decision.APPROVED else "",
        decided_at=case.decided_at,
        approver_label=f"{case.department.name}审批人员",
    )


def _result_payload(certificate: Certificate) -> tuple[contract.CaseResultIssued, list[OutgoingFile]]:
    case = certificate.case
    payload = contract.CaseResultIssued(
        number=case.front_number,
        title=certificate.title,
        licence_number=certificate.licence_number,
        verification_code=certificate.verification_code,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        issuer=case.department.name,
        delivery_method=DeliveryMethod(case.delivery_method),
    )
    return payload, [
        OutgoingFile(
            name=certificate.title,
            path=str(certificate.file.name),
            sha256=certificate.sha256,
            content_type="application/pdf",
        )
    ]


def supplement_apply(case: ReviewCase, *, names: list[str]) -> None:
    """The applicant's corrected materials arrived: back to review, the clock resumes or restarts."""
    clock = clock_of(case).resume(timezone.localdate(), restart=case.matter.correction_restarts_clock)
    _move(
        case,
        to_status=ReviewStatus.IN_REVIEW,
        actor=None,
        note="收到补正材料：" + "、".join(names),
        **_clock_fields(clock),
    )
    case_suspend_if_owed(case)


def supplement_too_late(case: ReviewCase, *, names: list[str]) -> dict[str, Any]:
    """Corrected materials for a case that has already ended (closed for want of them, voided): not used;
    noted, and the front is told again how the case ended, so that its mirror follows central's."""
    ReviewEvent.objects.create(
        case=case,
        from_status=case.status,
        to_status=case.status,
        note="办件已终止后收到补正材料，未予采用：" + "、".join(names),
    )
    for payload in _state_payloads(case):
        _tell_front(case, payload)
    return {"number": case.front_number, "status": case.status}


def withdrawal_apply(case: ReviewCase, *, reason: str) -> dict[str, Any]:
    """The applicant withdraws (in the caller's transaction, the case row locked)."""
    if ReviewStatus.WITHDRAWN not in REVIEW_TRANSITIONS[case.status]:
        if case.status == ReviewStatus.DECIDED:
            _tell_front(
                case, contract.CaseWithdrawRefused(number=case.front_number, reason="审批总后台已作出决定，不能撤回。")
            )
        elif case.status != ReviewStatus.WITHDRAWN:
            # Ended otherwise (voided, closed without correction): the front is told how.
            for payload in _state_payloads(case):
                _tell_front(case, payload)
        return {"number": case.front_number, "status": case.status}
    extension_lapse(case, why="申请人撤回")
    clock = clock_of(case).pause(timezone.localdate(), calendar_get())
    _move(
        case,
        to_status=ReviewStatus.WITHDRAWN,
        actor=None,
        note=("申请人撤回：" + reason).rstrip("："),
        **_clock_fields(clock),
    )
    _tell_front(case, contract.CaseWithdrawn(number=case.front_number))
    return {"number": case.front_number, "status": case.status}


def _delivery_label(method: str, region: str = "") -> str:
    label = str(DeliveryMethod(method).label)
    return f"{label}（{region}）" if method == DeliveryMethod.POST and region else label


def delivery_choice_apply(case: ReviewCase, *, method: str, region: str = "") -> dict[str, Any]:
    """The applicant chose (or changed) how to receive the result, at the front (in the caller's
    transaction, the case row locked). Until the result is issued it decides what the certificate is sent
    for; after, it is only noted: the issued result is not touched, the front hands it over as chosen there.
    The same choice again changes nothing."""
    if method not in DeliveryMethod.values:
        raise ValueError(method)
    region = region.strip()[:40] if method == DeliveryMethod.POST else ""
    label = _delivery_label(method, region)
    if case.result_issued_at is not None:
        note = f"结果出具后收到领取方式变更：{label}，已出具的结果不变"
        if not case.events.filter(note=note).exists():
            ReviewEvent.objects.create(case=case, from_status=case.status, to_status=case.status, note=note)
        return {"number": case.front_number, "delivery_method": case.delivery_method, "applied": False}
    if (case.delivery_method, case.delivery_region) != (method, region) or not case.delivery_chosen:
        ReviewCase.objects.filter(id=case.id).update(
            delivery_method=method, delivery_region=region, delivery_chosen=True
        )
        case.delivery_method, case.delivery_region, case.delivery_chosen = method, region, True
        ReviewEvent.objects.create(
            case=case, from_status=case.status, to_status=case.status, note=f"申请人选择领取方式：{label}"
        )
    return {"number": case.front_number, "delivery_method": case.delivery_method, "applied": True}


def delivery_record(
    case: ReviewCase, *, method: str, delivered_at: dt.datetime, tracking_number: str = ""
) -> dict[str, Any]:
    """The result reached the applicant (case.delivered from the front; in the caller's transaction, the
    case row locked). Recorded once: a repeat changes nothing."""
    if method not in DeliveryMethod.values:
        raise ValueError(method)
    if case.delivered_at is None:
        tracking_number = tracking_number.strip()[:40] if method == DeliveryMethod.POST else ""
        ReviewCase.objects.filter(id=case.id).update(
            delivered_at=delivered_at, delivered_method=method, delivery_tracking_number=tracking_number
        )
        case.delivered_at, case.delivered_method, case.delivery_tracking_number = delivered_at, method, tracking_number
        how = str(DeliveryMethod(method).label) + (f"，运单号{tracking_number}" if tracking_number else "")
        ReviewEvent.objects.create(
            case=case, from_status=case.status, to_status=case.status, at=delivered_at, note=f"结果已送达申请人：{how}"
        )
    return {"number": case.front_number, "delivered_at": case.delivered_at.isoformat()}


def _state_payloads(case: ReviewCase) -> list[contract.WirePayload]:
    """What tells the front the case's current state (the certificate, with its file, apart)."""
    if case.status == ReviewStatus.IN_REVIEW:
        return [contract.CaseReviewStarted(number=case.front_number)]
    if case.status == ReviewStatus.CORRECTION:
        return [_correction_payload(case)]
    if case.status == ReviewStatus.SPECIAL_PROCEDURE:
        return [_special_payload(case)]
    if case.status == ReviewStatus.DECIDED:
        return [_decided_payload(case)]
    if case.status == ReviewStatus.WITHDRAWN:
        return [contract.CaseWithdrawn(number=case.front_number)]
    if case.status == ReviewStatus.TRANSFERRED:
        return [
            contract.CaseTransferred(
                number=case.front_number, department=case.department.name, reason=case.transfer_reason or "转办"
            )
        ]
    if case.status == ReviewStatus.VOIDED:
        return [contract.CaseVoided(number=case.front_number, reason=case.void_reason or "作废")]
    if case.status == ReviewStatus.SUSPENDED:
        return [_suspended_payload(case, _owed(case))]
    if case.status == ReviewStatus.CLOSED_NO_CORRECTION:
        # Closed at the end of a suspension (its dates are kept then) or of a correction period.
        deadline = case.suspension_deadline if case.suspended_on else case.correction_deadline
        return [contract.CaseClosedNoCorrection(number=case.front_number, deadline=deadline)]
    return []


@transaction.atomic
def cases_resync(*, platform, numbers: list[str]) -> dict[str, list[str]]:
    """Reconciliation: re-send the current state of cases a front platform has heard nothing about for
    a while. Returns which numbers were re-sent and which central does not know."""
    cases = {
        c.front_number: c
        for c in ReviewCase.objects.filter(platform=platform, front_number__in=numbers).select_related(
            "department", "matter"
        )
    }
    for case in cases.values():
        for payload in _state_payloads(case):
            _tell_front(case, payload)
        if case.status == ReviewStatus.DECIDED:
            certificate = Certificate.objects.filter(case=case).first()
            if certificate is not None:
                payload, files = _result_payload(certificate)
                outbox_enqueue(peer=platform, payload=payload, files=files)
    return {"resent": sorted(cases), "unknown": sorted(set(numbers) - set(cases))}
