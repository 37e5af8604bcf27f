"""The hall supervisor's live view (DOMAIN.md §3–§4): queues and waits per window group, what each
window is doing, tickets waiting too long, and the panels the apps above the floor add (intake: received
cases near the 5-working-day intake limit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall, StaffPost, Window, WindowGroup
from apps.front.floor.conf import floor_conf
from apps.shared.accounts.models import Role
from govservice.roles import role_required

from .hooks import supervisor_panels
from .models import Ticket, TicketStatus
from .selectors import service_minutes_by_group, staffed_windows_by_group, wait_minutes


@dataclass
class GroupRow:
    group: WindowGroup
    waiting: int
    oldest_wait_minutes: int
    estimated_wait: int
    served_today: int


@dataclass
class WindowRow:
    window: Window
    clerk: str
    ticket: Ticket | None


def hall_floor(*, hall: Hall, now: dt.datetime | None = None) -> dict:
    """Everything on the supervisor's screen in a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tickets = Ticket.objects.filter(hall=hall, service_date=today)
    per_group: dict[int, dict[str, Any]] = {
        row["group_id"]: dict(row)
        for row in tickets.values("group_id").annotate(
            waiting=Count("id", filter=Q(status=TicketStatus.WAITING)),
            oldest=Min("checked_in_at", filter=Q(status=TicketStatus.WAITING)),
            served=Count("id", filter=Q(status=TicketStatus.DONE)),
        )
    }
    minutes = service_minutes_by_group(hall_id=hall.id, day=today)
    staffed = staffed_windows_by_group(hall_id=hall.id)
    groups = []
    for group in WindowGroup.objects.filter(hall=hall).order_by("letter"):
        row = per_group.get(group.id, {"waiting": 0, "oldest": None, "served": 0})
        waiting, served = int(row["waiting"]), int(row["served"])
        oldest_at: dt.datetime | None = row["oldest"]
        oldest = int((now - oldest_at).total_seconds() // 60) if oldest_at else 0
        groups.append(
            GroupRow(
                group=group,
                waiting=waiting,
                oldest_wait_minutes=oldest,
                estimated_wait=wait_minutes(
                    ahead=waiting, service_minutes=minutes.get(group.id), windows=staffed.get(group.id, 0)
                ),
                served_today=served,
            )
        )
    busy = {
        t.window_id: t
        for t in tickets.filter(status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("matter")
        .order_by("called_at")
    }
    clerks = {
        p.window_id: p.user.display_name
        for p in StaffPost.objects.filter(hall=hall, window__isnull=False).select_related("user")
    }
    windows = [
        WindowRow(window=w, clerk=clerks.get(w.id, ""), ticket=busy.get(w.id))
        for w in Window.objects.filter(hall=hall).select_related("group").order_by("number")
    ]
    too_long = now - dt.timedelta(minutes=floor_conf.HALL_WAIT_ALERT_MINUTES)
    long_waits = list(
        tickets.filter(status=TicketStatus.WAITING, checked_in_at__lt=too_long)
        .select_related("group", "matter")
        .order_by("checked_in_at")[:50]
    )
    context: dict[str, Any] = {"hall": hall, "groups": groups, "windows": windows, "long_waits": long_waits, "now": now}
    for panel in supervisor_panels.receivers():
        context |= panel(hall_id=hall.id, today=today)
    return context


@role_required(Role.HALL_SUPERVISOR)
def supervisor_view(request):
    post = StaffPost.objects.select_related("hall").filter(user=request.user).first()
    if post is None:
        return render(request, "error.html", {"message": _("您尚未分配到大厅。")}, status=403)
    template = "floor/_supervisor.html" if request.htmx else "floor/supervisor.html"
    return render(request, template, hall_floor(hall=post.hall))
