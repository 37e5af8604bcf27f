"""How a review case changes, whatever the action: who may act on it, the locked read, the lifecycle's
guarded move with its event row, a note on the timeline, and a message to the front in the same
transaction."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from apps.shared.exchange import contract
from apps.shared.exchange.services import outbox_enqueue
from govservice.lib import lifecycle
from govservice.lib.clocks import Clock
from govservice.lib.errors import Conflict, DomainError

from ..models import ReviewCase, ReviewEvent
from ..selectors import case_get_for_approver

# Who reviews: approvers, and a central supervisor on a case they took over.
REVIEWERS = frozenset({Role.APPROVER, Role.CENTRAL_SUPERVISOR})


def _approver_only(user: User) -> None:
    if user.role != Role.APPROVER:
        raise DomainError(_("只有审批人员可以办理。"), code="forbidden")


def _supervisor_only(user: User) -> None:
    """The head of the office (行政机关负责人): assigns, takes over, approves extensions, transfers, voids."""
    if user.role != Role.CENTRAL_SUPERVISOR:
        raise DomainError(_("只有后台主管可以办理。"), code="forbidden")


def _reason(text: str, message: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(message, code="reason_required")
    return text


def _locked(*, user: User, case_id: int) -> ReviewCase:
    case = case_get_for_approver(user=user, case_id=case_id)  # 404 for another department
    return (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("platform", "matter", "department")
        .get(id=case.id)
    )


def _clock_fields(clock: Clock) -> dict[str, Any]:
    return {"clock_used": clock.used, "clock_running_since": clock.running_since}


def _move(case: ReviewCase, *, to_status: str, actor: User | None, note: str = "", **fields: Any) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with an event row."""
    lifecycle.move(
        case,
        to_status,
        fields=fields,
        event={"actor": actor, "note": note},
        refused=_("办件当前状态为“%(status)s”，不能执行此操作。") % {"status": case.get_status_display()},
        stale=_("办件已被他人处理，请刷新。"),
    )


def _note(case: ReviewCase, *, actor: User, note: str) -> None:
    ReviewEvent.objects.create(case=case, actor=actor, from_status=case.status, to_status=case.status, note=note)


def _tell_front(case: ReviewCase, payload: contract.WirePayload, actor: User | None = None) -> None:
    outbox_enqueue(peer=case.platform, payload=payload, actor=actor.audit_label if actor else "")


def _mine(case: ReviewCase, user: User) -> None:
    """Only whoever holds the case works on it: claimed by them, assigned to them, or taken over."""
    if user.role not in REVIEWERS:
        raise DomainError(_("只有审批人员可以办理。"), code="forbidden")
    if case.assignee_id is None:
        raise Conflict(_("请先认领该办件再办理。"), code="not_claimed")
    if case.assignee_id != user.id:
        raise Conflict(_("该办件已由他人认领。"), code="not_assignee")
