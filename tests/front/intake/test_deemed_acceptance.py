"""行政许可法 Art. 32 (4): a hall that neither accepts, refuses nor gives the one-time notice within five working
days of receipt has accepted the application, from the day it received the materials. The job moves the case
once, its clocks start from the day of receipt, it goes to central like any accepted case, the applicant is
told, and the hall can no longer refuse it or ask for more. Counted in working days: weekends and statutory
holidays off, make-up workdays (调休) on, and an unpublished year never guessed."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import Case, CaseEvent, CaseStatus, Document, DocumentKind
from apps.front.intake.services import cases_deem_accepted, cases_fill_open_dates
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from tests.journey_helpers import upload

from .test_outcomes import called_ticket, pdf_text  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# Wednesday before the 2026 Spring Festival: the five working days are Thu 12, Fri 13, Sat 14 (调休, a
# make-up workday), then the holiday Feb 15–23, then Tue 24 and Wed 25.
RECEIVED = timezone.make_aware(dt.datetime(2026, 2, 11, 10, 0))
LIMIT = dt.date(2026, 2, 25)


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


def received_on(case_number: str, moment: dt.datetime) -> Case:
    """The case as if the window had received it at ``moment``: its limit counted by the product's own code."""
    Case.objects.filter(number=case_number).update(received_at=moment, intake_started_at=moment, intake_deadline=None)
    cases_fill_open_dates()
    return Case.objects.get(number=case_number)


@pytest.fixture
def held(api, clerk, called_ticket):  # noqa: F811
    """仅收件 at the window: the hall keeps the materials to examine them."""
    response = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart")
    assert response.status_code == 201, response.content
    return received_on(response.json()["number"], RECEIVED)


def test_the_limit_is_five_working_days_counting_the_make_up_day_and_skipping_the_holiday(held):
    assert held.intake_deadline == LIMIT


def test_on_the_last_day_the_hall_may_still_decide_and_the_day_after_the_law_has(held, citizen):
    with at(LIMIT, 23):
        assert cases_deem_accepted() == 0
        assert not held.__class__.objects.get(id=held.id).intake_limit_passed(timezone.localdate())
    with at(LIMIT + dt.timedelta(days=1)):
        assert cases_deem_accepted() == 1
        assert cases_deem_accepted() == 0  # once
    case = Case.objects.get(id=held.id)
    assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted_at is not None
    # Accepted from the day of receipt: the acceptance and the promise count from then (5 working days).
    assert case.accepted_at == RECEIVED
    assert case.promised_date == LIMIT
    event = CaseEvent.objects.get(case=case, to_status=CaseStatus.ACCEPTED)
    assert event.actor is None and event.actor_label == "系统" and "第三十二条" in event.note
    # It goes to central like any accepted case, dated from the receipt.
    [submitted] = OutboxMessage.objects.filter(kind="case.submitted")
    assert submitted.payload["number"] == case.number
    assert dt.datetime.fromisoformat(submitted.payload["accepted_at"]) == RECEIVED
    assert submitted.payload["promised_date"] == LIMIT.isoformat()
    # A written receipt says why, and the applicant is told.
    receipt = Document.objects.get(case=case, kind=DocumentKind.RECEIPT)
    assert (
        receipt.issued_by is None
        and receipt.content["deemed"] is True
        and receipt.content["accepted_on"] == "2026-02-11"
    )
    told = Notification.objects.get(recipient=citizen, event="case.deemed_accepted", channel="inbox")
    assert case.number in told.body and "视为受理" in told.body
    assert "视为受理" in case.sentence


def test_the_receipt_pdf_says_it_was_accepted_by_law(held, citizen):
    with at(LIMIT + dt.timedelta(days=3)):
        cases_deem_accepted()
    receipt = Document.objects.get(case_id=held.id, kind=DocumentKind.RECEIPT)
    client = Client()
    client.force_login(citizen)
    text = pdf_text(client, f"/documents/{receipt.verification_code}.pdf")
    assert "自收到申请材料之日" in text and "即为受理" in text and "2026-02-11" in text
    assert "申请材料齐全" not in text
    # The applicant's own page says it in plain words.
    assert "依法自收件之日起视为受理" in client.get(f"/cases/{held.number}/").content.decode()


def test_a_notice_given_in_time_stops_it_and_the_answer_starts_five_working_days_again(api, clerk, held):
    with at(LIMIT):
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{held.number}/notice/", {"items": ["缺少户口簿"]}, format="multipart"
        )
        assert response.status_code == 200, response.content
    with at(LIMIT + dt.timedelta(days=30)):
        assert cases_deem_accepted() == 0  # waiting on the applicant, not on the hall
    # The applicant brings the items on Monday 2026-03-30: Mar 31, Apr 1, 2, 3, then Qingming (Apr 4–6),
    # then Tue Apr 7, the new limit.
    answered = timezone.make_aware(dt.datetime(2026, 3, 30, 15, 0))
    new_limit = dt.date(2026, 4, 7)
    with time_machine.travel(answered, tick=False):
        brought = api(clerk).post(
            f"/api/v1/workbench/cases/{held.number}/materials/", {"extra": upload("photo.png")}, format="multipart"
        )
        assert brought.status_code == 200, brought.content
        assert brought.json()["intake_deadline"] == new_limit.isoformat()
        assert brought.json()["notice_outstanding"] is False
    with at(new_limit, 23):
        assert cases_deem_accepted() == 0
    with at(new_limit + dt.timedelta(days=1)):
        assert cases_deem_accepted() == 1
    case = Case.objects.get(id=held.id)
    # Accepted as of the day the materials the notice asked for were received.
    assert case.status == CaseStatus.ACCEPTED and case.accepted_at == answered


def test_past_the_limit_the_hall_can_no_longer_refuse_or_ask_for_more(api, clerk, held):
    with at(LIMIT + dt.timedelta(days=1)):
        refused = api(clerk).post(
            f"/api/v1/workbench/cases/{held.number}/refuse/", {"reason": "不属于本机关职权"}, format="json"
        )
        assert refused.status_code == 409 and refused.json()["code"] == "intake_limit_passed"
        notice = api(clerk).post(
            f"/api/v1/workbench/cases/{held.number}/notice/", {"items": ["缺少照片"]}, format="multipart"
        )
        assert notice.status_code == 409 and notice.json()["code"] == "intake_limit_passed"
        # The clerk's page says so instead of offering the outcomes.
        client = Client()
        client.force_login(clerk)
        page = client.get(f"/workbench/cases/{held.number}/").content.decode()
        assert "依法自收件之日起视为受理" in page and 'name="action" value="refuse"' not in page
        listing = client.get("/workbench/cases/").content.decode()
        assert held.number in listing and "已逾期：依法视为受理" in listing
    case = Case.objects.get(id=held.id)
    assert (
        case.status == CaseStatus.RECEIVED
        and not case.notice_sent_at
        and not Document.objects.filter(case=case).exists()
    )


@pytest.mark.unpublished_calendar
def test_a_limit_in_an_unpublished_year_is_never_guessed_then_counted_once_published(held):
    # Received Monday 2026-12-28: the fifth working day falls in 2027, whose holidays nobody has entered.
    moment = timezone.make_aware(dt.datetime(2026, 12, 28, 10, 0))
    case = received_on(held.number, moment)
    assert case.intake_deadline is None
    with at(dt.date(2027, 1, 20)):
        assert cases_deem_accepted() == 0
    assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED
    # The administrator publishes 2027 (New Year's Day off): Dec 29, 30, 31, Jan 4, Jan 5.
    PublishedYear.objects.create(year=2027)
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    with at(dt.date(2027, 1, 5)):
        assert cases_deem_accepted() == 0
    assert Case.objects.get(id=case.id).intake_deadline == dt.date(2027, 1, 5)
    with at(dt.date(2027, 1, 6)):
        assert cases_deem_accepted() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.accepted_at == moment
