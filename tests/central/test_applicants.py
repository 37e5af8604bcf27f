"""Who applied, at central (issue 15): case.submitted's optional applicant ``kind`` (a company) and ``agent`` (who
acted for the applicant: name, ID number masked, 委托书 number) are kept on the review case and shown on its page; a
message without them is a person acting alone. The dashboard splits the cases received by kind of applicant as the
front's hall report does: persons acting alone, persons through an agent, companies — on the page and in CSV."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from apps.central.review.models import ReviewCase, ReviewStatus
from apps.central.review.selectors import received_by_applicant_kind
from apps.shared.accounts.models import ApplicantKind, Role
from govservice.lib.decisions import Decision
from govservice.lib.stats import Period
from tests.factories import make_user

from .test_review import package, send

pytestmark = pytest.mark.django_db

AGENT = {"name": "张丽", "id_masked": "110105********0014", "mandate": "WT7K2M9Q4X"}


def with_fields(body: bytes, *, applicant_kind: str | None = None, agent: dict | None = None) -> bytes:
    envelope = json.loads(body)
    if applicant_kind is not None:
        envelope["payload"]["applicant"]["kind"] = applicant_kind
    if agent is not None:
        envelope["payload"]["agent"] = agent
    return json.dumps(envelope, ensure_ascii=False).encode()


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestTheWire:
    def test_the_agent_and_the_kind_are_kept_and_shown(self, client, platform, matter, approver):
        message_id, body = package(matter, number="TZ2026112400011")
        body = with_fields(body, agent=AGENT)
        assert send(client, message_id, body).status_code == 200
        case = ReviewCase.objects.get(front_number="TZ2026112400011")
        assert (case.applicant_kind, case.agent_name, case.agent_id_masked, case.agent_mandate) == (
            ApplicantKind.PERSON,
            "张丽",
            "110105********0014",
            "WT7K2M9Q4X",
        )
        page = page_for(approver).get(f"/cases/{case.id}/").content.decode()
        shown = page.split('id="case-agent">')[1].split("</dd>")[0]
        assert "张丽" in shown and "110105********0014" in shown and "WT7K2M9Q4X" in shown

    def test_a_company_through_its_legal_representative(self, client, platform, matter, approver):
        message_id, body = package(matter, number="TZ2026112400012")
        body = with_fields(body, applicant_kind="company", agent={**AGENT, "mandate": ""})
        assert send(client, message_id, body).status_code == 200
        case = ReviewCase.objects.get(front_number="TZ2026112400012")
        assert case.applicant_kind == ApplicantKind.COMPANY and case.agent_mandate == ""
        page = page_for(approver).get(f"/cases/{case.id}/").content.decode()
        assert "法定代表人" in page.split('id="case-agent">')[1].split("</dd>")[0]

    def test_a_message_without_them_is_a_person_acting_alone(self, client, platform, matter, approver):
        message_id, body = package(matter, number="TZ2026112400013")
        assert send(client, message_id, body).status_code == 200
        case = ReviewCase.objects.get(front_number="TZ2026112400013")
        assert (case.applicant_kind, case.agent_name, case.agent_mandate) == (ApplicantKind.PERSON, "", "")
        assert 'id="case-agent"' not in page_for(approver).get(f"/cases/{case.id}/").content.decode()

    def test_a_clear_id_number_for_the_agent_is_refused(self, client, platform, matter):
        message_id, body = package(matter, number="TZ2026112400014")
        body = with_fields(body, agent={**AGENT, "id_masked": "11010519491231002X"})
        assert send(client, message_id, body).status_code == 422  # off the contract: refused, nothing kept
        assert not ReviewCase.objects.filter(front_number="TZ2026112400014").exists()


NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
PERIOD = Period(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 15))


def received(platform, matter, number: str, *, kind=ApplicantKind.PERSON, agent="", decision="", days_ago=2):
    return ReviewCase.objects.create(
        platform=platform,
        front_number=number,
        matter=matter,
        department=matter.department,
        hall_name="北京城市副中心政务服务中心",
        applicant_name="王小明",
        applicant_id_number="11010519491231002X",
        applicant_kind=kind,
        agent_name=agent,
        agent_id_masked="110105********0014" if agent else "",
        status=ReviewStatus.DECIDED if decision else ReviewStatus.IN_REVIEW,
        decision=decision,
        decided_at=NOW if decision else None,
        accepted_at=NOW - dt.timedelta(days=days_ago),
        received_at=NOW - dt.timedelta(days=days_ago),
        promised_limit=5,
        legal_limit=20,
    )


@pytest.fixture
def known(time_machine, platform, matter):
    time_machine.move_to(NOW, tick=False)
    received(platform, matter, "TZ1", decision=Decision.APPROVED)
    received(platform, matter, "TZ2", decision=Decision.DENIED)
    received(platform, matter, "TZ3", agent="张丽", decision=Decision.PARTLY_APPROVED)
    received(platform, matter, "TZ4", agent="张丽")
    received(platform, matter, "TZ5", kind=ApplicantKind.COMPANY, agent="欧阳晓雯", decision=Decision.APPROVED)
    received(platform, matter, "TZ6", days_ago=40, decision=Decision.APPROVED)  # received before the period


class TestTheReportSplit:
    def test_received_by_applicant_kind(self, known):
        rows = received_by_applicant_kind(period=PERIOD)
        assert [
            (r["kind"], r["applicant"], r["received"], r["decided"], r["approved"], r["approved_rate"]) for r in rows
        ] == [
            ("person", "自然人（本人办理）", 2, 2, 1, 50.0),
            ("person_agent", "自然人（委托代办）", 2, 1, 1, 100.0),
            ("company", "法人（法定代表人或经办人）", 1, 1, 1, 100.0),
        ]

    def test_the_dashboard_and_the_csv_show_it(self, known):
        supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
        client = page_for(supervisor)
        html = client.get("/dashboard/", {"start": "2026-06-01", "end": "2026-06-15"}).content.decode()
        section = html.split('id="report-applicants"')[1].split("</section>")[0]
        assert "按申请人类别" in section and "自然人（委托代办）" in section and "法人（法定代表人或经办人）" in section
        csv = (
            client.get("/dashboard/", {"start": "2026-06-01", "end": "2026-06-15", "export": "applicants"})
            .content.decode("utf-8-sig")
            .splitlines()
        )
        assert csv[0] == "申请人类别,收件数,已决定,准予,准予率(%)"
        assert csv[1:] == [
            "自然人（本人办理）,2,2,1,50.0",
            "自然人（委托代办）,2,1,1,100.0",
            "法人（法定代表人或经办人）,1,1,1,100.0",
        ]
