"""Time limits of consultation tickets in working days (DOMAIN.md §6, the 12345 practice).

* response: the same working day (the day asked, or the next working day when asked on a day off);
* answer: consultations 3 working days, complaints 13; suggestions as complaints;
* reminder to the owner when one working day is left, escalation to the hall's supervisors on the
  last day (before the limit is missed) or when nobody has taken a ticket by its response day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from .models import TicketKind

# DOMAIN.md §6: "consult same day or ≤ 3 working days; complaints ≤ 13 working days".
ANSWER_LIMIT_WORKDAYS: dict[str, int] = {
    TicketKind.CONSULTATION: 3,
    TicketKind.COMPLAINT: 13,
    TicketKind.SUGGESTION: 13,
}
REMIND_WHEN_WORKDAYS_LEFT = 1
ESCALATE_WHEN_WORKDAYS_LEFT = 0


@dataclass(frozen=True)
class Deadlines:
    response_due: dt.date | None
    due_date: dt.date | None


def deadlines_for(*, kind: str, asked_on: dt.date, calendar: WorkCalendar) -> Deadlines:
    """Both deadlines of a ticket asked on ``asked_on``; None where the calendar is not published."""
    try:
        response_due: dt.date | None = calendar.next_workdays(asked_on, 1)[0]
    except CalendarUnknown:
        response_due = None
    try:
        due_date: dt.date | None = calendar.add_workdays(asked_on, ANSWER_LIMIT_WORKDAYS[kind])
    except CalendarUnknown:
        due_date = None
    return Deadlines(response_due=response_due, due_date=due_date)


def workdays_left(*, due_date: dt.date, today: dt.date, calendar: WorkCalendar) -> int:
    """Working days after today up to the due date; 0 on the last day, negative once overdue."""
    if today <= due_date:
        return calendar.workdays_between(today, due_date)
    return -calendar.workdays_between(due_date, today)
