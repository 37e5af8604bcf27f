"""Case clocks in working days, across a holiday and a 调休 Saturday, with pauses (DOMAIN.md §5)."""

import datetime as dt

from govservice.lib.clocks import Clock, Sla
from govservice.lib.workdays import WorkCalendar

CAL = WorkCalendar()
D = dt.date


def test_it_counts_only_working_days_across_national_day_and_a_tiaoxiu_saturday():
    # Accepted Tue 29 Sep 2026; Oct 1-7 off; Sat Oct 10 is a make-up working day.
    clock = Clock.start(limit=5, on=D(2026, 9, 29))
    assert clock.used_by(D(2026, 9, 30), CAL) == 1
    assert clock.used_by(D(2026, 10, 7), CAL) == 1  # the whole holiday counts nothing
    assert clock.used_by(D(2026, 10, 10), CAL) == 4  # Oct 8, 9 and the 调休 Saturday
    assert clock.due_date(D(2026, 9, 29), CAL) == D(2026, 10, 12)


def test_it_pauses_for_a_correction_and_resumes_where_it_stopped():
    clock = Clock.start(limit=10, on=D(2026, 11, 2))  # Monday
    paused = clock.pause(D(2026, 11, 5), CAL)  # 3 working days used
    assert paused.used == 3 and paused.sla(D(2026, 11, 20), CAL) == Sla.PAUSED
    assert paused.due_date(D(2026, 11, 20), CAL) is None
    # Two weeks of correction count nothing.
    resumed = paused.resume(D(2026, 11, 19))
    assert resumed.used_by(D(2026, 11, 20), CAL) == 4
    assert resumed.due_date(D(2026, 11, 19), CAL) == D(2026, 11, 30)


def test_it_restarts_when_the_matter_says_a_correction_restarts_the_clock():
    paused = Clock.start(limit=10, on=D(2026, 11, 2)).pause(D(2026, 11, 13), CAL)
    assert paused.used == 9
    restarted = paused.resume(D(2026, 11, 16), restart=True)
    assert restarted.remaining(D(2026, 11, 16), CAL) == 10


def test_it_colours_the_sla_green_yellow_red():
    clock = Clock.start(limit=5, on=D(2026, 11, 2))
    assert clock.sla(D(2026, 11, 4), CAL) == Sla.GREEN  # 3 left
    assert clock.sla(D(2026, 11, 5), CAL) == Sla.YELLOW  # 2 left
    assert clock.sla(D(2026, 11, 9), CAL) == Sla.YELLOW  # 0 left: the last day
    assert clock.sla(D(2026, 11, 10), CAL) == Sla.RED
    assert clock.extend(10).sla(D(2026, 11, 10), CAL) == Sla.GREEN


def test_a_day_off_after_the_last_day_is_already_past_it():
    # Four working days from Mon 2 Nov 2026: the last is Fri 6 Nov. On the Saturday after, no working day is left
    # and none was missed that day, yet the limit ran out on Friday: red, no due date (as the Monday after), never
    # "yellow, due Saturday". The same rule refuses an extension then (central's services/clock.py).
    clock = Clock.start(limit=4, on=D(2026, 11, 2))
    assert (clock.sla(D(2026, 11, 6), CAL), clock.due_date(D(2026, 11, 6), CAL)) == (Sla.YELLOW, D(2026, 11, 6))
    assert clock.over(D(2026, 11, 6), CAL) is False
    for day in (D(2026, 11, 7), D(2026, 11, 8), D(2026, 11, 9)):
        assert (clock.over(day, CAL), clock.sla(day, CAL), clock.due_date(day, CAL)) == (True, Sla.RED, None)
    # Not before the last day: a Saturday with a working day still left is not past anything.
    later = Clock.start(limit=4, on=D(2026, 11, 4))  # Thu 5 and Fri 6 used by Saturday, two left
    assert (later.over(D(2026, 11, 7), CAL), later.sla(D(2026, 11, 7), CAL)) == (False, Sla.YELLOW)
    # A paused clock is never past its limit while paused.
    assert clock.pause(D(2026, 11, 6), CAL).over(D(2026, 11, 7), CAL) is False


def test_a_limit_reaching_an_unpublished_year_is_left_open_not_guessed():
    # chinesecalendar ends with 2026; nobody has published 2027 in this calendar.
    clock = Clock.start(limit=20, on=D(2026, 12, 14))
    assert clock.sla(D(2026, 12, 15), CAL) == Sla.GREEN  # the days used so far are all known
    assert clock.due_date(D(2026, 12, 15), CAL) is None  # the last day is in 2027
    # Once the days used themselves reach into 2027, not even the colour can be told.
    assert clock.sla(D(2027, 1, 6), CAL) == Sla.UNKNOWN
    assert clock.due_date(D(2027, 1, 6), CAL) is None
    published = WorkCalendar({D(2027, 1, 1): False}, published_years={2027})
    # 19 left after Dec 15: Dec 16–18, 21–25, 28–31, Jan 4–8 (New Year off), 11, 12.
    assert clock.due_date(D(2026, 12, 15), published) == D(2027, 1, 12)
    assert clock.sla(D(2027, 1, 6), published) == Sla.GREEN
