"""Edges of the front's case lifecycle that no other test made (found by tests/front/test_status_reach.py, issue 13):
central's events arriving while the case is in a state other tests never sent them to (a decision that overtakes
the review's start, a withdrawal confirmed during a correction or a special procedure…), and 办结: a case whose
result was delivered, or that was denied, is closed by a job once the rating period (CASE_CLOSE_AFTER_WORKDAYS
working days, 调休 counted) has passed, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.intake import services
from apps.front.intake.models import Case, CaseEvent, CaseStatus
from govservice.lib.decisions import Decision
from tests.front.intake.test_central_events import event

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_case(citizen, hall, matter, clerk, central_peer):
    def make(status: str, **fields) -> Case:
        return Case.objects.create(
            number=f"TZ20261124{Case.objects.count():05d}",
            query_password_hash="x",
            citizen=citizen,
            matter=matter,
            hall=hall,
            clerk=clerk,
            status=status,
            accepted_at=timezone.now(),
            **fields,
        )

    return make


def status_of(case: Case) -> str:
    return Case.objects.get(id=case.id).status


DECIDED = {
    "decision": "approved",
    "reason": "",
    "remedies": "",
    "decided_at": "2026-11-24T10:00:00+08:00",
    "approver_label": "区人社局审批人员",
}


class TestCentralsEventsFromEveryState:
    def test_the_review_starts_on_an_accepted_case(self, client, make_case):
        case = make_case(CaseStatus.ACCEPTED)
        event(client, "case.review_started", {"number": case.number})
        assert status_of(case) == CaseStatus.IN_REVIEW

    def test_a_decision_that_overtakes_the_reviews_start_is_recorded(self, client, make_case):
        case = make_case(CaseStatus.ACCEPTED)
        event(client, "case.decided", {"number": case.number, **DECIDED})
        assert status_of(case) == CaseStatus.DECIDED

    def test_a_decision_ends_a_special_procedure(self, client, make_case):
        case = make_case(CaseStatus.SPECIAL_PROCEDURE)
        event(client, "case.decided", {"number": case.number, **DECIDED})
        assert status_of(case) == CaseStatus.DECIDED

    def test_an_accepted_case_is_transferred(self, client, make_case):
        case = make_case(CaseStatus.ACCEPTED)
        event(client, "case.transferred", {"number": case.number, "department": "区民政局", "reason": "民政职责"})
        assert status_of(case) == CaseStatus.TRANSFERRED

    @pytest.mark.parametrize("status", [CaseStatus.ACCEPTED, CaseStatus.CORRECTION, CaseStatus.SPECIAL_PROCEDURE])
    def test_central_confirms_a_withdrawal(self, client, make_case, status):
        case = make_case(status)
        event(client, "case.withdrawn", {"number": case.number})
        assert status_of(case) == CaseStatus.WITHDRAWN


def test_a_case_pre_filed_online_is_withdrawn_by_its_applicant(api, citizen, make_case):
    case = make_case(CaseStatus.SUBMITTED)
    assert api(citizen).post(
        f"/api/v1/cases/{case.number}/withdraw/", {"reason": "不办了"}, format="json"
    ).status_code in (200, 202)
    assert status_of(case) == CaseStatus.WITHDRAWN


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


class TestClosing:
    """2026-09-28 (Mon) + 5 working days: 29, 30 Sep; National Day 1–7 Oct off; 8, 9 Oct and the make-up Saturday
    10 Oct (调休) — the last day of the rating period; the case is closed from 11 Oct."""

    def test_a_delivered_case_is_closed_after_the_rating_period_once(self, make_case):
        case = make_case(CaseStatus.RESULT_READY, decision=Decision.APPROVED)
        with time_machine.travel(at(dt.date(2026, 9, 28)), tick=False):
            services.case_transition(case=case, to_status=CaseStatus.DELIVERED, actor=None, actor_label="窗口")
        assert services.cases_close_finished(today=dt.date(2026, 10, 10)) == 0
        assert status_of(case) == CaseStatus.DELIVERED
        assert services.cases_close_finished(today=dt.date(2026, 10, 11)) == 1
        assert status_of(case) == CaseStatus.CLOSED
        assert CaseEvent.objects.filter(case=case, to_status=CaseStatus.CLOSED, note="办结").count() == 1
        assert services.cases_close_finished(today=dt.date(2026, 10, 12)) == 0

    def test_a_denied_case_is_closed_and_an_approved_one_waits_for_its_result(self, make_case):
        denied = make_case(CaseStatus.DECIDED, decision=Decision.DENIED, decided_at=at(dt.date(2026, 9, 28)))
        approved = make_case(CaseStatus.DECIDED, decision=Decision.APPROVED, decided_at=at(dt.date(2026, 9, 28)))
        assert services.cases_close_finished(today=dt.date(2026, 10, 11)) == 1
        assert (status_of(denied), status_of(approved)) == (CaseStatus.CLOSED, CaseStatus.DECIDED)

    @pytest.mark.unpublished_calendar
    def test_a_period_reaching_an_unpublished_year_is_not_guessed(self, make_case):
        case = make_case(CaseStatus.DECIDED, decision=Decision.DENIED, decided_at=at(dt.date(2026, 12, 28)))
        assert services.cases_close_finished(today=dt.date(2027, 3, 1)) == 0
        assert status_of(case) == CaseStatus.DECIDED
