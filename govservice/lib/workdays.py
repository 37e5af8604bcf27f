"""Working-day arithmetic with China's statutory calendar (DOMAIN.md §3).

Weekends and statutory holidays are off; make-up workdays (调休) on weekends are on. The
``chinesecalendar`` package knows 2004–2026; an admin-editable override table comes first, and a year
that nobody has published **fails closed**: :class:`CalendarUnknown` is raised instead of guessing
Monday–Friday, so no slots are offered and no deadline is computed from a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Set

import chinese_calendar


class CalendarUnknown(LookupError):
    def __init__(self, year: int):
        super().__init__(f"{year}年的节假日安排尚未发布，无法计算工作日。")
        self.year = year


class WorkCalendar:
    """Answers "is this a working day?" from overrides first, then the statutory data.

    ``overrides`` maps a date to True (working) or False (off). ``published_years`` are years an
    administrator has entered completely in the override table; for them, days without an override
    follow the Monday–Friday rule.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        published_years: Set[int] = frozenset(),
    ):
        self.overrides = dict(overrides or {})
        self.published_years = frozenset(published_years)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.published_years:
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarUnknown(day.year) from None

    def workdays_from(self, start: dt.date) -> Iterator[dt.date]:
        """Working days on or after ``start``, in order (raises CalendarUnknown when it runs off the map)."""
        day = start
        while True:
            if self.is_workday(day):
                yield day
            day += dt.timedelta(days=1)

    def next_workdays(self, start: dt.date, count: int) -> list[dt.date]:
        days: list[dt.date] = []
        if count <= 0:
            return days
        # Stop at the count-th day without looking at the next one, which may lie in an unknown year.
        for day in self.workdays_from(start):
            days.append(day)
            if len(days) == count:
                break
        return days

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The date ``count`` working days after ``start`` (start itself not counted)."""
        if count <= 0:
            return start
        return self.next_workdays(start + dt.timedelta(days=1), count)[-1]

    def period_end(self, last_day: dt.date) -> dt.date:
        """The real last day of a period counted in calendar days whose nominal last day is ``last_day``:
        that day, or the first working day after it when it is a day off (民法典 Art. 203 / 民法典第二百零三条:
        a period whose last day is a statutory holiday ends on the day after the holiday; a make-up workday
        调休 is a working day, so it can be a last day). Raises CalendarUnknown when it cannot be told."""
        return next(self.workdays_from(last_day))

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many have been used by ``end`` of a clock started on ``start``."""
        if end <= start:
            return 0
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + dt.timedelta(days=i)))
