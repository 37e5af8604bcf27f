"""Reads: a department's ringing queue, a staff member's live sessions, the supervisors' view, a session's log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.shared.accounts.models import Role, User

from .models import RemoteSession, SessionStatus
from .services import staff_department_id

SUPERVISORS = (Role.CENTRAL_SUPERVISOR, Role.ADMIN)


def _percentile(values: list[int], p: int) -> int | None:
    """Nearest-rank percentile (enough for a supervisor's view of a day's waits)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-p * len(ordered) // 100) - 1))]


def _sessions() -> QuerySet[RemoteSession]:
    return RemoteSession.objects.select_related("matter", "department", "answered_by")


def queue_for_staff(*, staff: User) -> list[RemoteSession]:
    """The sessions ringing in the staff member's department, oldest first (empty without a post)."""
    department_id = staff_department_id(staff)
    if department_id is None:
        return []
    return list(
        _sessions()
        .filter(department_id=department_id, status=SessionStatus.RINGING, ring_deadline__gt=timezone.now())
        .order_by("requested_at")
    )


def active_for_staff(*, staff: User) -> list[RemoteSession]:
    return list(_sessions().filter(answered_by=staff, status=SessionStatus.ACTIVE).order_by("answered_at"))


def queue_rows(sessions: list[RemoteSession]) -> list[dict[str, Any]]:
    """The queue as the desk page polls it: the matter, the hall, how long it has waited."""
    now = timezone.now()
    return [
        {
            "id": str(s.id),
            "matter": s.matter.name,
            "hall": s.hall_name,
            "device": s.device_label,
            "ticket": s.ticket_label,
            "waited": int((now - s.requested_at).total_seconds()),
            "ring_left": max(0, int((s.ring_deadline - now).total_seconds())),
        }
        for s in sessions
    ]


def session_for_log(*, user: User, session_id: Any) -> RemoteSession | None:
    """A session's log: for supervisors every session, for staff those they answered."""
    queryset = _sessions().prefetch_related("events", "scans")
    if user.role not in SUPERVISORS:
        queryset = queryset.filter(answered_by=user)
    try:
        return queryset.filter(id=session_id).first()
    except ValueError:
        return None


def supervisor_overview(*, day: dt.date | None = None) -> dict[str, Any]:
    """Waiting and active sessions, and the day's answer times (how long halls waited for an answer)."""
    day = day or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    today = list(_sessions().filter(requested_at__gte=start, requested_at__lt=start + dt.timedelta(days=1)))
    waits = [s.wait_seconds for s in today if s.answered_at is not None]
    return {
        "waiting": list(_sessions().filter(status=SessionStatus.RINGING).order_by("requested_at")),
        "active": list(_sessions().filter(status=SessionStatus.ACTIVE).order_by("answered_at")),
        "ended": [s for s in reversed(today) if s.status == SessionStatus.ENDED][:50],
        "requested": len(today),
        "answered": len(waits),
        "unanswered": sum(1 for s in today if s.outcome == "unanswered"),
        "wait_p50": _percentile(waits, 50),
        "wait_p90": _percentile(waits, 90),
    }
