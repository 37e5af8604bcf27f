"""Decisions at the central back office (DOMAIN.md §5)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.exchange.services import outbox_enqueue
from govservice.api import Conflict, DomainError

from .models import REVIEW_TRANSITIONS, Decision, ReviewCase, ReviewEvent, ReviewStatus
from .selectors import case_get_for_approver


@transaction.atomic
def case_decide(*, approver: User, case_id: int, decision: str, reason: str) -> ReviewCase:
    """Decide a case; the decision leaves for the front through the outbox in the same transaction."""
    if approver.role != Role.APPROVER:
        raise DomainError("只有审批人员可以作出决定。 Only approvers decide.", code="forbidden", status_code=403)
    if decision not in Decision.values:
        raise DomainError("审批结论无效。 Unknown decision.", code="invalid")
    reason = reason.strip()
    if decision != Decision.APPROVED and not reason:
        # A denial must say why, and carry the remedies (行政许可法 Art. 38).
        raise DomainError("不予许可或部分准予须说明理由。 A denial needs reasons.", code="reason_required")
    case = case_get_for_approver(user=approver, case_id=case_id)
    from_status = case.status
    if ReviewStatus.DECIDED not in REVIEW_TRANSITIONS[from_status]:
        raise Conflict(f"办件当前状态为“{case.get_status_display()}”，不能作出决定。 Invalid transition.", code="invalid_state")
    now = timezone.now()
    changed = ReviewCase.objects.filter(id=case.id, status=from_status).update(
        status=ReviewStatus.DECIDED, decision=decision, decision_reason=reason, decided_at=now, decided_by=approver
    )
    if not changed:
        raise Conflict("办件已被他人处理，请刷新。 Changed by someone else.", code="stale")
    case.refresh_from_db()
    ReviewEvent.objects.create(case=case, actor=approver, from_status=from_status, to_status=ReviewStatus.DECIDED, note=reason)
    outbox_enqueue(
        peer=case.platform,
        kind="case.decided",
        payload={
            "number": case.front_number,
            "decision": decision,
            "reason": reason,
            "decided_at": now.isoformat(),
            "approver_label": f"{case.department.name}审批人员",
        },
    )
    return case
