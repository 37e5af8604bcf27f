"""Events from central applied to the front's case mirror, exactly once (the exchange inbox dedupes)."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime

from apps.exchange import registry
from apps.exchange.models import Peer
from apps.feedback.services import notify

from .models import CASE_TRANSITIONS, Case, CaseStatus
from .services import case_transition


def _case(number: str) -> Case:
    case = Case.objects.select_for_update().select_related("citizen").filter(number=number).first()
    if case is None:
        raise registry.Rejected(f"前台无此办件 {number}。 Unknown case.")
    return case


@registry.handles("case.review_started")
def review_started(peer: Peer, message_id: str, payload: dict[str, Any], files) -> dict[str, Any]:
    case = _case(payload["number"])
    # A late or repeated event for a case that has moved on is acknowledged and changes nothing.
    if CaseStatus.IN_REVIEW in CASE_TRANSITIONS[case.status]:
        case_transition(case=case, to_status=CaseStatus.IN_REVIEW, actor=None, actor_label="审批总后台")
    return {"number": case.number, "status": case.status}


@registry.handles("case.decided")
def decided(peer: Peer, message_id: str, payload: dict[str, Any], files) -> dict[str, Any]:
    case = _case(payload["number"])
    if case.status == CaseStatus.DECIDED:
        return {"number": case.number, "status": case.status}
    if CaseStatus.DECIDED not in CASE_TRANSITIONS[case.status]:
        raise registry.Rejected(f"办件当前状态为{case.get_status_display()}，不能记录决定。")
    case_transition(
        case=case,
        to_status=CaseStatus.DECIDED,
        actor=None,
        actor_label=payload.get("approver_label", "审批总后台"),
        note=payload.get("reason", ""),
        decision=payload["decision"],
        decision_reason=payload.get("reason", ""),
        decided_at=parse_datetime(payload["decided_at"]),
    )
    notify(recipient=case.citizen, event="case.decided", case=case)
    return {"number": case.number, "status": case.status}
