"""Publishing a year from the State Council's notice opens it: limits and slots reach into it again."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.workdays import CalendarUnknown

pytestmark = [pytest.mark.django_db, pytest.mark.unpublished_calendar]


def test_it_publishes_the_days_off_and_the_make_up_days_and_the_year_opens():
    with pytest.raises(CalendarUnknown):
        calendar_get().add_workdays(dt.date(2026, 12, 31), 1)
    out = StringIO()
    call_command(
        "calendar_publish",
        "2027",
        "--off",
        "2027-01-01",
        "--off",
        "2027-02-06:2027-02-12",
        "--work",
        "2027-02-14",
        "--note",
        "国务院办公厅通知",
        stdout=out,
    )
    assert "2027: published (8 days off, 1 make-up working days)" in out.getvalue()
    calendar = calendar_get()
    assert calendar.add_workdays(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)  # 1 Jan off, then the weekend
    assert not calendar.is_workday(dt.date(2027, 2, 8)) and calendar.is_workday(dt.date(2027, 2, 14))  # a Sunday 调休
    assert calendar.is_workday(dt.date(2027, 3, 3))
    # Again, corrected: the year's list is replaced, nothing doubled and no stale day left behind.
    call_command("calendar_publish", "2027", "--off", "2027-01-01", "--off", "2027-02-06:2027-02-11", stdout=StringIO())
    assert PublishedYear.objects.filter(year=2027).count() == 1
    assert CalendarOverride.objects.filter(date=dt.date(2027, 1, 1)).count() == 1
    calendar = calendar_get()
    assert calendar.is_workday(dt.date(2027, 2, 12)) and calendar.is_workday(dt.date(2027, 2, 14)) is False


@pytest.mark.parametrize(
    "args, message",
    [
        (["2027", "--off", "2028-01-01"], "不在 2027 年内"),
        (["2027", "--off", "2027-02-12:2027-02-06"], "日期区间颠倒"),
        (["2027", "--off", "2027-13-01"], "日期格式有误"),
        (["2027", "--off", "2027-02-14", "--work", "2027-02-14"], "同时被列为休息日和工作日"),
        (["1999"], "年份无效"),
        (["2026", "--off", "2026-12-31"], "已在法定数据中"),  # would wipe National Day and the rest
    ],
)
def test_it_refuses_bad_input_and_publishes_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("calendar_publish", *args, stdout=StringIO())
    assert not PublishedYear.objects.exists() and not CalendarOverride.objects.exists()
