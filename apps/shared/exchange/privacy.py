"""What the wire keeps about people, for the personal-information lifecycle (apps/shared/privacy): a delivered
outbox message's payload names the applicant and their ID number (encrypted at rest), and its audit trail
copies it; the inbox keeps which messages were taken (for deduplication). Both are network records, kept
RETENTION_EXCHANGE_MESSAGES_DAYS after delivery (at least six months). Messages not yet delivered, or
dead-lettered for an operator, stay: they are work, not records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import InboxMessage, OutboxMessage, OutboxStatus

# pghistory makes the audit model (the type checker does not see it).
OutboxMessageAudit = apps.get_model("exchange", "OutboxMessageAudit")
NETWORK_LOG = _("网络安全法第二十一条：网络日志留存不少于六个月")


def outbox_due(cutoff: dt.datetime) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED, delivered_at__lt=cutoff)


def outbox_delete(pks: list[Any]) -> int:
    # The audit trail's copies of the payload go with the message.
    OutboxMessageAudit.objects.filter(pgh_obj_id__in=pks).delete()
    return (
        OutboxMessage.objects.filter(pk__in=pks, status=OutboxStatus.DELIVERED)
        .delete()[1]
        .get(OutboxMessage._meta.label, 0)
    )


def inbox_due(cutoff: dt.datetime) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(received_at__lt=cutoff)


registry.register_kind(
    RecordKind(
        "exchange.outbox",
        _("已送达的跨平台消息"),
        "RETENTION_EXCHANGE_MESSAGES_DAYS",
        Action.DELETE,
        outbox_due,
        NETWORK_LOG,
        apply=outbox_delete,
        minimum_days=180,
        audit_models=(OutboxMessageAudit,),
    )
)
registry.register_kind(
    RecordKind(
        "exchange.inbox",
        _("已接收的跨平台消息记录"),
        "RETENTION_EXCHANGE_MESSAGES_DAYS",
        Action.DELETE,
        inbox_due,
        NETWORK_LOG,
        minimum_days=180,
    )
)
