"""Slot generation over the rolling horizon (DOMAIN.md §3): working days of the calendar, each hall's opening
sessions per weekday, each window group's booking settings, the hall's closures."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from ..models import HallClosure, OpeningSession, Slot, WindowGroup

logger = logging.getLogger(__name__)

# The site default opening sessions of a hall day, for a hall without OpeningSession rows (local time).
SESSIONS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 0)))


def sessions_for(rows: list[OpeningSession], day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The opening sessions of a hall on ``day`` (a working day). A 调休 weekend day follows that weekday's
    rows when the hall has any, else Monday's; a hall without rows opens at the site default."""
    if not rows:
        return list(SESSIONS)
    by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in rows:
        by_weekday.setdefault(row.weekday, []).append((row.start, row.end))
    sessions = by_weekday.get(day.weekday())
    if sessions is None and day.weekday() >= 5:
        sessions = by_weekday.get(0)
    return sorted(sessions or [])


def calendar_horizon(calendar: WorkCalendar, today: dt.date, count: int) -> tuple[list[dt.date], int | None]:
    """The next ``count`` working days after ``today``, and the year that stopped the list short (fail
    closed: no day of a year nobody has published is ever guessed)."""
    days: list[dt.date] = []
    day = today + dt.timedelta(days=1)
    while len(days) < count:
        try:
            if calendar.is_workday(day):
                days.append(day)
        except CalendarUnknown as exc:
            return days, exc.year
        day += dt.timedelta(days=1)
    return days, None


def release_day(calendar: WorkCalendar, day: dt.date, horizon: int) -> dt.date:
    """The working day ``horizon`` working days before ``day``: when its places are released."""
    back = day
    counted = 0
    while counted < horizon:
        back -= dt.timedelta(days=1)
        try:
            if calendar.is_workday(back):
                counted += 1
        except CalendarUnknown:
            break
    return back


def capacity_split(*, windows: int, people_per_window: int, online_percent: int) -> tuple[int, int]:
    """(online places, reserved places) of one slot: the online share rounded half up."""
    total = windows * people_per_window
    online = (total * online_percent + 50) // 100
    return online, total - online


def slots_generate(*, today: dt.date | None = None, horizon: int | None = None) -> int:
    """Materialise slots for each window group over its horizon of working days. Idempotent: a day that
    already has slots for a group is left exactly as it is (a settings change applies to days not made
    yet), so booked places are never dropped. Days inside a closure get no slots. Stops, with a warning,
    at a year the calendar does not know (fail closed). Returns the number of slots created."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    groups = list(WindowGroup.objects.select_related("hall").prefetch_related("windows", "hall__sessions"))
    longest = max([horizon or g.effective_horizon for g in groups], default=0)
    all_days, unknown_year = calendar_horizon(calendar, today, longest)
    if unknown_year is not None:
        logger.warning(
            "slot generation stopped at %s: the %s calendar is not published", all_days[-1:] or today, unknown_year
        )
    if not all_days:
        return 0
    existing = set(Slot.objects.filter(date__in=all_days).values_list("group_id", "date").distinct())
    closures = list(HallClosure.objects.filter(date__in=all_days))
    tz = timezone.get_current_timezone()
    rows = []
    for group in groups:
        online, reserved = capacity_split(
            windows=len(group.windows.all()),
            people_per_window=group.people_per_window,
            online_percent=group.effective_online_percent,
        )
        if online + reserved == 0:
            continue
        group_horizon = horizon or group.effective_horizon
        step = dt.timedelta(minutes=group.effective_slot_minutes)
        hall_sessions = list(group.hall.sessions.all())
        group_closures = [c for c in closures if c.hall_id == group.hall_id and c.group_id in (None, group.id)]
        for day in all_days[:group_horizon]:
            if (group.id, day) in existing:
                continue
            release_at = dt.datetime.combine(
                release_day(calendar, day, group_horizon), group.effective_release_time, tzinfo=tz
            )
            for begin, finish in sessions_for(hall_sessions, day):
                start = dt.datetime.combine(day, begin, tzinfo=tz)
                session_end = dt.datetime.combine(day, finish, tzinfo=tz)
                while start + step <= session_end:
                    end = start + step
                    if not any(c.covers(start, end) for c in group_closures):
                        rows.append(
                            Slot(
                                hall=group.hall,
                                group=group,
                                date=day,
                                start=start,
                                end=end,
                                capacity=online,
                                reserved=reserved,
                                release_at=release_at,
                            )
                        )
                    start = end
    before = Slot.objects.filter(date__in=all_days).count()
    Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return Slot.objects.filter(date__in=all_days).count() - before
