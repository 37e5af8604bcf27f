"""Notifications and evaluations (DOMAIN.md §7)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.intake.models import Case
from govservice.lib.masking import mask_name

from .channels import SmsError, sms_backend
from .messages import MESSAGES
from .models import Channel, DeliveryStatus, Notification

logger = logging.getLogger(__name__)


def notify(
    *, recipient: User, event: str, case: Case | None = None, context: dict[str, str] | None = None
) -> list[Notification]:
    """Turn a business event into one message per channel the citizen can be reached on, and deliver
    them after the caller's transaction commits (never inside it).

    `context` adds (or overrides) template fields for events that are not about a case, e.g. an
    appointment's code, hall and time. Never put an ID number or a phone number in it."""
    subject, template = MESSAGES[event]
    context = {
        "name": mask_name(recipient.real_name) or recipient.username,
        "number": case.number if case else "",
        "matter": case.matter.name if case else "",
        "promised_date": case.promised_date.isoformat() if case and case.promised_date else "",
        "decision": case.get_decision_display() if case and case.decision else "",
        "next_step": case.next_step if case else "",
        "items": "；".join(case.notice_items) if case and case.notice_items else "",
        "intake_deadline": case.intake_deadline.isoformat() if case and case.intake_deadline else "",
        "correction": "；".join(case.correction_items) if case and case.correction_items else "",
        "correction_deadline": case.correction_deadline.isoformat() if case and case.correction_deadline else "",
        "procedure": case.procedure_note if case else "",
        **(context or {}),
    }
    body = str(template).format(**context)
    channels = [Channel.INBOX]
    if recipient.phone:
        channels.append(Channel.SMS)
    if recipient.email:
        channels.append(Channel.EMAIL)
    rows = [
        Notification.objects.create(
            recipient=recipient, event=event, channel=channel, case=case, subject=str(subject), body=body
        )
        for channel in channels
    ]
    ids = [n.id for n in rows]
    transaction.on_commit(lambda: _kick_delivery(ids))
    return rows


def _kick_delivery(ids: list[int]) -> None:
    from .tasks import notification_deliver

    for notification_id in ids:
        try:
            notification_deliver.delay(notification_id)
        except Exception:  # broker down: the periodic task sends it
            logger.warning("notification %s not queued; the periodic sender will deliver it", notification_id)


def notification_deliver(*, notification_id: int) -> str:
    """One delivery attempt. The reference given to a provider is the row id, never personal data."""
    claimed = Notification.objects.filter(
        id=notification_id,
        status__in=[DeliveryStatus.CREATED, DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.TECHNICAL_FAILURE],
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return Notification.objects.get(id=notification_id).status
    notification = Notification.objects.select_related("recipient").get(id=notification_id)
    status, error = DeliveryStatus.DELIVERED, ""
    try:
        if notification.channel == Channel.SMS:
            sms_backend().send(
                phone=notification.recipient.phone, text=notification.body, reference=f"n{notification.id}"
            )
        elif notification.channel == Channel.EMAIL:
            send_mail(notification.subject, notification.body, None, [notification.recipient.email])
    except SmsError as exc:
        status = DeliveryStatus.PERMANENT_FAILURE if exc.permanent else DeliveryStatus.TEMPORARY_FAILURE
        error = str(exc)[:200]
    except Exception as exc:  # a provider outage is a technical failure, retried later
        status, error = DeliveryStatus.TECHNICAL_FAILURE, type(exc).__name__
    Notification.objects.filter(id=notification_id, status=DeliveryStatus.SENDING).update(
        status=status, last_error=error, sent_at=timezone.now() if status == DeliveryStatus.DELIVERED else None
    )
    return status


def notifications_send_due() -> int:
    due = Notification.objects.filter(
        status__in=[DeliveryStatus.CREATED, DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.TECHNICAL_FAILURE],
        attempts__lt=5,
    ).values_list("id", flat=True)[:200]
    return sum(1 for notification_id in list(due) if notification_deliver(notification_id=notification_id))
