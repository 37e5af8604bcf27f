from __future__ import annotations

import datetime as dt

from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from .models import CalendarOverride, PublishedYear


def calendar_get() -> WorkCalendar:
    """The working-day calendar with this site's overrides (two small queries)."""
    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    years = set(PublishedYear.objects.values_list("year", flat=True))
    return WorkCalendar(overrides, years)


def add_workdays_or_none(start: dt.date, days: int, calendar: WorkCalendar | None = None) -> dt.date | None:
    """``days`` working days after ``start``; None when that reaches a year whose holidays nobody has
    published: the date is left open (shown as to be fixed) and filled in once the year is entered, never
    guessed, and nothing the citizen or the clerk does fails for it."""
    try:
        return (calendar or calendar_get()).add_workdays(start, days)
    except CalendarUnknown:
        return None


def period_end_or_none(last_day: dt.date, calendar: WorkCalendar | None = None) -> dt.date | None:
    """A calendar-day period's real last day by 民法典 Art. 203 (``WorkCalendar.period_end``: moved past days
    off to the first working day); None when it reaches a year whose holidays nobody has published: nothing
    is enforced on a guess, and the caller waits until the year is entered."""
    try:
        return (calendar or calendar_get()).period_end(last_day)
    except CalendarUnknown:
        return None
