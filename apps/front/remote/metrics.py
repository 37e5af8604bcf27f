"""Open remote-window sessions at this front's halls (apps/shared/observability)."""

from __future__ import annotations

from django.db.models import Count

from apps.shared.observability.registry import gauge

from .models import HallSession, SessionStatus


@gauge("remote_sessions_open", "Remote-window sessions ringing or in a call, per status.", ["status"])
def remote_sessions_open():
    open_statuses = (SessionStatus.RINGING, SessionStatus.ACTIVE)
    counts = dict(
        HallSession.objects.filter(status__in=open_statuses)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [((str(status),), counts.get(status, 0)) for status in open_statuses]
