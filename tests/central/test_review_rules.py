"""Central follows its own steps (issue 13 point 6).

DOMAIN.md §1/§5 "the central back office reviews and decides": a decision is taken by whoever holds the case
(claimed, assigned or taken over), once its review steps (初审 → 复审) have been passed in order; a central
supervisor assigns, reassigns (with a reason) and takes over. The queue pages and filters: newest or most
urgent first, by status, department, step, SLA colour, mine or unassigned, case number.

Each rule through the service, the API and the page:
- decided only when held and its steps passed: ``TestDecidingNeedsTheCaseAndItsSteps``
- assign, reassign, take over: ``TestSupervisorsHandCasesOut``
- the queue (API and page): ``TestTheQueue``, ``TestTheQueuePage``
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.central.review import services
from apps.central.review.models import ApproverPost, ReviewCase, ReviewEvent, ReviewStatus
from apps.shared.accounts.models import Role
from apps.shared.exchange.models import OutboxMessage
from govservice.api import DomainError, status_for
from tests.central.reviewing import to_decision_by_services
from tests.central.test_review import package, send
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


def receive(client, matter, number: str, *, on: dt.date | None = None) -> ReviewCase:
    """A case arrives over the signed wire (which checks its timestamp against the real clock, so it is sent
    now); ``on`` then dates its acceptance and arrival, as if it had come that day."""
    assert send(client, *package(matter, number=number)).status_code == 200
    if on is not None:
        moment = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
        ReviewCase.objects.filter(front_number=number).update(
            accepted_at=moment, received_at=moment, clock_running_since=on
        )
    return ReviewCase.objects.get(front_number=number)


@pytest.fixture
def received(client, platform, matter):
    return receive(client, matter, "TZ2026112400001")


@pytest.fixture
def supervisor(db):
    return make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")


@pytest.fixture
def colleague(department):
    user = make_user("approver3", Role.APPROVER, real_name="周审批")
    ApproverPost.objects.create(user=user, department=department)
    return user


def post(api, user, case, action, **data):
    return api(user).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestDecidingNeedsTheCaseAndItsSteps:
    def test_it_refuses_to_decide_an_unclaimed_case_at_step_zero(self, api, approver, received):
        """The issue's finding: an unclaimed case at step 0 answered 200 and was decided."""
        response = api(approver).post(f"/api/v1/cases/{received.id}/decide/", {"decision": "approved"}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "not_claimed")
        english = api(approver).post(
            f"/api/v1/cases/{received.id}/decide/", {"decision": "approved"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert english.json()["detail"] == "Claim the case before working on it."
        received.refresh_from_db()
        assert received.status == ReviewStatus.IN_REVIEW and received.decision == ""
        assert not OutboxMessage.objects.filter(kind="case.decided").exists()

    def test_it_refuses_a_case_claimed_by_someone_else(self, api, approver, colleague, received):
        services.case_claim(approver=colleague, case_id=received.id)
        for _ in range(2):
            services.case_step(approver=colleague, case_id=received.id, forward=True)
        response = api(approver).post(f"/api/v1/cases/{received.id}/decide/", {"decision": "approved"}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "not_assignee")
        for action in ("pass", "return", "correction", "special", "extend"):
            assert post(api, approver, received, action, reason="x").status_code in (400, 409)
        received.refresh_from_db()
        assert received.status == ReviewStatus.IN_REVIEW and received.step == 2

    def test_it_refuses_until_each_step_has_been_passed_in_order(self, api, approver, received):
        services.case_claim(approver=approver, case_id=received.id)
        for step_name in ("初审", "复审"):
            with pytest.raises(DomainError) as refused:
                services.case_decide(approver=approver, case_id=received.id, decision="approved", reason="")
            assert refused.value.code == "steps_incomplete" and status_for(refused.value) == 409
            assert f"“{step_name}”" in str(refused.value)
            services.case_step(approver=approver, case_id=received.id, forward=True)
        # Returned to 复审 with a reason: not decidable again until passed again.
        services.case_step(approver=approver, case_id=received.id, forward=False, note="复审意见不完整")
        assert post(api, approver, received, "decide", decision="approved").json()["code"] == "steps_incomplete"
        services.case_step(approver=approver, case_id=received.id, forward=True)
        decided = post(api, approver, received, "decide", decision="approved")
        assert decided.status_code == 200 and decided.json()["status"] == ReviewStatus.DECIDED
        # A step cannot be skipped or run past the last one.
        assert post(api, approver, received, "pass").json()["code"] in ("invalid_step", "invalid_state")

    def test_the_page_offers_the_decision_only_once_the_steps_are_passed(self, approver, received):
        client = page(approver)
        client.post(f"/cases/{received.id}/do/claim/")
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert 'id="decide"' not in html and 'id="steps-hint"' in html
        refused = client.post(f"/cases/{received.id}/do/decide/", {"decision": "approved", "reason": ""}, follow=True)
        assert "须依次通过初审、复审环节后才能作出决定" in refused.content.decode()
        for _ in range(2):
            client.post(f"/cases/{received.id}/do/pass/", {"note": ""})
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert 'id="decide"' in html and 'id="steps-hint"' not in html
        client.post(f"/cases/{received.id}/do/decide/", {"decision": "approved", "reason": ""})
        received.refresh_from_db()
        assert received.status == ReviewStatus.DECIDED and received.decided_by == approver

    def test_a_supervisor_who_has_not_taken_the_case_over_cannot_decide(self, api, approver, supervisor, received):
        to_decision_by_services(approver, received.id)
        response = post(api, supervisor, received, "decide", decision="approved")
        assert (response.status_code, response.json()["code"]) == (409, "not_assignee")
        clerk_like = make_user("admin1", Role.ADMIN)
        assert post(api, clerk_like, received, "decide", decision="approved").status_code == 403


class TestSupervisorsHandCasesOut:
    def test_it_assigns_then_reassigns_only_with_a_reason(self, api, approver, colleague, supervisor, received):
        assert post(api, supervisor, received, "assign", approver=approver.id).json()["assignee"] == "approver"
        refused = post(api, supervisor, received, "assign", approver=colleague.id)
        assert (refused.status_code, refused.json()["code"]) == (422, "reason_required")
        moved = post(api, supervisor, received, "assign", approver=colleague.id, reason="钱审批休假")
        assert moved.status_code == 200 and moved.json()["assignee"] == "approver3"
        note = ReviewEvent.objects.filter(case=received).last().note
        assert note == "由 钱审批 改派给 周审批：钱审批休假"
        # The new holder works on it; the former one no longer may.
        assert post(api, approver, received, "pass").json()["code"] == "not_assignee"
        assert post(api, colleague, received, "pass").status_code == 200

    def test_only_a_supervisor_assigns_and_only_within_the_department(
        self, api, approver, other_approver, supervisor, received
    ):
        assert post(api, approver, received, "assign", approver=approver.id).status_code == 403
        assert (
            post(api, supervisor, received, "assign", approver=other_approver.id).json()["code"] == "wrong_department"
        )
        assert post(api, supervisor, received, "assign", approver=999999).json()["code"] == "wrong_department"
        assert post(api, supervisor, received, "assign").status_code == 400  # no approver named

    def test_a_supervisor_takes_over_with_a_reason_and_decides(self, api, approver, supervisor, received):
        services.case_claim(approver=approver, case_id=received.id)
        assert post(api, supervisor, received, "take-over").json()["code"] == "reason_required"
        taken = post(api, supervisor, received, "take-over", reason="申请人投诉，主管督办")
        assert taken.status_code == 200 and taken.json()["assignee"] == "centralsup"
        assert (
            "主管接办（原认领人 钱审批）：申请人投诉，主管督办" in ReviewEvent.objects.filter(case=received).last().note
        )
        to_decision_by_services(supervisor, received.id, claim=False)
        assert post(api, supervisor, received, "decide", decision="approved").json()["status"] == ReviewStatus.DECIDED
        received.refresh_from_db()
        assert received.decided_by == supervisor
        # Finished: nobody is handed it any more.
        assert post(api, supervisor, received, "assign", approver=approver.id).json()["code"] == "invalid_state"
        assert post(api, approver, received, "claim").json()["code"] == "invalid_state"

    def test_the_case_page_lets_a_supervisor_assign_and_take_over(self, approver, colleague, supervisor, received):
        client = page(supervisor)
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert 'id="supervisor-actions"' in html and "周审批" in html and "钱审批" in html
        assert 'id="claim"' not in html  # supervisors do not claim: they assign or take over
        client.post(f"/cases/{received.id}/do/assign/", {"approver": colleague.id, "reason": ""})
        received.refresh_from_db()
        assert received.assignee == colleague
        refused = client.post(f"/cases/{received.id}/do/take-over/", {"reason": " "}, follow=True)
        assert "接办须说明理由。" in refused.content.decode()
        client.post(f"/cases/{received.id}/do/take-over/", {"reason": "紧急件"})
        received.refresh_from_db()
        assert received.assignee == supervisor
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert "通过，转下一环节" in html  # the supervisor now works on it


class TestTheQueue:
    @pytest.fixture
    def queue(self, client, platform, department, matter, approver, colleague):
        """Five cases received on different days of November 2026, in different states."""
        days = [dt.date(2026, 11, d) for d in (2, 9, 16, 23, 24)]
        cases = [receive(client, matter, f"TZ20261100000{i}", on=day) for i, day in enumerate(days, start=1)]
        services.case_claim(approver=approver, case_id=cases[0].id)
        services.case_claim(approver=colleague, case_id=cases[1].id)
        services.case_step(approver=colleague, case_id=cases[1].id, forward=True)
        to_decision_by_services(approver, cases[2].id)
        services.case_decide(approver=approver, case_id=cases[2].id, decision="approved", reason="")
        return cases

    def numbers(self, response) -> list[str]:
        assert response.status_code == 200, response.content
        return [row["front_number"] for row in response.json()]

    def test_it_lists_newest_first_and_pages_with_the_total_in_headers(self, api, approver, queue):
        response = api(approver).get("/api/v1/cases/")
        assert self.numbers(response) == [c.front_number for c in reversed(queue)]
        assert response["X-Total-Count"] == "5"
        first = api(approver).get("/api/v1/cases/?page_size=2")
        assert self.numbers(first) == ["TZ202611000005", "TZ202611000004"]
        assert 'rel="next"' in first["Link"] and "page=2" in first["Link"] and 'rel="prev"' not in first["Link"]
        last = api(approver).get("/api/v1/cases/?page_size=2&page=3")
        assert self.numbers(last) == ["TZ202611000001"] and 'rel="prev"' in last["Link"]
        missing = api(approver).get("/api/v1/cases/?page=9")
        assert missing.status_code == 404 and missing.json()["detail"] == "没有这一页。"
        assert self.numbers(api(approver).get("/api/v1/cases/?ordering=oldest&page_size=1")) == ["TZ202611000001"]
        # A page size out of range is said, not replaced: the schema's 1–200.
        assert self.numbers(api(approver).get("/api/v1/cases/?page_size=200")) == [
            c.front_number for c in reversed(queue)
        ]
        for size in ("0", "201", "-1", "ten", "99999999999"):
            refused = api(approver).get(f"/api/v1/cases/?page_size={size}")
            assert refused.status_code == 400 and refused.json()["code"] == "invalid", size
            assert "page_size" in refused.json()["errors"]

    def test_it_filters_by_status_step_holder_and_number(self, api, approver, colleague, queue):
        get = lambda query, user=approver: self.numbers(api(user).get(f"/api/v1/cases/?{query}"))  # noqa: E731
        assert get("status=open") == ["TZ202611000005", "TZ202611000004", "TZ202611000002", "TZ202611000001"]
        assert get("status=finished") == get("status=decided") == ["TZ202611000003"]
        assert get("step=1") == ["TZ202611000002"]
        assert get("assignee=me") == ["TZ202611000003", "TZ202611000001"]
        assert get("assignee=me", colleague) == ["TZ202611000002"]
        assert get("assignee=none") == ["TZ202611000005", "TZ202611000004"]
        assert get("number=000004") == ["TZ202611000004"]
        assert get("number=tz2026110000") == get("")  # any part of the number, either case

    def test_it_filters_by_colour_and_orders_the_most_urgent_first(self, api, approver, queue):
        # Promised 5 working days: on 2026-11-25 the case of Nov 16 (7 used) and Nov 9 (12) are late, the one of
        # Nov 23 has 3 left, Nov 24 has 4 left; Nov 2 is red the longest.
        with at(dt.date(2026, 11, 25)):
            urgent = self.numbers(api(approver).get("/api/v1/cases/?ordering=urgent&status=open"))
            red = self.numbers(api(approver).get("/api/v1/cases/?sla=red"))
            green = self.numbers(api(approver).get("/api/v1/cases/?sla=green"))
            body = api(approver).get("/api/v1/cases/?number=000001").json()[0]
        assert urgent == ["TZ202611000001", "TZ202611000002", "TZ202611000004", "TZ202611000005"]
        assert red == ["TZ202611000002", "TZ202611000001"]  # newest first among the red
        assert green == ["TZ202611000005", "TZ202611000004"]
        # Against the law (20 working days) the case of Nov 2 has used 17: three left is still green, two is
        # yellow, none left is red — the colour the supervisor filters on.
        assert (body["sla"], body["legal_sla"]) == ("red", "green")
        with at(dt.date(2026, 11, 26)):
            assert self.numbers(api(approver).get("/api/v1/cases/?legal_sla=yellow")) == ["TZ202611000001"]
        with at(dt.date(2026, 12, 1)):
            assert self.numbers(api(approver).get("/api/v1/cases/?legal_sla=red")) == ["TZ202611000001"]
            assert api(approver).get("/api/v1/cases/?number=000001").json()[0]["legal_due_date"] is None  # past it

    def test_it_refuses_a_filter_it_cannot_read(self, api, approver, queue):
        for query in ("status=lost", "sla=purple", "step=7", "assignee=someone", "ordering=random"):
            response = api(approver).get(f"/api/v1/cases/?{query}")
            assert response.status_code == 400 and response.json()["code"] == "invalid", query

    def test_a_department_sees_only_its_cases_and_a_supervisor_filters_by_department(
        self, client, api, other_approver, other_department, supervisor, queue
    ):
        theirs = receive(client, make_matter("M-002", department=other_department, name="低保申请"), "TZ202611000099")
        assert self.numbers(api(other_approver).get("/api/v1/cases/")) == [theirs.front_number]
        assert self.numbers(api(supervisor).get("/api/v1/cases/?department=MZJ")) == [theirs.front_number]
        assert len(self.numbers(api(supervisor).get("/api/v1/cases/?department=RSJ"))) == 5

    def test_its_query_count_does_not_grow_with_the_cases(self, client, api, approver, matter, queue):
        def count(query: str) -> int:
            with CaptureQueriesContext(connection) as captured:
                assert api(approver).get(f"/api/v1/cases/?{query}").status_code == 200
            return len(captured)

        few = {q: count(q) for q in ("", "ordering=urgent", "sla=red")}
        for i in range(6):
            receive(client, matter, f"TZ20261200001{i}")
        ReviewCase.objects.filter(front_number__startswith="TZ20261200001").update(assignee=approver)
        assert {q: count(q) for q in few} == few


class TestTheQueuePage:
    def test_it_opens_on_the_open_cases_and_filters(self, client, approver, matter, platform):
        first = receive(client, matter, "TZ202611000001")
        receive(client, matter, "TZ202611000002")
        to_decision_by_services(approver, first.id)
        services.case_decide(approver=approver, case_id=first.id, decision="approved", reason="")
        html = page(approver).get("/").content.decode()
        assert "TZ202611000002" in html and "TZ202611000001" not in html and "共 1 件" in html
        assert "TZ202611000001" in page(approver).get("/?status=").content.decode()
        refused = page(approver).get("/?sla=purple")
        assert refused.status_code == 400 and "承诺时限" in refused.content.decode()

    def test_it_pages_fifty_at_a_time(self, client, approver, matter, platform):
        for i in range(51):
            receive(client, matter, f"TZ2026110001{i:02d}")
        first = page(approver).get("/").content.decode()
        assert (
            "共 51 件" in first
            and "第 1 / 2 页" in first
            and "TZ202611000150" in first
            and "TZ202611000100" not in first
        )
        second = page(approver).get("/?page=2").content.decode()
        assert "TZ202611000100" in second and 'rel="prev"' in second

    def test_a_supervisor_assigns_from_the_queue_and_comes_back_to_it(
        self, client, approver, colleague, supervisor, matter, platform
    ):
        case = receive(client, matter, "TZ202611000001")
        client_page = page(supervisor)
        html = client_page.get("/?assignee=none").content.decode()
        assert f'action="/cases/{case.id}/do/assign/"' in html and "周审批" in html
        back = "/?assignee=none"
        response = client_page.post(f"/cases/{case.id}/do/assign/", {"approver": colleague.id, "next": back})
        assert response.status_code == 302 and response["Location"] == back
        case.refresh_from_db()
        assert case.assignee == colleague
        # Nowhere else: a foreign next is ignored.
        away = client_page.post(
            f"/cases/{case.id}/do/assign/", {"approver": approver.id, "reason": "x", "next": "https://evil.example/"}
        )
        assert away["Location"] == f"/cases/{case.id}/"
        # An approver sees no assignment column.
        assert f'action="/cases/{case.id}/do/assign/"' not in page(approver).get("/").content.decode()


def test_the_schema_documents_the_queues_filters_pages_and_headers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = schema["paths"]["/api/v1/cases/"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert {
        "status",
        "department",
        "step",
        "sla",
        "legal_sla",
        "assignee",
        "extension",
        "number",
        "ordering",
        "page",
        "page_size",
    } <= set(parameters)
    assert set(parameters["ordering"]["schema"]["enum"]) == {"newest", "urgent", "oldest"}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert (parameters["page_size"]["schema"]["minimum"], parameters["page_size"]["schema"]["maximum"]) == (1, 200)
    answer = listing["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["type"] == "array"  # the body is still the list
    assert {"X-Total-Count", "Link"} <= set(answer["headers"])
