"""Reports split by applicant kind (issue 15): the hall's cases received, accepted and refused, for persons in
person, persons through an agent (代办) and companies, in one grouped query, on the page and in CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.intake.models import Case, CaseStatus
from apps.front.reports import selectors
from apps.shared.accounts.models import Role
from govservice.lib.stats import Period
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
PERIOD = Period(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 15))


def received(hall, matter, citizen, number: str, *, agent=None, accepted=True, refused=False) -> Case:
    status = CaseStatus.REJECTED_AT_INTAKE if refused else (CaseStatus.ACCEPTED if accepted else CaseStatus.RECEIVED)
    return Case.objects.create(
        number=number,
        query_password_hash="x",
        citizen=citizen,
        agent=agent,
        matter=matter,
        hall=hall,
        status=status,
        received_at=timezone.now() - dt.timedelta(days=2),
        accepted_at=timezone.now() if accepted and not refused else None,
    )


@pytest.fixture
def known(time_machine, hall, other_hall, matter, company_matter, citizen, other_citizen, agent, company):
    time_machine.move_to(NOW, tick=False)
    received(hall, matter, citizen, "TZ1", accepted=True)
    received(hall, matter, other_citizen, "TZ2", refused=True)
    received(hall, matter, citizen, "TZ3", agent=agent)
    received(hall, matter, other_citizen, "TZ4", agent=agent, accepted=False)
    received(hall, company_matter, company.account, "TZ5", agent=agent)
    received(hall, company_matter, company.account, "TZ6", agent=company.representative, refused=True)
    received(other_hall, matter, citizen, "YS1", agent=agent)


def test_it_splits_the_intake_by_applicant_kind(known, hall):
    rows = selectors.intake_by_applicant_kind(period=PERIOD, hall_id=hall.id)
    assert [
        (
            r["hall"],
            r["kind"],
            r["applicant"],
            r["received"],
            r["accepted"],
            r["refused"],
            r["accepted_rate"],
            r["refused_rate"],
        )
        for r in rows
    ] == [
        (hall.name, "person", "自然人（本人办理）", 2, 1, 1, 50.0, 50.0),
        (hall.name, "person_agent", "自然人（委托代办）", 2, 1, 0, 50.0, 0.0),
        (hall.name, "company", "法人（法定代表人或经办人）", 2, 1, 1, 50.0, 50.0),
    ]
    every = selectors.intake_by_applicant_kind(period=PERIOD, hall_id=None)
    assert sum(r["received"] for r in every) == 7 and every[-1]["hall"] != hall.name


def test_the_page_and_the_csv_show_it(known, hall):
    supervisor = make_user("sup", Role.HALL_SUPERVISOR)
    StaffPost.objects.create(user=supervisor, hall=hall)
    page = Client()
    page.force_login(supervisor)
    html = page.get("/reports/", {"start": "2026-06-01", "end": "2026-06-15"}).content.decode()
    section = html.split('id="report-applicants"')[1].split("</section>")[0]
    assert "按申请人类别" in section and "自然人（委托代办）" in section and "法人（法定代表人或经办人）" in section
    csv = (
        page.get("/reports/applicants.csv", {"start": "2026-06-01", "end": "2026-06-15"})
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert csv[0] == "大厅,申请人类别,收件数,受理数,受理率(%),不予受理数,不予受理率(%)"
    assert len(csv) == 4 and "法人（法定代表人或经办人）" in csv[3]
