"""Business event → messages: one per channel the person can and wants to be reached on."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.shared.accounts.models import User
from govservice.lib.masking import mask_name
from govservice.lib.tasks import enqueue_on_commit

from ..models import Channel, DeliveryAttempt, DeliveryStatus, Notification
from .preferences import preference_for
from .schedule import not_before
from .templates import render, template_current_version

logger = logging.getLogger(__name__)

# Events that go out at once even in quiet hours: the hall cancelled or moved an appointment (the
# citizen may be about to set off), or something that needs the person now, in the hall.
URGENT_EVENTS = frozenset({"booking.cancelled_by_hall", "booking.moved_by_hall", "hall.checked_in"})


class MessageSubject(Protocol):
    """What a message is about (an intake case today): it gives its own template fields, in the active
    language, so this app needs to know nothing of it."""

    @property
    def pk(self) -> Any: ...

    def message_fields(self) -> dict[str, str]: ...


def notify(
    *,
    recipient: User,
    event: str,
    case: MessageSubject | None = None,
    context: Mapping[str, object] | None = None,
    urgent: bool | None = None,
) -> list[Notification]:
    """Turn a business event into one message per channel the person can be reached on and chose
    (the inbox always), rendered from each channel's current template version in the person's
    language, and deliver them after the caller's transaction commits (never inside it).

    `case` is what the message is about; its own fields fill the template and the message links to it.
    `context` adds (or overrides) template fields for events that are not about a case, e.g. an
    appointment's code, hall and time. Never put an ID number, a phone number or a full name in it. A value is
    made text in the recipient's language (a lazy translation or a lazily formatted time is read then).
    `urgent` overrides URGENT_EVENTS: urgent messages ignore the quiet hours."""
    preference = preference_for(recipient)
    language = preference.language
    urgent = event in URGENT_EVENTS if urgent is None else urgent
    channels = [Channel.INBOX]
    if recipient.phone and preference.sms:
        channels.append(Channel.SMS)
    if recipient.email and preference.email:
        channels.append(Channel.EMAIL)
    now = timezone.now()
    # Case fields such as the decision's label are rendered in the recipient's language.
    with translation.override(language):
        # Never the user name as a fallback: people choose their phone number as one.
        name = mask_name(recipient.real_name) or gettext("用户")
        given = {"name": name, **(case.message_fields() if case is not None else {}), **(context or {})}
        fields = {key: str(value) for key, value in given.items()}
    rows = []
    for channel in channels:
        version = template_current_version(event=event, channel=channel)
        subject, body = render(version, language=language, context=fields)
        row = Notification(
            recipient=recipient,
            event=event,
            channel=channel,
            case_id=case.pk if case is not None else None,
            template_version=version,
            language=language,
            urgent=urgent,
            subject=subject[:200],
            body=body,
            created_at=now,
        )
        if channel == Channel.INBOX:
            # The inbox is this database: the message is there as soon as it is committed.
            row.status, row.attempts, row.next_attempt_at = DeliveryStatus.DELIVERED, 1, None
            row.sent_at = row.delivered_at = now
        else:
            row.next_attempt_at = not_before(now, channel=channel, urgent=urgent)
        row.save()
        if channel == Channel.INBOX:
            DeliveryAttempt.objects.create(
                notification=row, number=1, status=DeliveryStatus.DELIVERED, started_at=now, finished_at=now
            )
        rows.append(row)
    due = [n.id for n in rows if n.next_attempt_at is not None and n.next_attempt_at <= now]
    held = [n.id for n in rows if n.next_attempt_at is not None and n.next_attempt_at > now]
    if held:
        logger.info("notifications %s (%s) held for the quiet hours", held, event)
    if due:
        from ..tasks import notification_deliver  # tasks import services

        for notification_id in due:  # broker down: the periodic sender delivers it
            enqueue_on_commit(notification_deliver, notification_id)
    return rows
