"""Intake's periods counted in calendar days (容缺 commitments, the answer to a one-time notice), ended by the
Civil Code's rule (民法典 Art. 203): when the last day is a statutory day off, the period ends on the first
working day after it; a make-up workday (调休) is a working day and may be the last day.

The stored date is the best one known when it is set: the real last day, or, while the calendar of the year
it reaches is not published, the nominal calendar date (never a guess that moves it). Every job applies the
rule again when it reads the date (``last_day``: the real day, idempotent on a date already moved, or None
while still unknown, when nothing is enforced), and ``periods_fill`` writes the real day once the year is
published, so the pages and messages show it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from apps.front.intake.conf import intake_conf
from apps.shared.workcalendar.selectors import calendar_get, period_end_or_none
from govservice.lib.workdays import WorkCalendar

from ..models import COMMITMENT_OPEN_STATES, Case, CaseStatus


def period_deadline(start: dt.date, days: int, calendar: WorkCalendar | None = None) -> dt.date:
    """``days`` calendar days after ``start``, moved past days off (Art. 203); the nominal date while unknown."""
    nominal = start + dt.timedelta(days=days)
    return period_end_or_none(nominal, calendar) or nominal


def commitment_deadline_from(today: dt.date) -> dt.date:
    """The last day to supply the items deferred on a 容缺 commitment made ``today``."""
    return period_deadline(today, intake_conf.COMMITMENT_DAYS)


def notice_answer_deadline_from(today: dt.date) -> dt.date:
    """The last day to answer a one-time notice given ``today``: past it the application is deemed withdrawn."""
    return period_deadline(today, intake_conf.HELD_NOTICE_ANSWER_DAYS)


def last_day(stored: dt.date | None, calendar: WorkCalendar) -> dt.date | None:
    """The real last day of a stored period end (None when there is none or it cannot be told yet)."""
    return None if stored is None else period_end_or_none(stored, calendar)


def commitment_owed_q() -> Q:
    """Commitments with items owed, not yet met nor broken, on cases still being worked on."""
    return Q(status__in=COMMITMENT_OPEN_STATES, commitment_met_at__isnull=True, commitment_broken_at__isnull=True) & ~Q(
        commitment_items=[]
    )


def periods_fill(*, calendar: WorkCalendar | None = None) -> int:
    """Move the stored ends that fell on a day off of a year not published when they were set to their real
    last day, now that it may be (a no-op for ends already right). Each periodic job that reads these ends calls
    it first, so it works by date, not by case: one read of the distinct stored dates, and one UPDATE per date
    that moves (however many cases share it)."""
    calendar = calendar or calendar_get()
    filled = 0
    for field, rows in (
        ("commitment_deadline", Case.objects.filter(commitment_owed_q(), commitment_deadline__isnull=False)),
        (
            "notice_answer_deadline",
            Case.objects.filter(status=CaseStatus.RECEIVED, notice_answer_deadline__isnull=False),
        ),
    ):
        for stored in rows.order_by().values_list(field, flat=True).distinct():
            real = last_day(stored, calendar)
            if real is not None and real != stored:
                filled += rows.filter(**{field: stored}).update(**{field: real})
    return filled
