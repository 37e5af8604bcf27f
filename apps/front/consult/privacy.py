"""What consultation holds about people, for the personal-information lifecycle (apps/shared/privacy): a
ticket names its asker (account, or name and phone), a title and the messages; once a closed ticket's period
ends it is anonymised (kind, channel, matter, unit, dates, limits and rating stay for the 12345-style
statistics of DOMAIN.md §6; the asker, the title and the messages' text go)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.accounts.services import ANONYMISED_USERNAME, anonymised_account
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind, final_statuses

from .models import TICKET_TRANSITIONS, ConsultTicket, TicketEvent, TicketMessage


def tickets_due(cutoff: dt.datetime) -> QuerySet[ConsultTicket]:
    return (
        ConsultTicket.objects.filter(status__in=final_statuses(TICKET_TRANSITIONS))
        .alias(ended=Coalesce("closed_at", "created_at"))
        .filter(ended__lt=cutoff)
        .filter(
            Q(citizen__isnull=True)
            | ~Q(citizen__username=ANONYMISED_USERNAME)
            | ~Q(contact_name="")
            | Q(contact_phone__isnull=False)
        )
    )


def tickets_anonymise(pks: list[Any]) -> int:
    done = ConsultTicket.objects.filter(pk__in=pks).update(
        citizen=anonymised_account(),
        contact_name="",
        contact_phone=None,
        title="",
        rating_comment="",
        extension_reason="",
    )
    TicketMessage.objects.filter(ticket_id__in=pks).update(body="")
    TicketEvent.objects.filter(ticket_id__in=pks).update(note="")
    return done


registry.register_kind(
    RecordKind(
        "consult.tickets",
        _("咨询工单"),
        "RETENTION_CONSULTATIONS_DAYS",
        Action.ANONYMISE,
        tickets_due,
        _("无法定期限，按本地做法设定（可配置）"),
        apply=tickets_anonymise,
        covers=(TicketMessage, TicketEvent),
    )
)


def export_tickets(user: User) -> list[dict[str, Any]]:
    tickets = (
        ConsultTicket.objects.filter(citizen=user)
        .select_related("matter", "hall")
        .prefetch_related("messages")
        .order_by("-created_at")
    )
    return [
        {
            "code": t.code,
            "kind": t.kind,
            "channel": t.channel,
            "status": t.status,
            "status_label": str(t.get_status_display()),
            "title": t.title,
            "matter": t.matter.name,
            "hall": t.hall.name,
            "created_at": t.created_at,
            "closed_at": t.closed_at,
            "rating": t.rating,
            "rating_comment": t.rating_comment,
            "messages": [{"kind": m.kind, "at": m.at, "body": m.body} for m in t.messages.all()],
        }
        for t in tickets
    ]


def erase(user: User) -> dict[str, int]:
    """The asker's own name and phone leave their tickets (and the audit trail's copies); the tickets stay,
    pointing at the emptied account."""
    audit = apps.get_model("consult", "ConsultTicketAudit")
    audit.objects.filter(citizen=user).update(contact_name="", contact_phone=None)
    return {"tickets": ConsultTicket.objects.filter(citizen=user).update(contact_name="", contact_phone=None)}


registry.register_export("consultations", export_tickets)
registry.register_eraser("consult", erase)
