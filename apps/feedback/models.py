"""Notifications: one service, three channels, a delivery log (DOMAIN.md §7)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.intake.models import Case


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    INBOX = "inbox", _("站内信")


class DeliveryStatus(models.TextChoices):
    CREATED = "created", _("已创建")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    PERMANENT_FAILURE = "permanent-failure", _("永久失败")
    TEMPORARY_FAILURE = "temporary-failure", _("暂时失败")
    TECHNICAL_FAILURE = "technical-failure", _("技术故障")


DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    DeliveryStatus.CREATED: frozenset({DeliveryStatus.SENDING, DeliveryStatus.DELIVERED}),
    DeliveryStatus.SENDING: frozenset(
        {
            DeliveryStatus.DELIVERED,
            DeliveryStatus.PERMANENT_FAILURE,
            DeliveryStatus.TEMPORARY_FAILURE,
            DeliveryStatus.TECHNICAL_FAILURE,
        }
    ),
    DeliveryStatus.TEMPORARY_FAILURE: frozenset({DeliveryStatus.SENDING}),
    DeliveryStatus.TECHNICAL_FAILURE: frozenset({DeliveryStatus.SENDING}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.PERMANENT_FAILURE: frozenset(),
}


@pghistory.track(model_name="NotificationAudit")
class Notification(models.Model):
    """A message to one citizen on one channel about one business event. The ``reference`` given to a
    provider is this row's id, never personal data."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=24, choices=DeliveryStatus.choices, default=DeliveryStatus.CREATED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="notification_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel} ({self.status})"
