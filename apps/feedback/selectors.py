"""Reads of the notifications app."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.models import User

from .models import Channel, Notification


def inbox_for(user: User, *, limit: int = 100) -> QuerySet[Notification]:
    """The person's in-app messages, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX).order_by("-created_at")[:limit]
