"""Reads of the hall's remote sessions."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.front.booking.models import StaffPost
from apps.shared.accounts.models import Role, User

from .models import HallSession, SessionStatus

LOG_LENGTH = 100


def live_session_of(*, device: str) -> HallSession | None:
    """The session this kiosk or clerk has going, if any (one at a time)."""
    return HallSession.objects.filter(device=device).exclude(status=SessionStatus.ENDED).first()


def sessions_for_log(*, user: User) -> QuerySet[HallSession]:
    """The latest sessions of the supervisor's hall (an administrator's: every hall), with their log lines."""
    sessions = HallSession.objects.select_related(
        "hall", "matter", "case", "consult_ticket", "clerk", "terminal"
    ).prefetch_related("events")
    if user.role != Role.ADMIN:
        sessions = sessions.filter(hall_id__in=StaffPost.objects.filter(user=user).values("hall_id"))
    return sessions.order_by("-started_at")[:LOG_LENGTH]
