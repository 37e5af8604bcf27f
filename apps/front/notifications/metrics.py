"""Messages that failed, by channel (apps/shared/observability): every failed attempt counted where its
outcome is recorded (services/delivery.py apply_outcome), and the messages waiting for a retry now."""

from __future__ import annotations

from django.db.models import Count

from apps.shared.observability.registry import counter, gauge

from .models import Channel, DeliveryStatus, Notification

counter(
    "notification_failures",
    "Delivery attempts that failed, by channel and failure (temporary, technical, permanent).",
    ["channel", "status"],
)


@gauge("notifications_retrying", "Messages that failed and wait for another attempt, per channel.", ["channel"])
def notifications_retrying():
    # next_attempt_at set: the partial index notification_due_idx holds exactly these rows.
    counts = dict(
        Notification.objects.filter(
            next_attempt_at__isnull=False,
            status__in=(DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.TECHNICAL_FAILURE),
        )
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    return [((str(channel),), counts.get(channel, 0)) for channel in Channel.values]
