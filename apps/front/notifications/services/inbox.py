"""The in-app inbox."""

from __future__ import annotations

from django.utils import timezone

from apps.shared.accounts.models import User

from ..models import Notification
from ..selectors import inbox_message_get


def inbox_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the person's inbox messages read (the first reading time is kept)."""
    message = inbox_message_get(user=user, notification_id=notification_id)
    if message.read_at is None:
        Notification.objects.filter(id=message.id, read_at__isnull=True).update(read_at=timezone.now())
        message.refresh_from_db(fields=["read_at"])
    return message
