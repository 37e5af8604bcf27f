"""A held case whose one-time notice (一次性告知) is never answered ends (issue 13): past HELD_NOTICE_ANSWER_DAYS
calendar days (30 by default), ending on a working day by 民法典 Art. 203, the application is deemed withdrawn
(逾期未补正的，视为撤回申请) by a periodic job, once, with the reason on the case's record and the applicant told
(reminded a few days before, too). A case held with no notice (仅收件) is not touched: Art. 32's deemed acceptance
covers it. An unpublished year is never guessed: the case waits, and the last day is fixed once it is published."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from apps.front.intake.models import Case, CaseEvent, CaseStatus
from apps.front.intake.services import cases_fill_open_dates, cases_notice_lapse
from apps.front.notifications.models import Language, Notification
from apps.front.notifications.services import preference_update
from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from tests.journey_helpers import upload

from .test_outcomes import called_ticket, page_client, required  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# Noticed on Tuesday 2026-09-01: the 30th day is Thursday Oct 1, 国庆 (Oct 1–7), so the last day is Thu Oct 8.
NOTICED = dt.date(2026, 9, 1)
NOMINAL = dt.date(2026, 10, 1)
LAST_DAY = dt.date(2026, 10, 8)


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


@pytest.fixture
def received(api, clerk, called_ticket):  # noqa: F811
    """仅收件 at the window, as if on the Monday before NOTICED."""
    response = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart")
    assert response.status_code == 201, response.content
    return received_on(response.json()["number"], dt.date(2026, 8, 31))


def received_on(number: str, day: dt.date) -> Case:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Case.objects.filter(number=number).update(received_at=moment, intake_started_at=moment, intake_deadline=None)
    cases_fill_open_dates()
    return Case.objects.get(number=number)


def notice_on(api, clerk, case: Case, day: dt.date) -> Case:
    """The hall gives the one-time notice on ``day`` through the held-case API."""
    with at(day, 10):
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{case.number}/notice/", {"items": ["缺少居民身份证原件"]}, format="multipart"
        )
    assert response.status_code == 200, response.content
    return Case.objects.get(id=case.id)


def test_unanswered_it_is_deemed_withdrawn_the_day_after_the_last_day_moved_past_the_holiday(
    api, clerk, citizen, received
):
    case = notice_on(api, clerk, received, NOTICED)
    assert case.notice_answer_deadline == LAST_DAY
    # Not during the holiday the nominal day fell in, nor on the last day itself.
    for day in (NOMINAL, dt.date(2026, 10, 2), dt.date(2026, 10, 4)):
        with at(day, 20):
            assert cases_notice_lapse() == 0, day
    # Reminded once, three days before the real last day.
    with at(dt.date(2026, 10, 5)):
        assert cases_notice_lapse() == 1
        assert cases_notice_lapse() == 0
    reminder = Notification.objects.get(recipient=citizen, event="case.notice_answer_reminder", channel="sms")
    assert "2026-10-08" in reminder.body and "缺少居民身份证原件" in reminder.body and "视为撤回" in reminder.body
    with at(LAST_DAY, 23):
        assert cases_notice_lapse() == 0
    assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED
    with at(LAST_DAY + dt.timedelta(days=1)):
        assert cases_notice_lapse() == 1
        assert cases_notice_lapse() == 0  # once
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.deemed_withdrawn_at is not None
    event = CaseEvent.objects.get(case=case, to_status=CaseStatus.WITHDRAWN)
    assert event.actor_label == "系统" and "2026-10-08" in event.note and "视为撤回" in event.note
    told = Notification.objects.filter(recipient=citizen, event="case.deemed_withdrawn")
    assert told.exists() and all("2026-10-08" in n.body and "视为撤回" in n.body for n in told)
    assert "视为撤回" in case.sentence
    # The hall can no longer decide on it.
    late = api(clerk).post(f"/api/v1/workbench/cases/{case.number}/refuse/", {"reason": "x"}, format="json")
    assert late.status_code == 409


def test_the_applicant_is_told_in_english_too(api, clerk, citizen, received):
    preference_update(user=citizen, sms=True, email=False, language=Language.EN)
    notice_on(api, clerk, received, NOTICED)
    with at(LAST_DAY + dt.timedelta(days=1)):
        cases_notice_lapse()
    sms = Notification.objects.get(recipient=citizen, event="case.deemed_withdrawn", channel="sms")
    assert "deemed withdrawn" in sms.body and "2026-10-08" in sms.body


def test_answered_in_time_it_goes_on(api, clerk, matter, received):
    case = notice_on(api, clerk, received, NOTICED)
    with at(dt.date(2026, 9, 30), 10):
        brought = page_client(clerk).post(
            f"/workbench/cases/{case.number}/", {"action": "supplement", f"material_{required(matter).id}": upload()}
        )
    assert brought.status_code == 302
    with at(LAST_DAY + dt.timedelta(days=1)):
        cases_notice_lapse()
    assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED


def test_a_case_held_with_no_notice_is_not_touched(received):
    with at(dt.date(2026, 12, 1)):
        assert cases_notice_lapse() == 0
    case = Case.objects.get(id=received.id)
    assert case.status == CaseStatus.RECEIVED and case.deemed_withdrawn_at is None


def test_the_period_is_a_setting(api, clerk, received, settings):
    settings.HELD_NOTICE_ANSWER_DAYS = 10
    case = notice_on(api, clerk, received, NOTICED)
    assert case.notice_answer_deadline == dt.date(2026, 9, 11)  # a Friday, a working day
    with at(dt.date(2026, 9, 12)):
        cases_notice_lapse()
    assert Case.objects.get(id=case.id).status == CaseStatus.WITHDRAWN


def test_the_job_is_scheduled():
    assert django_settings.CELERY_BEAT_SCHEDULE["intake-notice-lapse"]["task"] == "apps.intake.tasks.cases_notice_lapse"


@pytest.mark.unpublished_calendar
def test_a_last_day_in_an_unpublished_year_is_never_guessed_then_fixed_once_published(api, clerk, received):
    # Noticed Thursday 2026-12-10: the 30th day is Saturday 2027-01-09, in a year whose holidays nobody has entered.
    case = notice_on(api, clerk, received_on(received.number, dt.date(2026, 12, 9)), dt.date(2026, 12, 10))
    assert case.notice_answer_deadline == dt.date(2027, 1, 9)  # the calendar date, not moved on a guess
    for day in (dt.date(2027, 1, 11), dt.date(2027, 2, 1)):
        with at(day):
            assert cases_notice_lapse() == 0, day
    assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED
    # Published Monday–Friday: Saturday Jan 9 is off, so the last day is Monday Jan 11.
    PublishedYear.objects.create(year=2027)
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    with at(dt.date(2027, 1, 11), 20):
        cases_notice_lapse()
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and case.notice_answer_deadline == dt.date(2027, 1, 11)
    with at(dt.date(2027, 1, 12)):
        cases_notice_lapse()
    assert Case.objects.get(id=case.id).status == CaseStatus.WITHDRAWN
