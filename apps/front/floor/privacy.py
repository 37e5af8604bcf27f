"""What the hall floor holds about people, for the personal-information lifecycle (apps/shared/privacy): queue
tickets name their citizen and a masked name; once their period ends they are anonymised (the ticket stays
for the hall's waiting-time statistics, the person goes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.accounts.services import ANONYMISED_USERNAME, anonymised_account
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind, final_statuses

from .models import TICKET_TRANSITIONS, Ticket, TicketEvent


def tickets_due(cutoff: dt.datetime) -> QuerySet[Ticket]:
    """Finished tickets, done (or checked in, for one never served) before the cutoff, that still name someone."""
    return (
        Ticket.objects.filter(status__in=final_statuses(TICKET_TRANSITIONS))
        .alias(ended=Coalesce("finished_at", "checked_in_at"))
        .filter(ended__lt=cutoff)
        .filter(Q(citizen__isnull=False) | ~Q(display_name=""))
        .exclude(citizen__username=ANONYMISED_USERNAME)
    )


def tickets_anonymise(pks: list[Any]) -> int:
    done = Ticket.objects.filter(pk__in=pks).update(
        citizen=anonymised_account(), agent=None, display_name="", idempotency_key=""
    )
    TicketEvent.objects.filter(ticket_id__in=pks).update(note="")
    return done


registry.register_kind(
    RecordKind(
        "floor.tickets",
        _("大厅排队取号记录"),
        "RETENTION_HALL_TICKETS_DAYS",
        Action.ANONYMISE,
        tickets_due,
        _("无法定期限，按本地做法设定（可配置）"),
        apply=tickets_anonymise,
        covers=(TicketEvent,),
    )
)


def export_tickets(user: User) -> list[dict[str, Any]]:
    return [
        {
            "service_date": t.service_date,
            "hall": t.hall.name,
            "number": t.label,
            "matter": t.matter.name,
            "status": t.status,
            "status_label": str(t.get_status_display()),
            "checked_in_at": t.checked_in_at,
            "finished_at": t.finished_at,
        }
        for t in Ticket.objects.filter(citizen=user)
        .select_related("hall", "group", "matter")
        .order_by("-checked_in_at")
    ]


def erase(user: User) -> dict[str, int]:
    return {"tickets": Ticket.objects.filter(citizen=user).exclude(display_name="").update(display_name="")}


registry.register_export("hall_tickets", export_tickets)
registry.register_eraser("floor", erase)
