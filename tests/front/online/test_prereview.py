"""网上预审 (issue 15; DOMAIN.md §9): the hall that receives an online application pre-reviews it within
PREREVIEW_WORKDAYS (one working day by default; weekends and holidays off, 调休 on) and answers online with a
window's outcomes and their legal effects — acceptance (the receipt issued electronically, the case to central),
one written notice of everything missing (the applicant completes the same application online; the limits run
again), refusal with reasons and remedies. 行政许可法 Art. 32's five working days run from submission: past them
with no decision and no notice, the application is accepted by law. Another hall's clerk sees none of it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus, Document, DocumentKind, EvidenceItem, TrustLevel
from apps.front.intake.services import cases_deem_accepted
from apps.front.notifications.models import Notification
from apps.front.online.models import OnlineApplication
from apps.shared.exchange.models import OutboxMessage
from tests.journey_helpers import PDF, upload

from .conftest import fill, start, submit

pytestmark = pytest.mark.django_db

# The Wednesday before the 2026 Spring Festival: Thu 12 and Fri 13 are working days, Sat 14 a make-up
# workday (调休), Feb 15–23 the holiday, Tue 24 the next working day.
WED = dt.date(2026, 2, 11)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


def submit_on(api, citizen, matter, day: dt.date, **extra) -> Case:
    with at(day):
        code = start(api, citizen, matter)["code"]
        fill(api, citizen, code)
        done = submit(api, citizen, code, **extra)
    return Case.objects.get(number=done["case"]["number"])


def queue(api, clerk, **params) -> dict[str, dict]:
    response = api(clerk).get("/api/v1/workbench/prereview/", params)
    assert response.status_code == 200, response.content
    return {row["number"]: row for row in response.json()}


class TestTheLimit:
    def test_one_working_day_and_its_colour_turns_yellow_on_the_day_and_red_after(
        self, api, citizen, clerk, online_matter, central_peer
    ):
        case = submit_on(api, citizen, online_matter, WED)
        assert case.prereview_deadline == dt.date(2026, 2, 12)
        # Art. 32's five working days run from submission too: Thu, Fri, Sat (调休), Tue 24, Wed 25.
        assert case.intake_deadline == dt.date(2026, 2, 25)
        for day, colour in ((WED, "green"), (dt.date(2026, 2, 12), "yellow"), (dt.date(2026, 2, 13), "red")):
            with at(day):
                assert queue(api, clerk)[case.number]["colour"] == colour, day

    def test_a_make_up_workday_counts_and_the_holiday_does_not(
        self, api, citizen, other_citizen, clerk, hall, online_matter, central_peer
    ):
        friday = submit_on(api, citizen, online_matter, dt.date(2026, 2, 13))
        assert friday.prereview_deadline == dt.date(2026, 2, 14)  # Saturday, a make-up workday
        from .conftest import make_online_matter

        saturday = submit_on(api, other_citizen, make_online_matter(hall, code="ON-002"), dt.date(2026, 2, 14))
        assert saturday.prereview_deadline == dt.date(2026, 2, 24)  # over the holiday
        with at(dt.date(2026, 2, 20)):  # in the holiday: Friday's is overdue, Saturday's is not due yet
            rows = queue(api, clerk)
            assert (rows[friday.number]["colour"], rows[saturday.number]["colour"]) == ("red", "green")
            # The nearest limit first.
            assert list(rows) == [friday.number, saturday.number]

    def test_the_limit_is_a_setting(self, api, citizen, online_matter, central_peer, settings):
        settings.PREREVIEW_WORKDAYS = 2
        case = submit_on(api, citizen, online_matter, WED)
        assert case.prereview_deadline == dt.date(2026, 2, 13)

    def test_the_queue_costs_the_same_whatever_it_holds(
        self, api, citizen, clerk, hall, central_peer, django_assert_max_num_queries
    ):
        from tests.factories import make_user

        from .conftest import make_online_matter

        matter = make_online_matter(hall)
        for i in range(4):
            applicant = make_user(f"applicant{i}", real_name=f"申请人{i}")
            code = start(api, applicant, matter)["code"]
            fill(api, applicant, code)
            submit(api, applicant, code)
        with django_assert_max_num_queries(6):
            assert len(queue(api, clerk)) == 4


class TestAcceptance:
    def test_accepted_online_the_receipt_is_sent_and_the_case_goes_to_central(self, api, citizen, clerk, submitted):
        number = submitted["case"]["number"]
        vault_before = EvidenceItem.objects.count()
        response = api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/")
        assert response.status_code == 200, response.content
        case = Case.objects.get(number=number)
        assert case.status == CaseStatus.ACCEPTED and case.clerk == clerk and case.promised_date is not None
        # Nobody saw an original: the uploads stay C and nothing joins the vault as verified.
        assert set(case.materials.values_list("trust_level", flat=True)) == {TrustLevel.C}
        assert EvidenceItem.objects.count() == vault_before
        # To central like any accepted case, with its materials (the generated form among them).
        [message] = OutboxMessage.objects.filter(kind="case.submitted")
        assert message.payload["number"] == number and len(message.files) == 3
        assert "bundle" not in message.payload  # a lone case: the optional field is absent, not null
        # A person applying alone: neither the applicant's kind nor an agent (issue 15), absent, not null.
        assert "agent" not in message.payload and set(message.payload["applicant"]) == {"name", "id_number"}
        # The receipt, issued electronically: on the citizen's case, and they are told.
        receipt = Document.objects.get(case=case, kind=DocumentKind.RECEIPT)
        assert receipt.content["online"] is True and receipt.issued_by == clerk
        mine = api(citizen).get(f"/api/v1/online/applications/{submitted['code']}/").json()["case"]
        assert mine["status"] == "accepted" and [d["kind"] for d in mine["documents"]] == ["receipt"]
        assert Notification.objects.filter(recipient=citizen, event="case.accepted", channel="inbox").exists()
        page = Client()
        page.force_login(citizen)
        pdf = page.get(mine["documents"][0]["url"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    def test_a_matter_needing_an_original_offers_the_one_visit(self, api, citizen, clerk, visit_matter, central_peer):
        case = submit_on(api, citizen, visit_matter, WED)
        with at(WED):
            assert api(clerk).post(f"/api/v1/workbench/prereview/{case.number}/accept/").status_code == 200
        case = Case.objects.get(id=case.id)
        assert "预约一次到大厅核验原件" in case.next_step
        receipt = Document.objects.get(case=case, kind=DocumentKind.RECEIPT)
        assert f"/cases/{case.number}/originals-visit/" in receipt.content["visit"]
        application = OnlineApplication.objects.get(case=case)
        detail = api(citizen).get(f"/api/v1/online/applications/{application.code}/").json()
        assert detail["case"]["booking_url"] == f"/cases/{case.number}/originals-visit/"

    def test_a_fully_online_matter_offers_no_visit(self, api, citizen, clerk, submitted):
        number = submitted["case"]["number"]
        api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/")
        case = Case.objects.get(number=number)
        assert (
            "预约" not in case.next_step
            and "visit" not in Document.objects.get(case=case, kind=DocumentKind.RECEIPT).content
        )

    def test_another_halls_clerk_sees_nothing_and_decides_nothing(self, api, other_hall_clerk, submitted):
        number = submitted["case"]["number"]
        assert queue(api, other_hall_clerk) == {}
        assert api(other_hall_clerk).get(f"/api/v1/workbench/prereview/{number}/").status_code == 404
        assert api(other_hall_clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 404
        assert Case.objects.get(number=number).status == CaseStatus.RECEIVED

    def test_a_citizen_cannot_pre_review(self, api, citizen, submitted):
        assert (
            api(citizen).post(f"/api/v1/workbench/prereview/{submitted['case']['number']}/accept/").status_code == 403
        )


class TestNoticeAndResubmission:
    def test_one_notice_the_same_application_completed_online_and_the_limits_run_again(
        self, api, citizen, clerk, online_matter, central_peer
    ):
        case = submit_on(api, citizen, online_matter, WED)
        with at(WED, 15):
            empty = api(clerk).post(f"/api/v1/workbench/prereview/{case.number}/notice/", {"items": []}, format="json")
            assert empty.status_code == 400
            told = api(clerk).post(
                f"/api/v1/workbench/prereview/{case.number}/notice/",
                {"items": ["解除劳动关系证明缺少单位盖章", "原工作单位名称与证明不一致"]},
                format="json",
            )
            assert told.status_code == 200, told.content
            # One notice of everything: never a second before the applicant answers; no acceptance either.
            again = api(clerk).post(
                f"/api/v1/workbench/prereview/{case.number}/notice/", {"items": ["再补一项"]}, format="json"
            )
            assert again.status_code == 409 and again.json()["code"] == "notice_outstanding"
            early = api(clerk).post(f"/api/v1/workbench/prereview/{case.number}/accept/")
            assert early.status_code == 409 and early.json()["code"] == "notice_outstanding"
        notice = Document.objects.get(case=case, kind=DocumentKind.ONE_TIME_NOTICE)
        assert notice.content["items"] == ["解除劳动关系证明缺少单位盖章", "原工作单位名称与证明不一致"]
        assert "重新提交" in notice.content["deadline_note"] and "窗口" not in notice.content["deadline_note"]
        assert Notification.objects.filter(recipient=citizen, event="case.one_time_notice", channel="inbox").exists()
        # Waiting on the applicant: out of the queue, in the waiting list.
        assert case.number not in queue(api, clerk) and case.number in queue(api, clerk, waiting=1)
        application = OnlineApplication.objects.get(case=case)
        detail = api(citizen).get(f"/api/v1/online/applications/{application.code}/").json()
        assert detail["editable"] and detail["case"]["notice_outstanding"] and "网上补齐" in detail["case"]["next_step"]

        # Nothing new: nothing to resubmit.
        with at(dt.date(2026, 2, 24)):
            nothing = submit(api, citizen, application.code, status=422)
            assert nothing["code"] == "materials_missing"
            base = f"/api/v1/online/applications/{application.code}/"
            assert (
                api(citizen).patch(base, {"form_values": {"employer": "通州某科技有限公司"}}, format="json").status_code
                == 200
            )
            sent = api(citizen).post(
                f"{base}files/",
                {"material": "proof", "file": upload("盖章证明.pdf", PDF, "application/pdf")},
                format="multipart",
            )
            assert sent.status_code == 201
            done = submit(api, citizen, application.code, status=200)
        assert done["case"]["number"] == case.number and done["query_password"] == "" and Case.objects.count() == 1
        case = Case.objects.get(id=case.id)
        assert case.status == CaseStatus.RECEIVED and not case.notice_outstanding
        # The limits run again from the resubmission (Tue 24): pre-review Wed 25; Art. 32 Wed 25, Thu 26, Fri 27,
        # Sat 28 (调休), Mon 2 March.
        assert case.prereview_deadline == dt.date(2026, 2, 25) and case.intake_deadline == dt.date(2026, 3, 2)
        names = list(case.materials.values_list("name", flat=True))
        assert names.count("网上申请表") == 2 and names.count("解除劳动关系证明") == 2
        assert case.number in queue(api, clerk)
        # The applicant's answer is on the record; the clerk now accepts.
        assert case.events.filter(note__contains="重新提交").exists()
        with at(dt.date(2026, 2, 25)):
            assert api(clerk).post(f"/api/v1/workbench/prereview/{case.number}/accept/").status_code == 200


class TestRefusal:
    def test_refused_with_reasons_and_remedies(self, api, citizen, clerk, submitted, settings):
        number = submitted["case"]["number"]
        url = f"/api/v1/workbench/prereview/{number}/refuse/"
        assert api(clerk).post(url, {"reason": ""}, format="json").status_code == 400
        response = api(clerk).post(
            url, {"reason": "申请人不在本区就业登记范围", "refer_to": "户籍所在地人力社保部门"}, format="json"
        )
        assert response.status_code == 200, response.content
        case = Case.objects.get(number=number)
        assert case.status == CaseStatus.REJECTED_AT_INTAKE and case.refusal_reason == "申请人不在本区就业登记范围"
        refusal = Document.objects.get(case=case, kind=DocumentKind.REFUSAL)
        assert (
            refusal.content["remedies"] == settings.REMEDIES_TEXT
            and refusal.content["refer_to"] == "户籍所在地人力社保部门"
        )
        assert Notification.objects.filter(recipient=citizen, event="case.refused", channel="inbox").exists()
        detail = api(citizen).get(f"/api/v1/online/applications/{submitted['code']}/").json()
        assert not detail["editable"] and detail["case"]["refusal_reason"] == "申请人不在本区就业登记范围"
        assert not OutboxMessage.objects.filter(kind="case.submitted").exists()
        again = api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/")
        assert again.status_code == 409 and again.json()["code"] == "invalid_state"


class TestAcceptedByLaw:
    def test_five_working_days_from_submission_with_no_answer_accept_it_by_law(
        self, api, citizen, clerk, online_matter, central_peer
    ):
        case = submit_on(api, citizen, online_matter, WED)
        submitted_at = case.received_at
        with at(dt.date(2026, 2, 25), 23):
            assert cases_deem_accepted() == 0  # the last day: the hall may still answer
        with at(dt.date(2026, 2, 26)):
            refused = api(clerk).post(
                f"/api/v1/workbench/prereview/{case.number}/refuse/", {"reason": "迟到的不予受理"}, format="json"
            )
            assert refused.status_code == 409 and refused.json()["code"] == "intake_limit_passed"
            assert cases_deem_accepted() == 1
            assert cases_deem_accepted() == 0
        case = Case.objects.get(id=case.id)
        assert case.status == CaseStatus.ACCEPTED and case.deemed_accepted_at is not None
        # Accepted as of the submission, the day the materials were received online.
        assert case.accepted_at == submitted_at
        [message] = OutboxMessage.objects.filter(kind="case.submitted")
        assert dt.datetime.fromisoformat(message.payload["accepted_at"]) == submitted_at
        receipt = Document.objects.get(case=case, kind=DocumentKind.RECEIPT)
        assert receipt.issued_by is None and receipt.content["deemed"] is True and receipt.content["online"] is True
        assert Notification.objects.filter(recipient=citizen, event="case.deemed_accepted", channel="inbox").exists()
