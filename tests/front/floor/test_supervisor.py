"""The hall supervisor's live view: queues, windows, long waits, and cases near the intake limit."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.floor.models import Ticket
from apps.front.floor.services import ticket_call_next, ticket_walk_in
from apps.front.intake.models import Case, CaseStatus
from apps.shared.accounts.models import Role
from tests.factories import make_user


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=user, hall=hall)
    return user


@pytest.mark.django_db
def test_it_shows_queues_windows_long_waits_and_cases_near_the_limit(
    supervisor, clerk, citizen, hall, matter, terminal
):
    for _ in range(3):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_call_next(clerk=clerk)
    Ticket.objects.filter(number=3).update(checked_in_at=timezone.now() - dt.timedelta(minutes=45))
    Case.objects.create(
        number="TZ2026112400501",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        status=CaseStatus.RECEIVED,
        intake_deadline=timezone.localdate(),
    )
    page = Client()
    page.force_login(supervisor)
    with CaptureQueriesContext(connection) as queries:
        html = page.get("/supervisor/").content.decode()
    assert "A 综合受理</td><td>2</td><td>45</td>" in html  # two waiting, the oldest for 45 minutes
    assert "已叫号 A001" in html and "李窗口" in html
    assert "A003" in html.split('id="long-waits"')[1].split("</ul>")[0]
    assert "TZ2026112400501" in html.split('id="near-limit"')[1]
    first = len(queries)
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    with CaptureQueriesContext(connection) as queries:
        page.get("/supervisor/", HTTP_HX_REQUEST="true")
    assert len(queries) <= first  # constant, whatever the queue


@pytest.mark.django_db
def test_it_is_for_hall_supervisors_only(clerk, citizen):
    for user in (clerk, citizen):
        page = Client()
        page.force_login(user)
        assert page.get("/supervisor/").status_code == 403
