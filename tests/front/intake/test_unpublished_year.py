"""A limit in working days that reaches a year whose holidays nobody has published (chinesecalendar ends with
2026; an administrator publishes the next year in the admin). The window goes on receiving and accepting:
the intake limit and the promised date are left open ("待定") rather than guessed, supervisors are warned
rather than left blind, and the dates are filled in once the year is published."""

import datetime as dt

import pytest
from django.test import Client

from apps.front.intake.models import Case, CaseStatus
from apps.front.intake.services import cases_fill_open_dates, cases_intake_deadline_warn
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.models import PublishedYear
from apps.shared.workcalendar.selectors import calendar_get
from tests.factories import make_user
from tests.journey_helpers import PDF, upload

from .test_outcomes import called_ticket, pdf_text, required  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.unpublished_calendar]

# More working days than any published calendar reaches: the date always lands in an unknown year.
FAR = 400


def publish_years_ahead() -> None:
    first = dt.date.today().year
    for year in range(first, first + 3):
        PublishedYear.objects.get_or_create(year=year)


def test_a_case_is_accepted_with_its_promised_date_open_and_the_date_follows_once_published(
    api,
    clerk,
    citizen,
    matter,
    called_ticket,  # noqa: F811
):
    matter.__class__.objects.filter(id=matter.id).update(promised_days=FAR, legal_days=FAR)
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
        {f"material_{required(matter).id}": upload("id.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert case.status == CaseStatus.ACCEPTED and case.promised_date is None
    # The voucher says so in words, the citizen's case page too, and central is told "no date yet".
    client = Client()
    client.force_login(citizen)
    text = pdf_text(client, body["documents"][0]["url"])
    assert "承诺办结日期 待定" in text
    assert "待定：法定节假日安排公布后确定" in client.get(f"/cases/{case.number}/").content.decode()
    submitted = OutboxMessage.objects.get(kind="case.submitted")
    assert submitted.payload["promised_date"] == ""
    told = Notification.objects.get(recipient=citizen, event="case.accepted", channel="inbox")
    assert "承诺办结日期待定（节假日安排公布后确定）" in told.body

    assert cases_fill_open_dates() == 0  # still unknown: nothing is guessed
    publish_years_ahead()
    assert cases_fill_open_dates() == 1
    case.refresh_from_db()
    assert case.promised_date == calendar_get().add_workdays(case.accepted_at.astimezone().date(), FAR)
    # The citizen is told the date, once.
    set_notice = Notification.objects.get(recipient=citizen, event="case.promised_date_set", channel="inbox")
    assert case.promised_date.isoformat() in set_notice.body and case.number in set_notice.body
    assert cases_fill_open_dates() == 0
    assert Notification.objects.filter(recipient=citizen, event="case.promised_date_set", channel="inbox").count() == 1


def test_a_received_case_with_an_open_intake_limit_is_shown_to_supervisors(
    settings,
    api,
    clerk,
    hall,
    matter,
    called_ticket,  # noqa: F811
):
    from apps.front.booking.models import StaffPost
    from apps.shared.accounts.models import Role

    settings.INTAKE_NOTICE_DAYS = FAR
    supervisor = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管", phone="13700007777")
    StaffPost.objects.create(user=supervisor, hall=hall)
    response = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.status == CaseStatus.RECEIVED and case.intake_deadline is None
    # The limit cannot be computed: the supervisor is warned (once) and the hall's page lists the case.
    assert cases_intake_deadline_warn() == 1
    assert cases_intake_deadline_warn() == 0
    [warning] = Notification.objects.filter(recipient=supervisor, event="intake.deadline_near", channel="inbox")
    assert "受理期限为待定（节假日安排公布后确定）" in warning.body
    page = Client()
    page.force_login(supervisor)
    assert case.number in page.get("/supervisor/").content.decode()
    # Once the limit can be counted it is filled in, and the warning about it is due again before it.
    settings.INTAKE_NOTICE_DAYS = 5
    publish_years_ahead()
    cases_intake_deadline_warn()
    case.refresh_from_db()
    # Five working days from today: not near yet, so no second warning now, and none is marked as sent.
    assert case.intake_deadline is not None and case.intake_warning_sent_at is None
    assert Notification.objects.filter(recipient=supervisor, event="intake.deadline_near", channel="inbox").count() == 1


def test_an_api_call_that_cannot_count_its_limit_is_refused_with_a_message_not_a_crash(api, clerk):
    from rest_framework.test import APIRequestFactory

    from govservice.api import exception_handler
    from govservice.lib.workdays import CalendarUnknown

    request = APIRequestFactory().get("/")
    response = exception_handler(CalendarUnknown(2099), {"request": request})
    assert response.status_code == 409 and response.data["code"] == "calendar_unknown"
    assert response.data["detail"].startswith("2099年的节假日安排尚未发布")
