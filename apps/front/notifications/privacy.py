"""What notifications holds about people, for the personal-information lifecycle (apps/shared/privacy): each
message's text names its recipient's business (and its audit trail copies it). Once a message's period ends it
is anonymised: the event, channel, delivery status and times stay for the delivery statistics (DOMAIN.md §7),
the recipient and the text go, with the audit trail's copies. The gateway's receipts are deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.accounts.services import ANONYMISED_USERNAME, anonymised_account
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import SENDABLE_STATUSES, DeliveryAttempt, GatewayCallback, Notification, NotificationPreference

BASIS = _("按本地做法设定（可配置），不短于网络日志的六个月（网络安全法第二十一条）")


def _audit(model_name: str):
    return apps.get_model("feedback", model_name)


def notifications_due(cutoff: dt.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(created_at__lt=cutoff).exclude(recipient__username=ANONYMISED_USERNAME)


def notifications_anonymise(pks: list[Any]) -> int:
    done = Notification.objects.filter(pk__in=pks).update(
        recipient=anonymised_account(), subject="", body="", last_error=""
    )
    # The trail's copies of the text go too, with the row the anonymising update itself just left.
    _audit("NotificationAudit").objects.filter(pgh_obj_id__in=pks).delete()
    return done


def callbacks_due(cutoff: dt.datetime) -> QuerySet[GatewayCallback]:
    return GatewayCallback.objects.filter(received_at__lt=cutoff)


registry.register_kind(
    RecordKind(
        "notifications.messages",
        _("消息记录（站内信、短信、邮件）"),
        "RETENTION_NOTIFICATIONS_DAYS",
        Action.ANONYMISE,
        notifications_due,
        BASIS,
        apply=notifications_anonymise,
        covers=(DeliveryAttempt,),
        minimum_days=180,
        audit_models=(_audit("NotificationAudit"),),
    )
)
registry.register_kind(
    RecordKind(
        "notifications.gateway_receipts",
        _("短信网关回执"),
        "RETENTION_NOTIFICATIONS_DAYS",
        Action.DELETE,
        callbacks_due,
        BASIS,
        minimum_days=180,
    )
)


def export_notifications(user: User) -> dict[str, Any]:
    preference = NotificationPreference.objects.filter(user=user).first()
    return {
        "messages": [
            {
                "created_at": n.created_at,
                "event": n.event,
                "channel": n.channel,
                "subject": n.subject,
                "body": n.body,
                "status": n.status,
                "sent_at": n.sent_at,
                "delivered_at": n.delivered_at,
                "read_at": n.read_at,
            }
            for n in Notification.objects.filter(recipient=user).order_by("-created_at")
        ],
        "preference": (
            {"sms": preference.sms, "email": preference.email, "language": preference.language}
            if preference is not None
            else None
        ),
    }


def erase(user: User) -> dict[str, int]:
    """Nothing more is sent to the account; the messages' texts and their copies go, the delivery records stay."""
    unsent = (
        Notification.objects.filter(recipient=user, status__in=SENDABLE_STATUSES)
        .delete()[1]
        .get(Notification._meta.label, 0)
    )
    blanked = Notification.objects.filter(recipient=user).update(subject="", body="", last_error="")
    _audit("NotificationAudit").objects.filter(recipient=user).exclude(body="").delete()
    _audit("NotificationPreferenceAudit").objects.filter(user=user).delete()
    return {
        "unsent": unsent,
        "messages": blanked,
        "preference": NotificationPreference.objects.filter(user=user).delete()[0],
    }


registry.register_export("notifications", export_notifications)
registry.register_eraser("notifications", erase)
