"""Working days with China's statutory calendar, overrides first, failing closed on unknown years
(DOMAIN.md §3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from govservice.lib.workdays import CalendarUnknown, WorkCalendar

D = dt.date


@pytest.mark.parametrize(
    "day", [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]
)
def test_it_counts_the_2026_make_up_weekend_days_as_workdays(day):
    assert day.weekday() >= 5
    assert WorkCalendar().is_workday(day)


@pytest.mark.parametrize("day", [D(2026, 10, 1) + dt.timedelta(days=i) for i in range(7)])
def test_it_takes_national_day_week_off(day):
    assert not WorkCalendar().is_workday(day)


def test_it_takes_a_plain_weekend_off_and_works_the_weekdays_around_it():
    calendar = WorkCalendar()

    assert not calendar.is_workday(D(2026, 11, 28))
    assert not calendar.is_workday(D(2026, 11, 29))
    assert calendar.is_workday(D(2026, 11, 27))
    assert calendar.is_workday(D(2026, 11, 30))


def test_it_adds_workdays_across_the_october_holiday():
    calendar = WorkCalendar()

    assert calendar.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)  # the make-up Saturday counts
    assert calendar.add_workdays(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_it_does_not_count_the_start_day_when_adding():
    calendar = WorkCalendar()

    assert calendar.add_workdays(D(2026, 11, 23), 1) == D(2026, 11, 24)
    assert calendar.add_workdays(D(2026, 11, 28), 1) == D(2026, 11, 30)  # from a Saturday
    assert calendar.add_workdays(D(2026, 11, 23), 0) == D(2026, 11, 23)


def test_it_counts_workdays_between_two_dates():
    calendar = WorkCalendar()

    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.workdays_between(D(2026, 11, 23), D(2026, 11, 30)) == 5
    assert calendar.workdays_between(D(2026, 11, 23), D(2026, 11, 23)) == 0
    assert calendar.workdays_between(D(2026, 11, 30), D(2026, 11, 23)) == 0


def test_it_adds_and_counts_consistently():
    calendar = WorkCalendar()
    start = D(2026, 9, 25)

    for n in range(1, 15):
        assert calendar.workdays_between(start, calendar.add_workdays(start, n)) == n


def test_it_lists_the_next_workdays_from_a_start_day_included():
    calendar = WorkCalendar()

    assert calendar.next_workdays(D(2026, 9, 30), 3) == [D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9)]
    assert calendar.next_workdays(D(2026, 9, 30), 0) == []


def test_it_lets_an_override_win_over_the_package():
    calendar = WorkCalendar({D(2026, 10, 8): False, D(2026, 11, 28): True})

    assert not calendar.is_workday(D(2026, 10, 8))  # e.g. the whole city closed
    assert calendar.is_workday(D(2026, 11, 28))
    assert calendar.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 9)


def test_it_fails_closed_for_a_year_the_package_does_not_know():
    with pytest.raises(CalendarUnknown) as info:
        WorkCalendar().is_workday(D(2027, 3, 3))

    assert info.value.year == 2027
    assert re.search(r"[\u4e00-\u9fff]", str(info.value))


def test_it_fails_closed_before_the_first_year_the_package_knows():
    with pytest.raises(CalendarUnknown):
        WorkCalendar().is_workday(D(2003, 6, 2))


def test_it_fails_closed_when_a_deadline_runs_into_an_unknown_year():
    with pytest.raises(CalendarUnknown):
        WorkCalendar().add_workdays(D(2026, 12, 28), 10)


def test_it_reaches_the_last_workday_of_a_known_year_without_looking_past_it():
    calendar = WorkCalendar()

    assert calendar.add_workdays(D(2026, 12, 30), 1) == D(2026, 12, 31)
    assert calendar.next_workdays(D(2026, 12, 31), 1) == [D(2026, 12, 31)]


def test_it_answers_an_override_in_an_unknown_year_without_guessing_the_rest():
    calendar = WorkCalendar({D(2027, 1, 4): True})

    assert calendar.is_workday(D(2027, 1, 4))
    with pytest.raises(CalendarUnknown):
        calendar.is_workday(D(2027, 1, 5))


def test_it_follows_monday_to_friday_in_a_published_year_with_overrides_first():
    calendar = WorkCalendar({D(2027, 1, 1): False, D(2027, 2, 20): True}, published_years={2027})

    assert calendar.is_workday(D(2027, 3, 3))  # Wednesday
    assert not calendar.is_workday(D(2027, 3, 6))  # Saturday
    assert not calendar.is_workday(D(2027, 1, 1))  # New Year's Day, entered as an override
    assert calendar.is_workday(D(2027, 2, 20))  # a make-up Saturday, entered as an override
    assert calendar.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.parametrize(
    ("nominal", "last"),
    [
        (D(2026, 10, 5), D(2026, 10, 8)),  # 国庆: the first working day after the holiday
        (D(2026, 10, 10), D(2026, 10, 10)),  # a 调休 Saturday is a working day: it stays
        (D(2026, 10, 11), D(2026, 10, 12)),  # a plain Sunday: Monday
        (D(2026, 3, 10), D(2026, 3, 10)),  # a working day: itself
    ],
)
def test_a_period_ending_on_a_day_off_ends_on_the_next_working_day(nominal, last):
    """民法典 Art. 203, shared by the front's 容缺 and notice periods and central's correction period."""
    assert WorkCalendar().period_end(nominal) == last


def test_a_period_end_in_an_unknown_year_fails_closed():
    with pytest.raises(CalendarUnknown):
        WorkCalendar().period_end(D(2027, 1, 9))
