"""Time limits of a case in working days, with pauses (DOMAIN.md §5).

The clock counts only time under review: it starts the day a case is accepted, stops while the
applicant corrects materials (补齐补正) or a special procedure runs (hearing, inspection, expert review),
and then resumes — or restarts from zero where the matter says a correction restarts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from .workdays import CalendarUnknown, WorkCalendar

YELLOW_WITHIN_WORKDAYS = 2  # DOMAIN.md §5: yellow when two working days or fewer are left


class Sla(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    UNKNOWN = "unknown"  # the limit reaches a year whose holidays nobody has published (fails closed)


@dataclass(frozen=True)
class Clock:
    limit: int  # working days allowed (promised or legal), extensions included
    used: int = 0  # working days used in segments already closed
    running_since: dt.date | None = None  # start of the open segment, None while paused

    @classmethod
    def start(cls, *, limit: int, on: dt.date) -> Clock:
        return cls(limit=limit, running_since=on)

    def used_by(self, today: dt.date, calendar: WorkCalendar) -> int:
        if self.running_since is None:
            return self.used
        return self.used + calendar.workdays_between(self.running_since, today)

    def remaining(self, today: dt.date, calendar: WorkCalendar) -> int:
        return self.limit - self.used_by(today, calendar)

    def over(self, today: dt.date, calendar: WorkCalendar) -> bool:
        """Whether the limit ran out before today: more working days used than it allows, or all of them used
        and today a day off after the last one (the Saturday after a Friday last day is already past it). Never
        while paused. Raises CalendarUnknown when today's count needs an unpublished year."""
        if self.running_since is None:
            return False
        remaining = self.remaining(today, calendar)
        return remaining < 0 or (remaining == 0 and not calendar.is_workday(today))

    def due_date(self, today: dt.date, calendar: WorkCalendar) -> dt.date | None:
        """The last working day of the limit if the clock keeps running; None while paused, once the limit is
        over, and while the limit reaches a year whose holidays are not published (left open rather than guessed)."""
        if self.running_since is None:
            return None
        try:
            remaining = self.remaining(today, calendar)
            return None if self.over(today, calendar) else calendar.add_workdays(today, remaining)
        except CalendarUnknown:
            return None

    def sla(self, today: dt.date, calendar: WorkCalendar) -> Sla:
        if self.running_since is None:
            return Sla.PAUSED
        try:
            remaining = self.remaining(today, calendar)
            if self.over(today, calendar):
                return Sla.RED
        except CalendarUnknown:
            return Sla.UNKNOWN
        if remaining <= YELLOW_WITHIN_WORKDAYS:
            return Sla.YELLOW
        return Sla.GREEN

    def pause(self, today: dt.date, calendar: WorkCalendar) -> Clock:
        if self.running_since is None:
            return self
        return replace(self, used=self.used_by(today, calendar), running_since=None)

    def resume(self, today: dt.date, *, restart: bool = False) -> Clock:
        if self.running_since is not None:
            return self
        return replace(self, used=0 if restart else self.used, running_since=today)

    def extend(self, days: int) -> Clock:
        return replace(self, limit=self.limit + days)
