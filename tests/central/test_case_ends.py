"""States that something now reaches (issue 13 point 7): TRANSFERRED, VOIDED, CLOSED_NO_CORRECTION.

DOMAIN.md §5: side exits ``VOIDED``, ``TRANSFERRED`` (supervisor, reason required), ``CLOSED_NO_CORRECTION``
(correction deadline passed); clocks count review time only. Each reaches the front on the wire
(tests/front/intake/test_central_ends.py: the citizen's sentence and message).

- transfer: a supervisor, a reason, the clock running on, taken up by the new department: ``TestTransfer``
- void: a supervisor, a reason, the clock stopped: ``TestVoid``
- closure: a beat job, once, at the deadline's last day (moved past days off, 民法典 Art. 203), never on a
  guess in an unpublished year: ``TestClosedWithoutCorrection``
- a case suspended for 容缺 items owed is still voided, and transferred with its suspension (the clock stopped, the
  same last day, lifted if the items come on the way): ``TestASuspendedCase``
- reconciliation re-sends each end: ``test_reconciliation_resends_each_end``
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from apps.central.review import deferred, services
from apps.central.review.models import ExtensionRequest, ExtensionStatus, ReviewCase, ReviewEvent, ReviewStatus
from apps.central.review.tasks import close_uncorrected
from apps.shared.accounts.models import Role
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.models import PublishedYear
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import DomainError
from tests.central.test_review import PDF, package, send
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


def receive(client, matter, number="TZ2026112400001", *, on: dt.date | None = None) -> ReviewCase:
    assert send(client, *package(matter, number=number)).status_code == 200
    if on is not None:
        moment = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        ReviewCase.objects.filter(front_number=number).update(
            accepted_at=moment, received_at=moment, clock_running_since=on
        )
    return ReviewCase.objects.get(front_number=number)


def wire(client, kind: str, payload: dict, files=()):
    message_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": message_id, "kind": kind, "payload": payload, "files": list(files)}, ensure_ascii=False
    ).encode()
    return send(client, message_id, body)


def sent(kind: str) -> list[dict]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("created_at").values_list("payload", flat=True))


def sent_after(before: set) -> list[tuple[str, dict]]:
    """Every message written since ``before`` (the outbox's ids then), kind and payload, in order."""
    return list(OutboxMessage.objects.exclude(id__in=before).order_by("created_at").values_list("kind", "payload"))


@pytest.fixture
def supervisor(db):
    return make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")


@pytest.fixture
def received(client, platform, matter):
    return receive(client, matter)


def post(api, user, case, action, **data):
    return api(user).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")


class TestTransfer:
    def test_a_supervisor_transfers_with_a_reason_and_the_clock_runs_on(
        self, client, api, platform, matter, approver, other_approver, other_department, supervisor
    ):
        case = receive(client, matter, on=dt.date(2026, 11, 2))
        services.case_claim(approver=approver, case_id=case.id)
        services.case_step(approver=approver, case_id=case.id, forward=True)
        with at(dt.date(2026, 11, 4)):  # within the legal period (an extension is asked for only then)
            services.case_extension_request(approver=approver, case_id=case.id, reason="需征求意见")
        assert post(api, approver, case, "transfer", department="MZJ", reason="x").status_code == 403
        assert post(api, supervisor, case, "transfer", department="MZJ").json()["code"] == "reason_required"
        assert (
            post(api, supervisor, case, "transfer", department="NOPE", reason="x").json()["code"]
            == "unknown_department"
        )
        same = post(api, supervisor, case, "transfer", department="RSJ", reason="x")
        assert (same.status_code, same.json()["code"]) == (422, "same_department")
        with at(dt.date(2026, 11, 5)):
            body = post(api, supervisor, case, "transfer", department="MZJ", reason="申请事项属民政部门职责").json()
        assert body["status"] == ReviewStatus.TRANSFERRED and body["department"] == other_department.name
        assert body["assignee"] is None and body["step"] == 0 and body["transferred_from"] == "区人力资源和社会保障局"
        assert sent("case.transferred") == [
            {"number": case.front_number, "department": "区民政局", "reason": "申请事项属民政部门职责"}
        ]
        assert ExtensionRequest.objects.get(case=case).status == ExtensionStatus.LAPSED
        case.refresh_from_db()
        assert case.clock_running_since == dt.date(2026, 11, 2) and case.clock_used == 0  # not paused, not restarted
        # The old department no longer sees it; the new one does, unassigned, and takes it up by claiming.
        assert api(approver).get(f"/api/v1/cases/{case.id}/").status_code == 404
        assert [c["front_number"] for c in api(other_approver).get("/api/v1/cases/?assignee=none").json()] == [
            case.front_number
        ]
        with at(dt.date(2026, 11, 10)):
            taken = post(api, other_approver, case, "claim").json()
            assert taken["status"] == ReviewStatus.IN_REVIEW and taken["sla"] == "red"  # 6 of 5 promised days used
        assert sent("case.review_resumed")[-1]["number"] == case.front_number
        assert "区民政局接收转办" in ReviewEvent.objects.filter(case=case).values_list("note", flat=True)

    def test_it_may_be_sent_on_again_assigned_or_withdrawn_but_not_during_a_correction(
        self, client, api, platform, matter, approver, other_approver, other_department, department, supervisor
    ):
        services.case_transfer(
            supervisor=supervisor, case_id=received_case(client, matter).id, department_code="MZJ", reason="民政职责"
        )
        case = ReviewCase.objects.get()
        again = services.case_transfer(
            supervisor=supervisor, case_id=case.id, department_code="RSJ", reason="转错，退回人社"
        )
        assert again.status == ReviewStatus.TRANSFERRED and again.transferred_from == other_department
        assigned = services.case_assign(supervisor=supervisor, case_id=case.id, approver_id=approver.id)
        assert assigned.status == ReviewStatus.IN_REVIEW and assigned.assignee == approver
        services.case_request_correction(
            approver=approver, case_id=case.id, items=["户口簿"], deadline=timezone.localdate() + dt.timedelta(days=5)
        )
        with pytest.raises(DomainError) as refused:
            services.case_transfer(supervisor=supervisor, case_id=case.id, department_code="MZJ", reason="x")
        assert refused.value.code == "invalid_state"
        second = receive(client, matter, "TZ2026112400002")
        services.case_transfer(supervisor=supervisor, case_id=second.id, department_code="MZJ", reason="民政职责")
        answer = wire(client, "case.withdraw_requested", {"number": second.front_number, "reason": "不办了"})
        assert answer.json()["status"] == ReviewStatus.WITHDRAWN

    def test_the_case_page_transfers(self, received, supervisor, other_department):
        page = Client()
        page.force_login(supervisor)
        html = page.get(f"/cases/{received.id}/").content.decode()
        assert 'id="transfer-submit"' in html and '<option value="MZJ">区民政局</option>' in html
        assert (
            "转办须说明理由。"
            in page.post(
                f"/cases/{received.id}/do/transfer/", {"department": "MZJ", "reason": ""}, follow=True
            ).content.decode()
        )
        page.post(f"/cases/{received.id}/do/transfer/", {"department": "MZJ", "reason": "属民政部门职责"})
        received.refresh_from_db()
        assert received.status == ReviewStatus.TRANSFERRED
        assert "由区人力资源和社会保障局转来" in page.get(f"/cases/{received.id}/").content.decode()


def received_case(client, matter) -> ReviewCase:
    return receive(client, matter)


class TestVoid:
    @pytest.mark.parametrize("where", ["in_review", "correction", "special_procedure", "transferred"])
    def test_a_supervisor_voids_a_case_opened_in_error_with_a_reason(
        self, api, received, approver, supervisor, other_department, where
    ):
        services.case_claim(approver=approver, case_id=received.id)
        if where == "correction":
            services.case_request_correction(
                approver=approver,
                case_id=received.id,
                items=["x"],
                deadline=timezone.localdate() + dt.timedelta(days=3),
            )
        elif where == "special_procedure":
            services.case_start_special_procedure(
                approver=approver, case_id=received.id, kind="hearing", reason="听证", expected_days=5
            )
        elif where == "transferred":
            services.case_transfer(supervisor=supervisor, case_id=received.id, department_code="MZJ", reason="民政职责")
        assert post(api, approver, received, "void", reason="x").status_code == 403
        assert post(api, supervisor, received, "void").json()["code"] == "reason_required"
        body = post(api, supervisor, received, "void", reason="同一申请重复报送").json()
        assert body["status"] == ReviewStatus.VOIDED and body["void_reason"] == "同一申请重复报送"
        assert sent("case.voided") == [{"number": received.front_number, "reason": "同一申请重复报送"}]
        received.refresh_from_db()
        assert received.clock_running_since is None  # stopped for good
        assert post(api, supervisor, received, "void", reason="again").json()["code"] == "invalid_state"
        assert (
            post(api, supervisor, received, "transfer", department="MZJ", reason="x").json()["code"] == "invalid_state"
        )

    def test_a_decided_case_is_not_voided(self, api, received, approver, supervisor):
        from tests.central.reviewing import to_decision_by_services

        to_decision_by_services(approver, received.id)
        services.case_decide(approver=approver, case_id=received.id, decision="approved", reason="")
        assert post(api, supervisor, received, "void", reason="误立").json()["code"] == "invalid_state"

    def test_the_case_page_voids_and_shows_why(self, received, supervisor):
        page = Client()
        page.force_login(supervisor)
        page.post(f"/cases/{received.id}/do/void/", {"reason": "测试数据误报"})
        html = page.get(f"/cases/{received.id}/").content.decode()
        assert "已作废" in html and "测试数据误报" in html and 'id="supervisor-actions"' not in html


class TestASuspendedCase:
    """A case opened in error, or sent to the wrong department, whose 容缺 commitment then broke (SUSPENDED): a
    supervisor still voids it, or transfers it. Accepted Mon 2026-11-02, suspended Wed 11-04 with 2 working days
    used; the last day for the items is 10 working days on, Wed 2026-11-18."""

    ACCEPTED, SUSPENDED_ON, LAST_DAY = dt.date(2026, 11, 2), dt.date(2026, 11, 4), dt.date(2026, 11, 18)

    @pytest.fixture
    def suspended(self, client, platform, matter, approver) -> ReviewCase:
        case = receive(client, matter, on=self.ACCEPTED)
        services.case_claim(approver=approver, case_id=case.id)
        number = case.front_number
        with at(self.SUSPENDED_ON):
            deferred.commitment_made(
                platform,
                "m-made",
                contract.CaseCommitmentMade(number=number, items=["户口簿"], deadline=self.SUSPENDED_ON),
                [],
            )
            deferred.commitment_broken(
                platform,
                "m-broken",
                contract.CaseCommitmentBroken(number=number, outstanding=["户口簿"], deadline=self.SUSPENDED_ON),
                [],
            )
        case.refresh_from_db()
        assert (case.status, case.clock_used, case.clock_running_since) == (ReviewStatus.SUSPENDED, 2, None)
        assert case.suspension_deadline == self.LAST_DAY
        return case

    def test_a_supervisor_voids_it_and_the_clock_stays_stopped(self, api, approver, supervisor, suspended):
        assert post(api, approver, suspended, "void", reason="x").status_code == 403
        with at(dt.date(2026, 11, 9)):
            body = post(api, supervisor, suspended, "void", reason="同一申请重复报送").json()
        assert body["status"] == ReviewStatus.VOIDED and body["void_reason"] == "同一申请重复报送"
        assert sent("case.voided") == [{"number": suspended.front_number, "reason": "同一申请重复报送"}]
        suspended.refresh_from_db()
        assert (suspended.clock_used, suspended.clock_running_since) == (2, None)
        with at(self.LAST_DAY + dt.timedelta(days=1), hour=0):
            assert services.cases_close_suspended() == 0  # voided, not closed again

    def test_a_supervisor_transfers_it_and_the_new_department_takes_it_up_still_suspended(
        self, api, other_approver, other_department, supervisor, suspended
    ):
        before = set(OutboxMessage.objects.values_list("id", flat=True))
        with at(dt.date(2026, 11, 6)):
            body = post(
                api, supervisor, suspended, "transfer", department="MZJ", reason="申请事项属民政部门职责"
            ).json()
        assert body["status"] == ReviewStatus.TRANSFERRED and body["department"] == other_department.name
        assert sent_after(before) == [
            (
                "case.transferred",
                {"number": suspended.front_number, "department": "区民政局", "reason": "申请事项属民政部门职责"},
            )
        ]
        suspended.refresh_from_db()
        # The suspension goes with it: the clock stopped, the same last day, not closed while on its way.
        assert (suspended.clock_used, suspended.clock_running_since) == (2, None)
        assert (suspended.suspended_on, suspended.suspension_deadline) == (self.SUSPENDED_ON, self.LAST_DAY)
        before = set(OutboxMessage.objects.values_list("id", flat=True))
        with at(dt.date(2026, 11, 10)):
            taken = post(api, other_approver, suspended, "claim").json()
        assert taken["status"] == ReviewStatus.SUSPENDED and taken["sla"] == "paused"
        suspended.refresh_from_db()
        assert (suspended.clock_used, suspended.suspension_deadline) == (2, self.LAST_DAY)
        # Only what is true goes to the front: taken up, still suspended, the same last day — never a
        # "resumed" (with no promised date) followed by the same suspension told again.
        assert sent_after(before) == [
            (
                "case.review_suspended",
                {"number": suspended.front_number, "outstanding": ["户口簿"], "deadline": self.LAST_DAY.isoformat()},
            )
        ]
        with at(self.LAST_DAY, hour=0):
            assert services.cases_close_suspended() == 0
        with at(self.LAST_DAY + dt.timedelta(days=1), hour=0):
            assert services.cases_close_suspended() == 1
        assert ReviewCase.objects.get(id=suspended.id).status == ReviewStatus.CLOSED_NO_CORRECTION

    def test_items_that_come_on_the_way_end_the_suspension(self, api, platform, other_approver, supervisor, suspended):
        with at(dt.date(2026, 11, 6)):
            services.case_transfer(
                supervisor=supervisor, case_id=suspended.id, department_code="MZJ", reason="民政职责"
            )
        with at(dt.date(2026, 11, 9)):  # a Monday
            deferred.deferred_supplied(
                platform,
                "m-supplied",
                contract.CaseDeferredSupplied(number=suspended.front_number, items=["户口簿"], outstanding=[]),
                [],
            )
        suspended.refresh_from_db()
        assert suspended.status == ReviewStatus.TRANSFERRED
        assert (suspended.clock_used, suspended.clock_running_since) == (2, dt.date(2026, 11, 9))
        assert (suspended.suspended_on, suspended.suspension_deadline) == (None, None)
        with at(dt.date(2026, 11, 10)):
            taken = post(api, other_approver, suspended, "claim").json()
        # In review, 3 working days used (Nov 3, 4 and 10): the promised 5 end on Thu 2026-11-12.
        assert taken["status"] == ReviewStatus.IN_REVIEW and taken["due_date"] == "2026-11-12"
        assert sent("case.review_resumed")[-1] == {"number": suspended.front_number, "promised_date": "2026-11-12"}

    def test_the_case_page_offers_both_to_a_supervisor(self, supervisor, suspended):
        page = Client()
        page.force_login(supervisor)
        html = page.get(f"/cases/{suspended.id}/").content.decode()
        assert 'id="transfer-submit"' in html and 'id="void"' in html
        page.post(f"/cases/{suspended.id}/do/void/", {"reason": "测试数据误报"})
        assert ReviewCase.objects.get(id=suspended.id).status == ReviewStatus.VOIDED


class TestClosedWithoutCorrection:
    def ask(self, client, matter, approver, *, on: dt.date, deadline: dt.date, number="TZ2026112400001") -> ReviewCase:
        case = receive(client, matter, number)
        with at(on):
            services.case_claim(approver=approver, case_id=case.id)
            services.case_request_correction(
                approver=approver, case_id=case.id, items=["补充户口簿首页"], deadline=deadline
            )
        return case

    def closes(self, day: dt.date) -> int:
        with at(day, hour=0):
            return services.cases_close_uncorrected()

    @pytest.mark.parametrize(
        ("deadline", "last_day", "why"),
        [
            (dt.date(2026, 11, 27), dt.date(2026, 11, 27), "a Friday: the day itself"),
            (dt.date(2026, 11, 28), dt.date(2026, 11, 30), "a Saturday: the Monday after"),
            (dt.date(2026, 2, 14), dt.date(2026, 2, 14), "a Saturday made a workday (调休): the day itself"),
            (dt.date(2026, 2, 15), dt.date(2026, 2, 24), "the Spring Festival: the first working day after it"),
        ],
    )
    def test_it_closes_the_day_after_the_last_day(self, client, platform, matter, approver, deadline, last_day, why):
        case = self.ask(client, matter, approver, on=deadline - dt.timedelta(days=10), deadline=deadline)
        assert services.correction_last_day(deadline, calendar_get()) == last_day, why
        assert self.closes(last_day) == 0
        case.refresh_from_db()
        assert case.status == ReviewStatus.CORRECTION
        assert self.closes(last_day + dt.timedelta(days=1)) == 1
        case.refresh_from_db()
        assert case.status == ReviewStatus.CLOSED_NO_CORRECTION
        assert sent("case.closed_no_correction") == [{"number": case.front_number, "deadline": deadline.isoformat()}]

    def test_it_closes_once_however_often_the_job_runs(self, client, platform, matter, approver):
        self.ask(client, matter, approver, on=dt.date(2026, 11, 20), deadline=dt.date(2026, 11, 27))
        with at(dt.date(2026, 11, 30)):
            assert close_uncorrected() == 1  # the beat task's body
            assert close_uncorrected() == 0
        assert len(sent("case.closed_no_correction")) == 1
        assert ReviewEvent.objects.filter(to_status=ReviewStatus.CLOSED_NO_CORRECTION).count() == 1
        assert settings.CELERY_BEAT_SCHEDULE["review-close-uncorrected"]["task"] == close_uncorrected.name

    def test_an_answer_in_time_keeps_the_case_and_a_late_one_is_not_used(self, client, platform, matter, approver):
        answered = self.ask(client, matter, approver, on=dt.date(2026, 11, 20), deadline=dt.date(2026, 11, 27))
        late = self.ask(
            client, matter, approver, on=dt.date(2026, 11, 20), deadline=dt.date(2026, 11, 27), number="TZ2026112400002"
        )
        file = {
            "name": "户口簿.pdf",
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "content_type": "application/pdf",
            "content_b64": base64.b64encode(PDF).decode(),
        }
        assert wire(client, "case.supplement", {"number": answered.front_number}, [file]).status_code == 200
        assert self.closes(dt.date(2026, 11, 30)) == 1
        answered.refresh_from_db()
        late.refresh_from_db()
        assert answered.status == ReviewStatus.IN_REVIEW and late.status == ReviewStatus.CLOSED_NO_CORRECTION
        # The late supplement crossed the closure on the wire: acknowledged, not stored, the closure told again.
        answer = wire(client, "case.supplement", {"number": late.front_number}, [file])
        assert answer.status_code == 200 and answer.json()["status"] == ReviewStatus.CLOSED_NO_CORRECTION
        assert late.materials.count() == 1
        assert len(sent("case.closed_no_correction")) == 2
        assert "办件已终止后收到补正材料，未予采用：户口簿.pdf" in late.events.values_list("note", flat=True)

    @pytest.mark.unpublished_calendar
    def test_it_waits_for_a_year_nobody_has_published(self, client, platform, matter, approver):
        case = self.ask(client, matter, approver, on=dt.date(2026, 12, 28), deadline=dt.date(2027, 1, 8))
        assert self.closes(dt.date(2027, 1, 20)) == 0  # is Jan 8, 2027 a working day? not known: not guessed
        case.refresh_from_db()
        assert case.status == ReviewStatus.CORRECTION
        PublishedYear.objects.create(year=2027, note="Monday–Friday")
        assert self.closes(dt.date(2027, 1, 20)) == 1


def test_reconciliation_resends_each_end(client, platform, matter, approver, supervisor, other_department):
    transferred = receive(client, matter, "TZ2026112400001")
    voided = receive(client, matter, "TZ2026112400002")
    closed = receive(client, matter, "TZ2026112400003")
    withdrawn = receive(client, matter, "TZ2026112400004")
    services.case_transfer(supervisor=supervisor, case_id=transferred.id, department_code="MZJ", reason="民政职责")
    services.case_void(supervisor=supervisor, case_id=voided.id, reason="重复报送")
    with at(dt.date(2026, 11, 20)):
        services.case_claim(approver=approver, case_id=closed.id)
        services.case_request_correction(
            approver=approver, case_id=closed.id, items=["x"], deadline=dt.date(2026, 11, 23)
        )
    with at(dt.date(2026, 11, 24)):
        services.cases_close_uncorrected()
    wire(client, "case.withdraw_requested", {"number": withdrawn.front_number, "reason": ""})
    OutboxMessage.objects.all().delete()
    services.cases_resync(
        platform=platform, numbers=["TZ2026112400001", "TZ2026112400002", "TZ2026112400003", "TZ2026112400004"]
    )
    assert sorted(OutboxMessage.objects.values_list("kind", flat=True)) == [
        "case.closed_no_correction",
        "case.transferred",
        "case.voided",
        "case.withdrawn",
    ]
    assert sent("case.transferred") == [{"number": "TZ2026112400001", "department": "区民政局", "reason": "民政职责"}]
    # A withdrawal asked of a voided case is answered with the void, not a refusal.
    wire(client, "case.withdraw_requested", {"number": voided.front_number, "reason": ""})
    assert sent("case.voided")[-1] == {"number": "TZ2026112400002", "reason": "重复报送"}
    assert not OutboxMessage.objects.filter(kind="case.withdraw_refused").exists()
