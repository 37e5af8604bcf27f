"""Delivering messages: one attempt at a time, each one a row of the delivery log."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.front.notifications.conf import notifications_conf
from govservice.lib import metrics

from ..channels import SendError, SendResult, send_email, sms_backend
from ..models import SENDABLE_STATUSES, Channel, DeliveryAttempt, DeliveryStatus, Notification
from .schedule import backoff, not_before

logger = logging.getLogger(__name__)

FAILURES = (DeliveryStatus.PERMANENT_FAILURE, DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.TECHNICAL_FAILURE)


def notification_deliver(*, notification_id: int) -> str:
    """One delivery attempt, if the message is due. Claimed with a conditional UPDATE, so two workers
    never send the same message, and a delivered (or finally failed) message is never sent again.
    The provider call happens outside any transaction."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        id=notification_id,
        status__in=SENDABLE_STATUSES,
        next_attempt_at__lte=now,
        attempts__lt=notifications_conf.NOTIFY_MAX_ATTEMPTS,
    ).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        # A lease: if this worker dies mid-send, the sweep takes the message back after it.
        next_attempt_at=now + dt.timedelta(seconds=notifications_conf.NOTIFY_LEASE_SECONDS),
    )
    if not claimed:
        return Notification.objects.filter(id=notification_id).values_list("status", flat=True).first() or ""
    notification = Notification.objects.select_related("recipient").get(id=notification_id)
    attempt = DeliveryAttempt.objects.create(notification=notification, number=notification.attempts, started_at=now)
    reference = str(notification.reference)
    try:
        if notification.channel == Channel.SMS:
            if not notification.recipient.phone:
                raise SendError("no phone number", status=DeliveryStatus.PERMANENT_FAILURE)
            result = sms_backend().send(phone=notification.recipient.phone, text=notification.body, reference=reference)
        elif notification.channel == Channel.EMAIL:
            if not notification.recipient.email:
                raise SendError("no e-mail address", status=DeliveryStatus.PERMANENT_FAILURE)
            result = send_email(
                to=notification.recipient.email,
                subject=notification.subject,
                body=notification.body,
                language=notification.language,
                reference=reference,
            )
        else:
            result = SendResult(status=DeliveryStatus.DELIVERED)
    except SendError as exc:
        return _finish(notification_id, attempt.id, status=exc.status, error=str(exc)[:200])
    except Exception as exc:  # a backend bug or an outage we did not foresee: retried later, logged by type
        logger.exception("notification %s: %s while sending", notification_id, type(exc).__name__)
        return _finish(notification_id, attempt.id, status=DeliveryStatus.TECHNICAL_FAILURE, error=type(exc).__name__)
    return _finish(notification_id, attempt.id, status=result.status, provider_reference=result.provider_reference)


@transaction.atomic
def _finish(
    notification_id: int, attempt_id: int, *, status: str, error: str = "", provider_reference: str = ""
) -> str:
    """Record an attempt's outcome. Locks the message: a delivery receipt may have come in already
    (a fast gateway calls back before our worker writes down that it accepted)."""
    now = timezone.now()
    notification = Notification.objects.select_for_update().get(id=notification_id)
    attempt = DeliveryAttempt.objects.select_for_update().get(id=attempt_id)
    attempt.finished_at = now
    attempt.error = error
    if provider_reference and not attempt.provider_reference:
        attempt.provider_reference = provider_reference
    if attempt.reported_at is None:
        attempt.status = status
    attempt.save(update_fields=["finished_at", "error", "provider_reference", "status"])
    if notification.status != DeliveryStatus.SENDING or notification.attempts != attempt.number:
        # The receipt already moved it on (or a newer attempt owns it): keep what it said.
        return notification.status
    apply_outcome(notification, status=status, error=error, now=now)
    notification.sent_at = notification.sent_at or (
        now if status in (DeliveryStatus.SENDING, DeliveryStatus.DELIVERED) else None
    )
    notification.save(update_fields=["status", "last_error", "next_attempt_at", "sent_at", "delivered_at"])
    logger.info(
        "notification %s (%s, %s) attempt %s: %s%s",
        notification.id,
        notification.event,
        notification.channel,
        attempt.number,
        status,
        f" ({error})" if error else "",
    )
    return notification.status


def apply_outcome(notification: Notification, *, status: str, error: str, now: dt.datetime) -> None:
    """Move a message (locked by the caller) to an attempt's outcome and plan what comes next: nothing
    after delivery or a permanent failure; a retry with backoff after a temporary or technical failure,
    until the last attempt, whose failure is final. Does not save."""
    if status == DeliveryStatus.SENDING:
        # Accepted by the gateway: its receipt will say how it ended.
        notification.status, notification.next_attempt_at = DeliveryStatus.SENDING, None
        return
    notification.status = status
    notification.last_error = error if status in FAILURES else ""
    if status in FAILURES:  # the operators' metric of failures by channel (apps/shared/observability)
        metrics.count("notification_failures", channel=notification.channel, status=status)
    if status == DeliveryStatus.DELIVERED:
        notification.delivered_at, notification.next_attempt_at = now, None
    elif status == DeliveryStatus.PERMANENT_FAILURE:
        notification.next_attempt_at = None
    elif notification.attempts >= notifications_conf.NOTIFY_MAX_ATTEMPTS:
        notification.next_attempt_at = None
        logger.warning(
            "notification %s (%s, %s): %s after %s attempts, giving up",
            notification.id,
            notification.event,
            notification.channel,
            status,
            notification.attempts,
        )
    else:
        notification.next_attempt_at = not_before(
            now + backoff(notification.attempts), channel=notification.channel, urgent=notification.urgent
        )


def notifications_recover_stuck() -> int:
    """Messages whose sending worker died before it wrote down the outcome (the lease ran out): the
    attempt counts as a technical failure, and the message is retried with the same reference."""
    now = timezone.now()
    stuck = list(
        Notification.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lt=now).values_list(
            "id", flat=True
        )[:200]
    )
    recovered = 0
    for notification_id in stuck:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(id=notification_id, status=DeliveryStatus.SENDING, next_attempt_at__lt=now)
                .first()
            )
            if notification is None:
                continue
            DeliveryAttempt.objects.filter(
                notification=notification, number=notification.attempts, finished_at__isnull=True
            ).update(status=DeliveryStatus.TECHNICAL_FAILURE, error="lease expired", finished_at=now)
            apply_outcome(notification, status=DeliveryStatus.TECHNICAL_FAILURE, error="lease expired", now=now)
            notification.save(update_fields=["status", "last_error", "next_attempt_at", "delivered_at"])
            recovered += 1
    return recovered


def notifications_expire_unconfirmed() -> int:
    """Messages the gateway accepted but never reported on within NOTIFY_RECEIPT_TIMEOUT_HOURS become a
    final technical failure (as GOV.UK Notify does after 72 hours). They are not sent again: they may
    well have arrived, and the inbox holds the same message."""
    now = timezone.now()
    cutoff = now - dt.timedelta(hours=notifications_conf.NOTIFY_RECEIPT_TIMEOUT_HOURS)
    expired = 0
    for notification_id in Notification.objects.filter(
        status=DeliveryStatus.SENDING, next_attempt_at__isnull=True, sent_at__lt=cutoff
    ).values_list("id", flat=True)[:200]:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(id=notification_id, status=DeliveryStatus.SENDING, next_attempt_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            error = "no delivery receipt"
            DeliveryAttempt.objects.filter(notification=notification, number=notification.attempts).update(
                status=DeliveryStatus.TECHNICAL_FAILURE, error=error
            )
            notification.status, notification.last_error, notification.next_attempt_at = (
                DeliveryStatus.TECHNICAL_FAILURE,
                error,
                None,
            )
            notification.save(update_fields=["status", "last_error", "next_attempt_at"])
            logger.warning(
                "notification %s (%s): %s after %sh, final",
                notification.id,
                notification.event,
                error,
                notifications_conf.NOTIFY_RECEIPT_TIMEOUT_HOURS,
            )
            expired += 1
    return expired


def notifications_send_due(*, limit: int = 200) -> int:
    """The periodic sender: messages held for the quiet hours, waiting for a retry, or never queued.
    Returns how many it tried."""
    notifications_recover_stuck()
    notifications_expire_unconfirmed()
    due = list(
        Notification.objects.filter(
            Q(status__in=SENDABLE_STATUSES),
            next_attempt_at__lte=timezone.now(),
            attempts__lt=notifications_conf.NOTIFY_MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    for notification_id in due:
        notification_deliver(notification_id=notification_id)
    return len(due)
