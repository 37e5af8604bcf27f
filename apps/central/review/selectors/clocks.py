"""A case's clocks as central reads them: the promised and the legal one, their SLA colours, and the reading
of many cases against one calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.clocks import Clock, Sla
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from ..models import FINISHED, ReviewCase


def clock_of(case: ReviewCase) -> Clock:
    """The case's review clock against its promised limit (plus an approved extension)."""
    return Clock(
        limit=case.promised_limit + case.extended_days, used=case.clock_used, running_since=case.clock_running_since
    )


def legal_clock_of(case: ReviewCase) -> Clock:
    """The same clock against the legal limit (行政许可法 Art. 42: 20 working days, 45 for joint handling,
    plus an approved extension): past it, the case is not only late but unlawfully so."""
    return Clock(
        limit=case.legal_limit + case.extended_days, used=case.clock_used, running_since=case.clock_running_since
    )


def case_sla(case: ReviewCase, *, today: dt.date | None = None, calendar=None) -> tuple[Sla, dt.date | None]:
    """SLA colour and due date against the promise of a case still being worked on; finished cases are
    done (green)."""
    if case.status in FINISHED:
        return Sla.GREEN, None
    today = today or timezone.localdate()
    calendar = calendar or calendar_get()
    clock = clock_of(case)
    return clock.sla(today, calendar), clock.due_date(today, calendar)


def case_legal_sla(case: ReviewCase, *, today: dt.date | None = None, calendar=None) -> tuple[Sla, dt.date | None]:
    """SLA colour and due date against the legal limit (DOMAIN.md §5), as case_sla does for the promise."""
    if case.status in FINISHED:
        return Sla.GREEN, None
    today = today or timezone.localdate()
    calendar = calendar or calendar_get()
    clock = legal_clock_of(case)
    return clock.sla(today, calendar), clock.due_date(today, calendar)


@dataclass(frozen=True)
class SlaReading:
    """A case's colours and due dates on one day, against the promise and against the law (None: finished)."""

    sla: Sla | None
    due: dt.date | None
    legal_sla: Sla | None
    legal_due: dt.date | None


def case_reading(case: ReviewCase, *, today: dt.date, calendar: WorkCalendar) -> SlaReading:
    if case.status in FINISHED:
        return SlaReading(None, None, None, None)
    promised, legal = clock_of(case), legal_clock_of(case)
    return SlaReading(
        promised.sla(today, calendar),
        promised.due_date(today, calendar),
        legal.sla(today, calendar),
        legal.due_date(today, calendar),
    )


def case_readings(cases: Sequence[ReviewCase], *, today: dt.date | None = None) -> dict[int, SlaReading]:
    """The readings of a page of cases, with the calendar read once (two queries whatever the page)."""
    today = today or timezone.localdate()
    calendar = _CountedOnce(calendar_get())
    return {case.id: case_reading(case, today=today, calendar=calendar) for case in cases}


class _CountedOnce(WorkCalendar):
    """The calendar, counting the working days between two dates once per request: the cases of a queue share
    few start dates, so ordering thousands by urgency costs a few hundred counts, not one per case."""

    def __init__(self, calendar: WorkCalendar) -> None:
        super().__init__(calendar.overrides, calendar.published_years)
        self._counted: dict[tuple[dt.date, dt.date], int | CalendarUnknown] = {}

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._counted:
            try:
                self._counted[key] = super().workdays_between(start, end)
            except CalendarUnknown as exc:
                self._counted[key] = exc
        counted = self._counted[key]
        if isinstance(counted, CalendarUnknown):
            raise counted
        return counted


# --- The queue: filters, orderings and pages (the API's list and the workbench page alike) ---------------
