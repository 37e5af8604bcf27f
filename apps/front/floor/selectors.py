"""Reads of the hall floor: queue positions, estimated waits, the clerk's workbench and the display board."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models import Window as WindowFunction
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import GroupMatter, Hall, StaffPost, Window, WindowGroup
from apps.front.floor.conf import floor_conf
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from govservice.lib.errors import DomainError

from .models import CALL_ACTIONS, Ticket, TicketEvent, TicketStatus

# The calling order of a queue (DOMAIN.md §3): green channel, booked, walk-in; then booked time (walk-ins
# have none and come last, as PostgreSQL sorts NULLs last ascending), then check-in time.
CALLING_ORDER = ("priority", "booked_start", "checked_in_at", "id")


def _ahead_of(ticket: Ticket) -> Q:
    """Tickets that come before ``ticket`` in CALLING_ORDER, as one condition the waiting index serves."""
    if ticket.booked_start is None:
        booked_before, booked_same = Q(booked_start__isnull=False), Q(booked_start__isnull=True)
    else:
        booked_before, booked_same = Q(booked_start__lt=ticket.booked_start), Q(booked_start=ticket.booked_start)
    checked_in_before = Q(checked_in_at__lt=ticket.checked_in_at) | Q(
        checked_in_at=ticket.checked_in_at, id__lt=ticket.id
    )
    return Q(priority__lt=ticket.priority) | Q(priority=ticket.priority) & (
        booked_before | booked_same & checked_in_before
    )


def people_ahead(ticket: Ticket) -> int:
    """How many waiting tickets of the same queue will be called before this one (0 once it is called)."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    return (
        Ticket.objects.filter(group_id=ticket.group_id, service_date=ticket.service_date, status=TicketStatus.WAITING)
        .filter(_ahead_of(ticket))
        .count()
    )


def service_minutes_by_group(*, hall_id: int, day: dt.date) -> dict[int, float]:
    """Average minutes from start to finish of each group's latest services of the day (one query).
    Groups that have finished nobody yet are absent: callers fall back to HALL_SERVICE_MINUTES_DEFAULT."""
    rows = (
        Ticket.objects.filter(
            hall_id=hall_id,
            service_date=day,
            status=TicketStatus.DONE,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .annotate(recent=WindowFunction(RowNumber(), partition_by=[F("group_id")], order_by=F("finished_at").desc()))
        .filter(recent__lte=floor_conf.HALL_SERVICE_SAMPLE)
        .values_list("group_id", "started_at", "finished_at")
    )
    durations: dict[int, list[float]] = defaultdict(list)
    for group_id, started, finished in rows:
        if started is None or finished is None:  # excluded by the filter; keeps the types honest
            continue
        durations[group_id].append(max((finished - started).total_seconds(), 0) / 60)
    return {group_id: sum(values) / len(values) for group_id, values in durations.items()}


def staffed_windows_by_group(*, hall_id: int) -> dict[int, int]:
    """Windows that serve each group's queue (one query): those with a clerk posted at them, or all of
    the group's windows while nobody is posted there yet (a hall before its staff are assigned)."""
    rows = (
        Window.objects.filter(hall_id=hall_id)
        .values("group_id")
        .annotate(total=Count("id", distinct=True), staffed=Count("staffpost__window_id", distinct=True))
    )
    return {row["group_id"]: row["staffed"] or row["total"] for row in rows}


def wait_minutes(*, ahead: int, service_minutes: float | None, windows: int) -> int:
    """Estimated wait: the people ahead share the staffed windows, each taking the recent average time."""
    minutes = service_minutes if service_minutes is not None else floor_conf.HALL_SERVICE_MINUTES_DEFAULT
    return math.ceil(ahead * minutes / max(windows, 1))


def estimated_wait_minutes(ticket: Ticket, *, ahead: int | None = None) -> int:
    if ticket.status != TicketStatus.WAITING:
        return 0
    ahead = people_ahead(ticket) if ahead is None else ahead
    minutes = service_minutes_by_group(hall_id=ticket.hall_id, day=ticket.service_date).get(ticket.group_id)
    windows = staffed_windows_by_group(hall_id=ticket.hall_id).get(ticket.group_id, 0)
    return wait_minutes(ahead=ahead, service_minutes=minutes, windows=windows)


# --- Kiosk ------------------------------------------------------------------------------------------


@dataclass
class KioskGroup:
    group: WindowGroup
    matters: list[Matter]


def kiosk_matters(*, hall: Hall) -> list[KioskGroup]:
    """The current version of every matter the hall's window groups serve, by group (two queries)."""
    links = (
        GroupMatter.objects.filter(group__hall=hall).select_related("group").order_by("group__letter", "matter_code")
    )
    codes = {link.matter_code for link in links}
    by_code = {m.code: m for m in Matter.objects.filter(code__in=codes, is_current=True).only("id", "code", "name")}
    groups: dict[int, KioskGroup] = {}
    for link in links:
        matter = by_code.get(link.matter_code)
        if matter is None:
            continue
        groups.setdefault(link.group_id, KioskGroup(group=link.group, matters=[])).matters.append(matter)
    for entry in groups.values():
        entry.matters.sort(key=lambda m: m.name)
    return list(groups.values())


# --- Workbench --------------------------------------------------------------------------------------


def no_window() -> DomainError:
    return DomainError(_("您尚未分配窗口，请联系大厅主管。"), code="no_window")


def window_post_for(*, clerk: User) -> StaffPost:
    """The clerk's post with its window (403 when they sit at none: supervisors, unassigned staff)."""
    post = StaffPost.objects.select_related("window", "window__group", "hall").filter(user=clerk).first()
    if post is None or post.window is None:
        raise no_window()
    return post


@dataclass
class Workbench:
    post: StaffPost
    current: list[Ticket]
    parked: list[Ticket]
    waiting: list[Ticket]
    waiting_count: int
    service_minutes: float
    windows: int
    transfer_groups: list[WindowGroup] = field(default_factory=list)


def workbench_for(*, post: StaffPost, limit: int = 50) -> Workbench:
    """What a window sees: its called / serving / parked tickets, its group's queue with estimated waits."""
    window = post.window
    assert window is not None
    today = timezone.localdate()
    mine = list(
        Ticket.objects.filter(
            window=window,
            service_date=today,
            status__in=[TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED],
        )
        .select_related("matter", "group")
        .order_by("-called_at")
    )
    queue = Ticket.objects.filter(group_id=window.group_id, service_date=today, status=TicketStatus.WAITING)
    waiting = list(queue.select_related("matter", "group").order_by(*CALLING_ORDER)[:limit])
    waiting_count = queue.count() if len(waiting) == limit else len(waiting)
    minutes = service_minutes_by_group(hall_id=post.hall_id, day=today).get(window.group_id)
    windows = staffed_windows_by_group(hall_id=post.hall_id).get(window.group_id, 0)
    for position, ticket in enumerate(waiting):
        ticket.ahead = position  # type: ignore[attr-defined]  # display-only annotation
        ticket.wait_minutes = wait_minutes(ahead=position, service_minutes=minutes, windows=windows)  # type: ignore[attr-defined]
    return Workbench(
        post=post,
        current=[t for t in mine if t.status != TicketStatus.PARKED],
        parked=[t for t in mine if t.status == TicketStatus.PARKED],
        waiting=waiting,
        waiting_count=waiting_count,
        service_minutes=minutes if minutes is not None else float(floor_conf.HALL_SERVICE_MINUTES_DEFAULT),
        windows=windows,
        transfer_groups=list(WindowGroup.objects.filter(hall_id=post.hall_id).exclude(id=window.group_id)),
    )


# --- Display board ----------------------------------------------------------------------------------


@dataclass
class BoardCall:
    event_id: int
    label: str
    window: int
    name: str  # masked (张*)
    status: str
    at: dt.datetime


@dataclass
class BoardGroup:
    letter: str
    name: str
    waiting: int
    wait_minutes: int


@dataclass
class Board:
    hall: Hall
    now: dt.datetime
    current: list[BoardCall]
    recent: list[BoardCall]
    groups: list[BoardGroup]

    @property
    def last_call_id(self) -> int:
        return max((c.event_id for c in self.recent), default=0)


def board_hall(*, code: str) -> Hall:
    return get_object_or_404(Hall, code=code)


def board_for(*, hall: Hall, recent: int = 8) -> Board:
    """A hall's display board in a constant number of queries. Nothing personal beyond the masked name."""
    now = timezone.now()
    today = timezone.localdate()
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    events = list(
        TicketEvent.objects.filter(hall=hall, at__gte=day_start, action__in=CALL_ACTIONS, window__isnull=False)
        .select_related("ticket", "ticket__group", "window")
        .order_by("-id")[:recent]
    )
    calls = [
        BoardCall(
            event_id=e.id,
            label=e.ticket.label,
            window=e.window.number,  # type: ignore[union-attr]  # filtered on window__isnull=False
            name=e.ticket.display_name,
            status=e.ticket.status,
            at=e.at,
        )
        for e in events
    ]
    serving = list(
        Ticket.objects.filter(
            hall=hall, service_date=today, status__in=[TicketStatus.CALLED, TicketStatus.SERVING], window__isnull=False
        )
        .select_related("group", "window")
        .order_by("-called_at")
    )
    current, seen = [], set()
    for t in serving:
        if t.window is None or t.window_id in seen:  # the filter excludes the first case
            continue
        seen.add(t.window_id)
        current.append(
            BoardCall(
                event_id=0,
                label=t.label,
                window=t.window.number,
                name=t.display_name,
                status=t.status,
                at=t.called_at or now,
            )
        )
    current.sort(key=lambda c: c.window)
    counts = dict(
        Ticket.objects.filter(hall=hall, service_date=today, status=TicketStatus.WAITING)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    minutes = service_minutes_by_group(hall_id=hall.id, day=today)
    windows = staffed_windows_by_group(hall_id=hall.id)
    groups = [
        BoardGroup(
            letter=g.letter,
            name=g.name,
            waiting=counts.get(g.id, 0),
            wait_minutes=wait_minutes(
                ahead=counts.get(g.id, 0), service_minutes=minutes.get(g.id), windows=windows.get(g.id, 0)
            ),
        )
        for g in WindowGroup.objects.filter(hall=hall).order_by("letter")
    ]
    return Board(hall=hall, now=now, current=current, recent=calls, groups=groups)
