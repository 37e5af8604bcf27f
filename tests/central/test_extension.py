"""An extension needs the head's approval (issue 13 point 5).

行政许可法 Art. 42, DOMAIN.md §5 and §9: a decision within 20 working days, extended by 10 only with the
approval of the head of the office (负责人; here a central supervisor), the reason told to the applicant;
joint handling (联合办理、并联审批) within 45, extended by 15. SLA colours follow the legal limit as well
as the promised one.

- asked by the holder, approved or refused by a supervisor, the clock moving only on approval, the reason
  told to the front: ``TestTheHeadApproves``
- once per case, never one's own request, lapsing with the case: ``TestOnce``
- 45 + 15 for a matter handled jointly (a catalog flag, admin-editable, at most 45): ``TestJointHandling``
- colours and dates against both limits across 调休, holidays and an unpublished year: ``TestLegalColours``
- only within the legal period: asked and approved on its last working day, refused the day after (a day off
  or a 调休 Saturday), 20 and 45 days, through the service, the API and the page; never on a guess in an
  unpublished year: ``TestOnlyWithinTheLegalPeriod``
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.central.review import services
from apps.central.review.models import ExtensionRequest, ExtensionStatus, ReviewCase, ReviewStatus
from apps.central.review.selectors import case_legal_sla, case_sla
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Matter
from apps.shared.catalog.rules import matter_errors
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import DomainError, status_for
from tests.central.reviewing import to_decision_by_services
from tests.central.test_review import package, send
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), tick=False)


def receive(client, matter, number="TZ2026112400001", *, on: dt.date | None = None) -> ReviewCase:
    assert send(client, *package(matter, number=number)).status_code == 200
    if on is not None:
        moment = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        ReviewCase.objects.filter(front_number=number).update(
            accepted_at=moment, received_at=moment, clock_running_since=on
        )
    return ReviewCase.objects.get(front_number=number)


@pytest.fixture
def supervisor(db):
    return make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")


@pytest.fixture
def held(client, platform, matter, approver):
    case = receive(client, matter)
    services.case_claim(approver=approver, case_id=case.id)
    return case


def post(api, user, case, action, **data):
    return api(user).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")


class TestTheHeadApproves:
    def test_the_clock_moves_only_when_the_head_approves_and_the_front_hears_the_reason(
        self, client, platform, matter, approver, supervisor
    ):
        # Accepted Thu 2026-02-12, promised 5 working days: 13 (1), Sat 14 调休 (2), the Spring Festival off,
        # 24 (3), 25 (4), 26 (5) — due Thu 2026-02-26.
        case = receive(client, matter, on=dt.date(2026, 2, 12))
        services.case_claim(approver=approver, case_id=case.id)
        with at(dt.date(2026, 2, 24)):
            services.case_extension_request(approver=approver, case_id=case.id, reason="需征求规划部门意见")
            case.refresh_from_db()
            assert case.extended_days == 0 and case_sla(case)[1] == dt.date(2026, 2, 26)
            assert case_sla(case)[0] == "yellow"  # two working days left: the request changes nothing
            assert not OutboxMessage.objects.filter(kind="case.extended").exists()
            services.case_extension_approve(supervisor=supervisor, case_id=case.id, note="同意")
        case.refresh_from_db()
        assert case.extended_days == 10 and case.extension_reason == "需征求规划部门意见"
        with at(dt.date(2026, 2, 24)):
            # 10 more: Feb 27, Sat 28 调休, Mar 2–6, Mar 9–11 — due Wed 2026-03-11; green again.
            assert case_sla(case) == ("green", dt.date(2026, 3, 11))
        message = OutboxMessage.objects.get(kind="case.extended")
        assert message.payload == {
            "number": case.front_number,
            "reason": "需征求规划部门意见",
            "days": 10,
            "promised_date": "2026-03-11",
        }
        request = ExtensionRequest.objects.get(case=case)
        assert (request.status, request.requested_by, request.decided_by, request.decision_note) == (
            ExtensionStatus.APPROVED,
            approver,
            supervisor,
            "同意",
        )

    def test_a_refusal_leaves_the_limit_and_the_holder_may_ask_again(self, api, approver, supervisor, held):
        assert post(api, approver, held, "extend", reason="需专家论证").json()["extension_pending"] is True
        assert post(api, approver, held, "extend", reason="再次").json()["code"] == "extension_pending"
        assert post(api, supervisor, held, "extend-refuse").json()["code"] == "reason_required"
        refused = post(api, supervisor, held, "extend-refuse", reason="论证可在时限内完成")
        assert (
            refused.status_code == 200
            and refused.json()["extended_days"] == 0
            and refused.json()["extension_pending"] is False
        )
        assert not OutboxMessage.objects.filter(kind="case.extended").exists()
        assert post(api, supervisor, held, "extend-approve").json()["code"] == "no_extension_request"
        assert post(api, approver, held, "extend", reason="补充论证材料较多").status_code == 200
        body = post(api, supervisor, held, "extend-approve").json()
        assert body["extended_days"] == 10
        statuses = list(ExtensionRequest.objects.filter(case=held).order_by("id").values_list("status", flat=True))
        assert statuses == [ExtensionStatus.REFUSED, ExtensionStatus.APPROVED]
        detail = api(approver).get(f"/api/v1/cases/{held.id}/").json()
        assert [r["status"] for r in detail["extension_requests"]] == ["approved", "refused"]
        assert detail["extension_requests"][1]["decision_note"] == "论证可在时限内完成"

    def test_only_the_holder_asks_and_only_a_supervisor_answers(self, api, approver, other_approver, supervisor, held):
        assert post(api, supervisor, held, "extend", reason="x").json()["code"] == "not_assignee"
        post(api, approver, held, "extend", reason="需现场核查")
        assert post(api, approver, held, "extend-approve").status_code == 403
        assert post(api, other_approver, held, "extend-approve").status_code == 403
        held.refresh_from_db()
        assert held.extended_days == 0

    def test_the_pages_ask_and_answer(self, approver, supervisor, held):
        mine = Client()
        mine.force_login(approver)
        assert "申请延期（10个工作日，仅一次，须负责人批准）" in mine.get(f"/cases/{held.id}/").content.decode()
        done = mine.post(f"/cases/{held.id}/do/extend/", {"reason": "需征求相关部门意见"}, follow=True).content.decode()
        assert "延期申请已提交，待负责人审批。" in done and 'id="extension-pending"' in done
        head = Client()
        head.force_login(supervisor)
        dashboard = head.get("/dashboard/").content.decode()
        assert "1 件延期申请待您审批" in dashboard
        waiting = head.get("/?extension=pending").content.decode()
        assert held.front_number in waiting and "延期待批" in waiting
        assert 'id="extension-approve"' in head.get(f"/cases/{held.id}/").content.decode()
        refused = head.post(f"/cases/{held.id}/do/extend-refuse/", {"reason": ""}, follow=True).content.decode()
        assert "不批准延期须说明理由。" in refused
        head.post(f"/cases/{held.id}/do/extend-approve/", {"reason": ""})
        held.refresh_from_db()
        assert held.extended_days == 10
        assert "0 件延期申请待您审批" in head.get("/dashboard/").content.decode()


class TestOnce:
    def test_it_extends_once(self, api, approver, supervisor, held):
        post(api, approver, held, "extend", reason="需现场核查")
        post(api, supervisor, held, "extend-approve")
        again = post(api, approver, held, "extend", reason="再延")
        assert (again.status_code, again.json()["code"]) == (409, "already_extended")

    def test_a_supervisor_never_approves_their_own_request(self, approver, supervisor, held):
        services.case_take_over(supervisor=supervisor, case_id=held.id, reason="督办")
        services.case_extension_request(approver=supervisor, case_id=held.id, reason="需听证")
        with pytest.raises(DomainError) as refused:
            services.case_extension_approve(supervisor=supervisor, case_id=held.id)
        assert refused.value.code == "own_request" and status_for(refused.value) == 403
        other = make_user("centralsup2", Role.CENTRAL_SUPERVISOR, real_name="郑主任")
        services.case_extension_approve(supervisor=other, case_id=held.id)
        held.refresh_from_db()
        assert held.extended_days == 10

    def test_a_request_nobody_answered_lapses_when_the_case_is_decided(self, approver, supervisor, held):
        to_decision_by_services(approver, held.id, claim=False)
        services.case_extension_request(approver=approver, case_id=held.id, reason="需补充调查")
        services.case_decide(approver=approver, case_id=held.id, decision="approved", reason="")
        request = ExtensionRequest.objects.get(case=held)
        assert request.status == ExtensionStatus.LAPSED and request.decision_note == "办件已作出决定"
        with pytest.raises(DomainError) as refused:
            services.case_extension_approve(supervisor=supervisor, case_id=held.id)
        assert refused.value.code == "no_extension_request"

    def test_the_database_keeps_one_waiting_and_one_granted(self, approver, held):
        from django.db import IntegrityError, transaction

        ExtensionRequest.objects.create(case=held, days=10, reason="a", requested_by=approver)
        with pytest.raises(IntegrityError), transaction.atomic():
            ExtensionRequest.objects.create(case=held, days=10, reason="b", requested_by=approver)
        ExtensionRequest.objects.create(
            case=held, days=10, reason="c", requested_by=approver, status=ExtensionStatus.APPROVED
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            ExtensionRequest.objects.create(
                case=held, days=10, reason="d", requested_by=approver, status=ExtensionStatus.APPROVED
            )


class TestJointHandling:
    def test_a_joint_matter_extends_by_fifteen_and_is_coloured_against_its_45_days(
        self, client, platform, department, approver, supervisor
    ):
        joint = make_matter("M-JOINT", department=department, name="建设工程规划许可", joint_handling=True)
        Matter.objects.filter(id=joint.id).update(legal_days=45, promised_days=30)
        case = receive(client, joint, on=dt.date(2026, 3, 2))
        assert case.legal_limit == 45
        services.case_claim(approver=approver, case_id=case.id)
        with at(dt.date(2026, 4, 1)):  # within the legal period (TestOnlyWithinTheLegalPeriod)
            services.case_extension_request(approver=approver, case_id=case.id, reason="需多部门会商")
            assert ExtensionRequest.objects.get(case=case).days == 15
            services.case_extension_approve(supervisor=supervisor, case_id=case.id)
        case.refresh_from_db()
        assert case.extended_days == 15
        assert OutboxMessage.objects.get(kind="case.extended").payload["days"] == 15
        # 45 + 15 = 60 working days from Mon 2026-03-02, over Qingming (Apr 4–6), Labour Day (May 1–5, Sat May 9
        # worked): the 60th is Thu 2026-05-28.
        assert case_legal_sla(case, today=dt.date(2026, 3, 2), calendar=calendar_get()) == (
            "green",
            dt.date(2026, 5, 28),
        )

    def test_the_catalog_keeps_joint_handling_within_45_days(self, department):
        matter = Matter(
            code="M-J", name="并联审批事项", department=department, joint_handling=True, legal_days=60, promised_days=40
        )
        assert "联合办理（并联审批）的事项法定办结时限不能超过45个工作日。" in matter_errors(matter)["legal_days"]
        matter.legal_days = 45
        assert "legal_days" not in matter_errors(matter)

    def test_an_administrator_sets_the_flag_in_the_admin(self, department):
        admin = make_user("root", Role.ADMIN, is_staff=True, is_superuser=True)
        matter = make_matter("M-A", department=department)
        page = Client()
        page.force_login(admin)
        html = page.get(f"/admin/catalog/matter/{matter.id}/change/").content.decode()
        assert 'name="joint_handling"' in html and "联合办理（并联审批）" in html


class TestLegalColours:
    def test_the_legal_limit_turns_yellow_then_red_across_the_spring_festival(self, client, platform, matter):
        # Accepted Mon 2026-02-02; 20 legal working days: Feb 3–6 (4), 9–13 (9), Sat 14 调休 (10), the holiday,
        # 24–27 (14), Sat 28 调休 (15), Mar 2–6 (20) — due Fri 2026-03-06.
        case = receive(client, matter, on=dt.date(2026, 2, 2))
        calendar = calendar_get()
        reading = lambda day: case_legal_sla(case, today=day, calendar=calendar)  # noqa: E731
        assert reading(dt.date(2026, 2, 23)) == ("green", dt.date(2026, 3, 6))  # the last day off: 10 used
        assert reading(dt.date(2026, 3, 3)) == ("green", dt.date(2026, 3, 6))  # 17 used, 3 left
        assert reading(dt.date(2026, 3, 4))[0] == "yellow"  # 2 left
        assert reading(dt.date(2026, 3, 6))[0] == "yellow"  # the last day
        # The Saturday after: no working day left, the last one gone — past the limit (as an extension asked for
        # that day is refused, TestOnlyWithinTheLegalPeriod), not "yellow, due Saturday".
        assert reading(dt.date(2026, 3, 7)) == ("red", None)
        assert reading(dt.date(2026, 3, 9))[0] == "red"
        # Against the promise (5 days) the same case was red long before.
        assert case_sla(case, today=dt.date(2026, 3, 3), calendar=calendar)[0] == "red"

    def test_a_paused_clock_is_paused_against_both_limits(self, client, platform, matter, approver):
        case = receive(client, matter)
        services.case_claim(approver=approver, case_id=case.id)
        services.case_request_correction(
            approver=approver,
            case_id=case.id,
            items=["补充户口簿"],
            deadline=timezone.localdate() + dt.timedelta(days=7),
        )
        case.refresh_from_db()
        assert case_sla(case)[0] == case_legal_sla(case)[0] == "paused"

    @pytest.mark.unpublished_calendar
    def test_a_legal_limit_in_an_unpublished_year_is_left_open(self, client, platform, matter, api, approver):
        # Accepted Mon 2026-12-21: the 20th working day falls in 2027, whose holidays nobody has published.
        case = receive(client, matter, on=dt.date(2026, 12, 21))
        with at(dt.date(2026, 12, 22)):
            body = api(approver).get(f"/api/v1/cases/{case.id}/").json()
            urgent = [row["front_number"] for row in api(approver).get("/api/v1/cases/?ordering=urgent").json()]
        # The days used are known (green); the last legal day is not, and is not guessed.
        assert (body["legal_sla"], body["legal_due_date"]) == ("green", None)
        assert (body["sla"], body["due_date"]) == ("green", "2026-12-28")  # five days, still in 2026
        assert urgent == [case.front_number]
        # In 2027 itself nothing can be counted: both colours are unknown, and the queue still answers.
        with at(dt.date(2027, 1, 4)):
            body = api(approver).get(f"/api/v1/cases/{case.id}/").json()
            assert api(approver).get("/api/v1/cases/?ordering=urgent").status_code == 200
        assert (body["sla"], body["legal_sla"]) == ("unknown", "unknown")

    def test_the_dashboard_and_the_digest_name_cases_past_the_legal_limit(self, client, platform, matter, supervisor):
        from django.core import mail

        case = receive(client, matter, on=dt.date(2026, 11, 2))
        supervisor.email = "sup@example.gov.cn"
        supervisor.save(update_fields=["email"])
        assert services.overdue_digest_send(today=dt.date(2026, 12, 1)) == 1
        assert f"[超法定时限] {case.front_number}" in mail.outbox[0].body
        page = Client()
        page.force_login(supervisor)
        with at(dt.date(2026, 12, 1)):
            html = page.get("/dashboard/").content.decode()
        overdue = html.split('id="report-overdue"')[1].split("</section>")[0]
        assert case.front_number in overdue and "超法定时限" in overdue
        assert ReviewCase.objects.get(id=case.id).status == ReviewStatus.IN_REVIEW


class TestOnlyWithinTheLegalPeriod:
    """行政许可法 Art. 42 extends a limit that has not run out: asked for and approved within the legal period.

    Accepted Mon 2026-02-02 with 20 legal working days: Feb 3–6 (4), 9–13 (9), Sat 14 调休 (10), the Spring
    Festival off (Feb 15–23), 24–27 (14), Sat 28 调休 (15), Mar 2–6 (20): the last day is Fri 2026-03-06."""

    ACCEPTED, LAST_DAY = dt.date(2026, 2, 2), dt.date(2026, 3, 6)

    @pytest.fixture
    def late(self, client, platform, matter, approver) -> ReviewCase:
        case = receive(client, matter, on=self.ACCEPTED)
        services.case_claim(approver=approver, case_id=case.id)
        return case

    def test_asked_and_approved_on_the_last_day_of_the_legal_limit(self, approver, supervisor, late):
        with at(self.LAST_DAY):
            assert case_legal_sla(late)[1] == self.LAST_DAY
            services.case_extension_request(approver=approver, case_id=late.id, reason="需征求规划部门意见")
            services.case_extension_approve(supervisor=supervisor, case_id=late.id)
        late.refresh_from_db()
        assert late.extended_days == 10
        assert OutboxMessage.objects.get(kind="case.extended").payload["days"] == 10

    @pytest.mark.parametrize(
        "day",
        [dt.date(2026, 3, 7), dt.date(2026, 3, 9)],
        ids=["the-saturday-after-the-last-day", "the-next-working-day"],
    )
    def test_a_request_after_the_legal_limit_is_refused(self, api, approver, late, day):
        with at(day):
            with pytest.raises(DomainError) as refused:
                services.case_extension_request(approver=approver, case_id=late.id, reason="需补充调查")
            assert refused.value.code == "legal_limit_passed" and status_for(refused.value) == 409
            answer = post(api, approver, late, "extend", reason="需补充调查")
            english = api(approver).post(
                f"/api/v1/cases/{late.id}/extend/", {"reason": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
            )
        assert (answer.status_code, answer.json()["code"]) == (409, "legal_limit_passed")
        assert "办件已超过法定办结期限（20个工作日），延期须在期限届满前申请" in answer.json()["detail"]
        assert "past its legal time limit (20 working days)" in english.json()["detail"]
        assert not ExtensionRequest.objects.filter(case=late).exists()
        assert ReviewCase.objects.get(id=late.id).extended_days == 0

    @pytest.mark.parametrize(
        "day",
        [dt.date(2026, 3, 7), dt.date(2026, 3, 9)],
        ids=["the-saturday-after-the-last-day", "the-next-working-day"],
    )
    def test_an_approval_after_the_legal_limit_is_too_late_and_the_request_may_be_refused(
        self, api, approver, supervisor, late, day
    ):
        """The same boundary as the request's (one check, services/clock.py _within_legal_period): a day off
        after the last working day is already past it."""
        with at(self.LAST_DAY):
            services.case_extension_request(approver=approver, case_id=late.id, reason="需专家论证")
        with at(day):
            with pytest.raises(DomainError) as refused:
                services.case_extension_approve(supervisor=supervisor, case_id=late.id)
            assert refused.value.code == "extension_too_late" and status_for(refused.value) == 409
            answer = post(api, supervisor, late, "extend-approve")
            assert (answer.status_code, answer.json()["code"]) == (409, "extension_too_late")
            assert "已届满，延期须在期限届满前批准，现已逾期" in answer.json()["detail"]
            english = api(supervisor).post(
                f"/api/v1/cases/{late.id}/extend-approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
            )
            assert "too late to approve it now" in english.json()["detail"]
            assert ExtensionRequest.objects.get(case=late).status == ExtensionStatus.REQUESTED
            refused_now = post(api, supervisor, late, "extend-refuse", reason="已超过法定期限")
        assert refused_now.status_code == 200 and refused_now.json()["extended_days"] == 0
        assert ExtensionRequest.objects.get(case=late).status == ExtensionStatus.REFUSED
        assert not OutboxMessage.objects.filter(kind="case.extended").exists()

    def test_the_pages_say_why(self, approver, supervisor, late):
        mine, head = Client(), Client()
        mine.force_login(approver)
        head.force_login(supervisor)
        # The case page offers the extension while it may be asked for, and no longer after.
        with at(self.LAST_DAY):
            assert "panel-extend" in mine.get(f"/cases/{late.id}/").content.decode()
        with at(dt.date(2026, 3, 9)):
            assert "panel-extend" not in mine.get(f"/cases/{late.id}/").content.decode()
        with at(dt.date(2026, 3, 9)):
            html = mine.post(f"/cases/{late.id}/do/extend/", {"reason": "需补充调查"}, follow=True).content.decode()
        assert "延期须在期限届满前申请，不能再申请延期。" in html
        with at(self.LAST_DAY):
            mine.post(f"/cases/{late.id}/do/extend/", {"reason": "需补充调查"})
        with at(dt.date(2026, 3, 9)):
            html = head.post(f"/cases/{late.id}/do/extend-approve/", {"reason": ""}, follow=True).content.decode()
        assert "延期须在期限届满前批准，现已逾期，不能再批准" in html
        assert ReviewCase.objects.get(id=late.id).extended_days == 0

    def test_a_joint_matter_until_its_45th_day_and_not_on_the_make_up_saturday_after(
        self, client, platform, department, approver, supervisor
    ):
        # Accepted Mon 2026-03-02, 45 legal working days over Qingming (Apr 4–6) and Labour Day (May 1–5): the
        # 45th is Fri 2026-05-08; Sat May 9 is a make-up working day (调休), already the 46th.
        joint = make_matter("M-JOINT", department=department, name="建设工程规划许可", joint_handling=True)
        Matter.objects.filter(id=joint.id).update(legal_days=45, promised_days=30)
        first = receive(client, joint, "TZ2026112400001", on=dt.date(2026, 3, 2))
        second = receive(client, joint, "TZ2026112400002", on=dt.date(2026, 3, 2))
        for case in (first, second):
            services.case_claim(approver=approver, case_id=case.id)
        with at(dt.date(2026, 5, 8)):
            services.case_extension_request(approver=approver, case_id=first.id, reason="需多部门会商")
            services.case_extension_approve(supervisor=supervisor, case_id=first.id)
        with at(dt.date(2026, 5, 9)), pytest.raises(DomainError) as refused:
            services.case_extension_request(approver=approver, case_id=second.id, reason="需多部门会商")
        assert refused.value.code == "legal_limit_passed" and "（45个工作日）" in str(refused.value.detail)
        assert ReviewCase.objects.get(id=first.id).extended_days == 15

    def test_a_paused_clock_keeps_its_count(self, approver, late):
        # Put in correction on Thu 2026-03-05 with 19 of the 20 days used: the period is still open while the
        # applicant corrects, whatever the date.
        with at(dt.date(2026, 3, 5)):
            services.case_request_correction(
                approver=approver, case_id=late.id, items=["补充户口簿"], deadline=dt.date(2026, 3, 20)
            )
        with at(dt.date(2026, 3, 16)):
            services.case_extension_request(approver=approver, case_id=late.id, reason="需现场核查")
        assert ExtensionRequest.objects.get(case=late).status == ExtensionStatus.REQUESTED

    def test_a_limit_running_into_a_published_year(self, client, platform, matter, approver):
        # Accepted Mon 2026-12-21; 2027 published Monday–Friday with New Year's Day off (the suite's default):
        # Dec 22–25 (4), 28–31 (8), Jan 4–8 (13), 11–15 (18), 18 (19), Tue 19 (20).
        case = receive(client, matter, on=dt.date(2026, 12, 21))
        services.case_claim(approver=approver, case_id=case.id)
        with at(dt.date(2027, 1, 20)), pytest.raises(DomainError) as refused:
            services.case_extension_request(approver=approver, case_id=case.id, reason="需补充调查")
        assert refused.value.code == "legal_limit_passed"
        with at(dt.date(2027, 1, 19)):
            services.case_extension_request(approver=approver, case_id=case.id, reason="需补充调查")

    @pytest.mark.unpublished_calendar
    def test_not_on_a_guess_in_an_unpublished_year(self, client, platform, matter, api, approver):
        case = receive(client, matter, on=dt.date(2026, 12, 21))
        services.case_claim(approver=approver, case_id=case.id)
        with at(dt.date(2026, 12, 31)):  # the days used are still counted in 2026
            assert post(api, approver, case, "extend", reason="需补充调查").status_code == 200
            ExtensionRequest.objects.filter(case=case).delete()
        with at(dt.date(2027, 1, 4)):
            answer = post(api, approver, case, "extend", reason="需补充调查")
        assert (answer.status_code, answer.json()["code"]) == (409, "calendar_unknown")
        assert "2027年的节假日安排尚未发布" in answer.json()["detail"]

    @pytest.mark.unpublished_calendar
    def test_nor_approved_on_a_guess_in_an_unpublished_year(self, client, platform, matter, api, approver, supervisor):
        case = receive(client, matter, on=dt.date(2026, 12, 21))
        services.case_claim(approver=approver, case_id=case.id)
        with at(dt.date(2026, 12, 31)):
            assert post(api, approver, case, "extend", reason="需补充调查").status_code == 200
        with at(dt.date(2027, 1, 4)):
            answer = post(api, supervisor, case, "extend-approve")
        assert (answer.status_code, answer.json()["code"]) == (409, "calendar_unknown")
        assert ExtensionRequest.objects.get(case=case).status == ExtensionStatus.REQUESTED
        assert ReviewCase.objects.get(id=case.id).extended_days == 0
