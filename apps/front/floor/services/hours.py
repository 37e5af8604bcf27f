"""When a hall issues walk-in tickets: its working days, opening sessions and closures (DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall, HallClosure, OpeningSession, WindowGroup
from apps.front.booking.services import sessions_for
from apps.front.floor.conf import floor_conf
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.errors import Conflict
from govservice.lib.workdays import CalendarUnknown


def walk_in_hours_check(*, hall: Hall, group: WindowGroup | None = None, now: dt.datetime | None = None) -> None:
    """Walk-in tickets only while the hall is open (HALL_WALK_IN_* settings): a working day, from a little
    before the first opening session to the end of the last (the lunch break included: the queue waits),
    and not while the hall or the group is closed. An unpublished year does not turn citizens away: its
    weekdays count as open. Without ``group``: the hall's day, hours and whole-hall closures (checked before
    any row is locked); with it: only that group's closures."""
    if not floor_conf.HALL_WALK_IN_OPENING_HOURS_ONLY:
        return
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if group is not None:
        _refuse_if_closed(HallClosure.objects.filter(hall=hall, date=today, group=group), now)
        return
    try:
        working = calendar_get().is_workday(today)
    except CalendarUnknown:
        working = today.weekday() < 5
    if not working:
        raise Conflict(_("今天是休息日，大厅不办公，请在工作日前来。"), code="hall_closed")
    sessions = sessions_for(list(OpeningSession.objects.filter(hall=hall)), today)
    if not sessions:
        raise Conflict(_("今天大厅不办公。"), code="hall_closed")
    day_start = dt.datetime.combine(today, sessions[0][0], tzinfo=now.tzinfo)
    opens = day_start - dt.timedelta(minutes=floor_conf.HALL_WALK_IN_EARLY_MINUTES)
    stops = dt.datetime.combine(today, sessions[-1][1], tzinfo=now.tzinfo) - dt.timedelta(
        minutes=floor_conf.HALL_WALK_IN_STOP_MINUTES
    )
    if not opens <= now < stops:
        raise Conflict(
            _("当前不在取号时间，今日取号时间为%(opens)s至%(stops)s。")
            % {"opens": f"{opens:%H:%M}", "stops": f"{stops:%H:%M}"},
            code="outside_hours",
        )
    _refuse_if_closed(HallClosure.objects.filter(hall=hall, date=today, group__isnull=True), now)


def _refuse_if_closed(closures, now: dt.datetime) -> None:
    for closure in closures:
        if closure.covers(now, now + dt.timedelta(seconds=1)):
            raise Conflict(
                _("大厅暂停服务（%(reason)s），暂不能取号。") % {"reason": closure.reason}, code="hall_closed"
            )
