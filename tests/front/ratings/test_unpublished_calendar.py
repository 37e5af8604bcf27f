"""The last days of a year whose successor's holiday calendar is not yet published (chinesecalendar knows up
to 2026; an administrator publishes 2027). A limit in working days cannot be computed then: it is left
open (None) rather than guessed, and the periodic job fills it in once the year is published. Nothing that
a citizen or a unit does may fail for it: a 差评, the unit's reply, the rating of the fix, an appeal."""

import datetime as dt

import pytest
from django.test import Client

from apps.front.notifications.models import Notification
from apps.front.ratings.models import CallbackOutcome, EvaluationChannel, Invitation, Rectification, RectificationStatus
from apps.front.ratings.services import (
    evaluation_submit_for_ticket,
    invitations_send_due,
    rectification_appeal,
    rectification_assign,
    rectification_callback_record,
    rectification_rate_fix,
    rectification_reply,
    rectifications_remind,
)
from apps.shared.workcalendar.models import PublishedYear

from .conftest import at, make_ticket, travel

pytestmark = [pytest.mark.django_db, pytest.mark.unpublished_calendar]

# Tuesday 29 December 2026: three working days later is in 2027.
LAST_TUESDAY = dt.date(2026, 12, 29)


@pytest.fixture
def late_december():
    with travel(LAST_TUESDAY) as traveller:
        yield traveller


def _bad_rating(hall, matter, citizen, number=1) -> Rectification:
    ticket = make_ticket(hall, matter, citizen=citizen, number=number)
    evaluation = evaluation_submit_for_ticket(
        ticket_id=ticket.id, hall_id=hall.id, score=5, channel=EvaluationChannel.TABLET
    )
    return Rectification.objects.get(evaluation=evaluation)


def test_a_bad_rating_is_kept_and_the_unit_may_still_appeal(late_december, hall, matter, citizen, clerk):
    rectification = _bad_rating(hall, matter, citizen)
    assert rectification.status == RectificationStatus.OPEN
    assert rectification.due_date == dt.date(2027, 1, 5)  # 7 natural days: no calendar needed
    assert rectification.appeal_due is None  # 3 working days: not known yet, and not guessed
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/rectifications/{rectification.id}/").content.decode()
    assert "待定（节假日安排未发布）" in page and f"/rectifications/{rectification.id}/appeal/" in page
    appealed = rectification_appeal(actor=clerk, rectification_id=rectification.id, reason="评价的不是本窗口的服务")
    assert appealed.appeal_status == "pending"


def test_the_unit_replies_and_the_citizen_rates_the_fix(late_december, api, hall, matter, citizen, clerk):
    rectification = _bad_rating(hall, matter, citizen)
    rectification_assign(actor=clerk, rectification_id=rectification.id)
    rectification_callback_record(
        actor=clerk,
        rectification_id=rectification.id,
        called_at=at(LAST_TUESDAY, 10),
        outcome=CallbackOutcome.REACHED,
        summary="已致歉",
    )
    replied = rectification_reply(actor=clerk, rectification_id=rectification.id, fix="培训", reply="已整改")
    assert replied.status == RectificationStatus.REPLIED and replied.fix_rating_due is None
    sms = Notification.objects.get(recipient=citizen, event="rating.rectification_done", channel="inbox")
    assert "/rate/fix/" in sms.body and "节假日安排" in sms.body
    closed = rectification_rate_fix(rectification_id=rectification.id, rating=1, citizen=citizen)
    assert closed.status == RectificationStatus.CLOSED


def test_the_limits_are_filled_in_once_the_year_is_published(late_december, hall, matter, citizen, clerk):
    open_one = _bad_rating(hall, matter, citizen, number=1)
    replied = _bad_rating(hall, matter, citizen, number=2)
    rectification_assign(actor=clerk, rectification_id=replied.id)
    rectification_callback_record(
        actor=clerk,
        rectification_id=replied.id,
        called_at=at(LAST_TUESDAY, 10),
        outcome=CallbackOutcome.REACHED,
        summary="已致歉",
    )
    rectification_reply(actor=clerk, rectification_id=replied.id, fix="培训", reply="已整改")
    rectifications_remind()  # still unknown: nothing filled in, nothing fails
    open_one.refresh_from_db()
    assert open_one.appeal_due is None
    # 2027 published as the administrator enters it: 1 January off, the rest Monday to Friday.
    PublishedYear.objects.create(year=2027)
    from apps.shared.workcalendar.models import CalendarOverride

    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False)
    rectifications_remind()
    open_one.refresh_from_db()
    replied.refresh_from_db()
    # Wednesday 30, Thursday 31 December, (Friday 1 January off), Monday 4 January.
    assert open_one.appeal_due == dt.date(2027, 1, 4)
    assert replied.appeal_due == dt.date(2027, 1, 4)
    # Five working days from the reply on Tuesday 29 December: 30, 31, 4, 5, 6 January.
    assert replied.fix_rating_due == dt.date(2027, 1, 6)


def test_sms_invitations_wait_for_the_calendar_instead_of_failing(late_december, hall, matter, citizen, other_citizen):
    make_ticket(hall, matter, citizen=citizen, number=1, finished_at=at(LAST_TUESDAY, 9))
    make_ticket(hall, matter, citizen=other_citizen, number=2, finished_at=at(LAST_TUESDAY, 9, 30))
    assert invitations_send_due() == 0
    assert not Invitation.objects.exists()
    PublishedYear.objects.create(year=2027)
    assert invitations_send_due() == 2
    assert Invitation.objects.count() == 2
