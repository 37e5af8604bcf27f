"""Reads of the notifications app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.shared.accounts.models import User

from .models import Channel, Notification


def inbox_for(user: User, *, limit: int = 100) -> QuerySet[Notification]:
    """The person's in-app messages, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX).order_by("-created_at")[:limit]


def inbox_message_get(*, user: User, notification_id: int) -> Notification:
    """One of the person's in-app messages; 404 when it is not theirs (or not an inbox message)."""
    return get_object_or_404(Notification, id=notification_id, recipient=user, channel=Channel.INBOX)
