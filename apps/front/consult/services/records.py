"""What every ticket service shares: the event row, the transition check, input checks, message fields."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Department
from govservice.api import DomainError
from govservice.lib import lifecycle

from ..models import ConsultTicket, TicketEvent
from ..selectors import NOT_FOUND, staff_post_hall_id

TITLE_MAX = 100
BODY_MAX = 2000


def not_found() -> DomainError:
    return DomainError(NOT_FOUND, code="not_found")


def event_record(
    ticket: ConsultTicket,
    action: str,
    *,
    actor: User | None,
    from_status: str = "",
    note: str = "",
    department: Department | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        department=department,
    )


def transition_check(ticket: ConsultTicket, target: str) -> None:
    """Refuse early, before the input is read, what the lifecycle would refuse at the move."""
    if not lifecycle.allows(ticket, target):
        raise lifecycle.TransitionRefused(
            _("工单当前状态为“%(status)s”，不能执行此操作。") % {"status": ticket.get_status_display()}
        )


def ticket_move(
    ticket: ConsultTicket,
    to_status: str,
    action: str,
    *,
    actor: User | None,
    note: str = "",
    where: dict[str, Any] | None = None,
    **fields: Any,
) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle) of a ticket, with its event row."""
    lifecycle.move(
        ticket,
        to_status,
        fields=fields,
        where=where,
        event={"action": action, "actor": actor, "note": note, "department": fields.get("department")},
        refused=_("工单当前状态为“%(status)s”，不能执行此操作。") % {"status": ticket.get_status_display()},
    )


# The ``field`` of every text_required() call: its codes "<field>_required" and "<field>_too_long" are in
# govservice.api.STATUS_BY_CODE (400; tests/front/consult/test_errors.py holds them to it).
TEXT_FIELDS = (
    "title",
    "content",
    "caller_name",
    "note",
    "body",
    "question",
    "answer",
    "extension_reason",
    "reveal_reason",
)


def text_required(value: str, *, field: str, label: Any, maximum: int) -> str:
    """``label`` names the field in the reader's language (a lazy translation)."""
    assert field in TEXT_FIELDS, field
    value = (value or "").strip()
    if not value:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, code=f"{field}_required")
    if len(value) > maximum:
        raise DomainError(
            _("%(label)s不能超过%(maximum)s个字。") % {"label": label, "maximum": maximum}, code=f"{field}_too_long"
        )
    return value


def message_context(ticket: ConsultTicket, **extra: str) -> dict[str, str]:
    return {
        "code": ticket.code,
        "matter": ticket.matter.name,
        "kind": str(ticket.get_kind_display()),
        "due_date": ticket.due_date.isoformat() if ticket.due_date else "",
        **extra,
    }


def supervises(user: User, ticket: ConsultTicket) -> bool:
    """An administrator, or a supervisor of the ticket's own hall: a liaison who supervises another hall
    answers a ticket routed to them, and nothing more."""
    return user.role == Role.ADMIN or (user.role == Role.HALL_SUPERVISOR and staff_post_hall_id(user) == ticket.hall_id)


def owner_check(ticket: ConsultTicket, user: User) -> None:
    if ticket.owner_id != user.id and not supervises(user, ticket):
        raise DomainError(_("只有首问责任人或主管可以执行此操作。"), code="not_owner")
