"""最多跑一次 for someone acting for the applicant (issue 15 §1–§2; DOMAIN.md §9): the agent who filed an online
application — a person's 代办人 or a company's 经办人 — books (and cancels) the one visit to have the originals seen,
through the page and the API, within a mandate in force (the mandates' rule on the case, at each act); both people
are recorded (the appointment, the case's event, the mandate's event) and the principal sees it; a revoked or
out-of-scope mandate is refused with the reason. At the window the agent is received for the principal: the kiosk
finds the visit by the agent's ID card, and a 委托书 for that one case reaches its visit."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.floor.models import Ticket
from apps.front.intake.models import Case, OriginalsCheck, TrustLevel
from apps.front.intake.services import originals_to_see
from apps.front.mandates.models import EventKind, MandateEvent
from apps.front.mandates.services import mandate_revoke
from apps.front.notifications.models import Notification
from tests.front.intake.test_central_events import event
from tests.front.mandates.conftest import make_company, make_mandate
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import fill, start, submit

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/online/applications/"


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def visit_api(number: str) -> str:
    return f"/api/v1/online/cases/{number}/originals-visit/"


def filed_and_accepted(api, agent, principal, clerk, matter) -> Case:
    """The agent files the principal's application online; the hall accepts it in its pre-review."""
    started = api(agent).post(APPLICATIONS, {"matter": matter.code, "principal": principal.pk}, format="json")
    assert started.status_code == 201, started.content
    code = started.json()["code"]
    fill(api, agent, code)
    number = submit(api, agent, code)["case"]["number"]
    assert api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 200
    case = Case.objects.get(number=number)
    assert (case.citizen, case.agent) == (principal, agent) and case.needs_original_visit
    return case


@pytest.fixture
def mandate(citizen, agent, visit_matter):
    return make_mandate(citizen, agent, matter_codes=[visit_matter.code])


@pytest.fixture
def agents_case(api, mandate, citizen, agent, clerk, visit_matter, central_peer) -> Case:
    return filed_and_accepted(api, agent, citizen, clerk, visit_matter)


class TestTheAgentBooksTheVisit:
    def test_through_the_page_with_both_people_recorded_and_the_principal_seeing_it(
        self, agents_case, mandate, citizen, agent, hall
    ):
        case = agents_case
        slot = make_slot(hall, capacity=2)
        page = browser(agent)
        # The agent's page of the principal's case offers the visit, as the applicant's does.
        followed = page.get(f"/acting/{citizen.pk}/cases/{case.number}/").content.decode()
        assert f'href="/cases/{case.number}/originals-visit/"' in followed
        offered = page.get(f"/cases/{case.number}/originals-visit/")
        assert offered.status_code == 200, offered.content.decode()
        html = offered.content.decode()
        assert 'id="acting-for"' in html and citizen.real_name in html and f'value="{slot.id}"' in html
        booked = page.post(f"/cases/{case.number}/originals-visit/", {"slot": slot.id})
        assert booked.status_code == 302 and booked.url == f"/acting/{citizen.pk}/cases/{case.number}/"
        # Both people: the appointment is the principal's, booked by the agent; the case and the mandate say so.
        check = OriginalsCheck.objects.select_related("appointment").get(case=case)
        appointment = check.appointment
        assert (appointment.citizen, appointment.agent, appointment.hall) == (citizen, agent, hall)
        event = case.events.get(note__contains="核验原件（预约码")
        assert event.actor == agent and "张丽 代为预约" in event.note
        acts = MandateEvent.objects.filter(mandate=mandate, kind=EventKind.BOOKED)
        assert [(e.actor, e.reference) for e in acts] == [(agent, appointment.code)]
        # The principal sees the visit on their case, with who booked it, and the act under their mandate.
        mine = browser(citizen).get(f"/cases/{case.number}/").content.decode()
        assert appointment.code in mine and 'id="visit-booked-by"' in mine and agent.real_name in mine
        assert appointment.code in str(browser(citizen).get(f"/authorisations/{mandate.number}/").content.decode())
        # And the agent cancels it from the same page.
        cancelled = page.post(f"/cases/{case.number}/originals-visit/", {"action": "cancel"})
        assert cancelled.status_code == 302
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED_BY_CITIZEN
        assert MandateEvent.objects.filter(
            mandate=mandate, kind=EventKind.CANCELLED, reference=appointment.code
        ).exists()
        assert case.events.filter(actor=agent, note__contains="取消到大厅核验原件").exists()

    def test_through_the_api_once_per_retry_and_cancelled(self, agents_case, mandate, api, citizen, agent, hall):
        case = agents_case
        slot = make_slot(hall, capacity=2)
        shown = api(agent).get(visit_api(case.number))
        assert shown.status_code == 200, shown.content
        body = shown.json()
        assert body["acting"] is True and body["applicant_name"] == citizen.real_name and body["appointment"] is None
        assert slot.id in [s["id"] for s in body["slots"]] and body["originals"] == ["居民身份证", "解除劳动关系证明"]
        booked = api(agent).post(visit_api(case.number), {"slot": slot.id}, format="json", HTTP_IDEMPOTENCY_KEY="v-1")
        assert booked.status_code == 201, booked.content
        appointment = booked.json()["appointment"]
        assert appointment["booked_by"] == agent.real_name and appointment["status"] == "booked"
        # A retry answers with the same visit, recorded once.
        again = api(agent).post(visit_api(case.number), {"slot": slot.id}, format="json", HTTP_IDEMPOTENCY_KEY="v-1")
        assert again.status_code == 201 and again.json()["appointment"]["code"] == appointment["code"]
        assert Appointment.objects.filter(citizen=citizen).count() == 1
        assert MandateEvent.objects.filter(mandate=mandate, kind=EventKind.BOOKED).count() == 1
        # The principal reads the same visit through the API, booked by the agent.
        theirs = api(citizen).get(visit_api(case.number)).json()
        assert theirs["acting"] is False and theirs["appointment"]["booked_by"] == agent.real_name
        cancelled = api(agent).post(f"{visit_api(case.number)}cancel/")
        assert cancelled.status_code == 200, cancelled.content
        assert cancelled.json()["appointment"]["status"] == AppointmentStatus.CANCELLED_BY_CITIZEN
        assert MandateEvent.objects.filter(mandate=mandate, kind=EventKind.CANCELLED).count() == 1
        nothing = api(agent).post(f"{visit_api(case.number)}cancel/")
        assert (nothing.status_code, nothing.json()["code"]) == (409, "invalid_state")

    def test_a_company_agent_books_for_the_company(
        self, api, representative, agent, clerk, hall, visit_matter, central_peer
    ):
        visit_matter.target = "both"
        visit_matter.save(update_fields=["target"])
        company = make_company(representative)
        mandate = make_mandate(company.account, agent, matter_codes=[visit_matter.code])
        case = filed_and_accepted(api, agent, company.account, clerk, visit_matter)
        slot = make_slot(hall, capacity=2)
        booked = api(agent).post(visit_api(case.number), {"slot": slot.id}, format="json")
        assert booked.status_code == 201, booked.content
        appointment = OriginalsCheck.objects.get(case=case).appointment
        assert (appointment.citizen, appointment.agent) == (company.account, agent)
        assert MandateEvent.objects.filter(mandate=mandate, kind=EventKind.BOOKED, reference=appointment.code).exists()
        # The company's legal representative sees the visit, booked by the 经办人.
        assert api(representative).get(visit_api(case.number)).json()["appointment"]["booked_by"] == agent.real_name


class TestTheAgentIsRefusedWithTheReason:
    def test_a_revoked_mandate_is_refused_in_chinese_and_english(self, agents_case, mandate, api, citizen, agent, hall):
        case = agents_case
        slot = make_slot(hall, capacity=2)
        mandate_revoke(by=citizen, number=mandate.number)
        refused = api(agent).post(visit_api(case.number), {"slot": slot.id}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (403, "mandate_revoked")
        assert refused.json()["detail"] == "委托人已撤销对您的授权，不能再代为办理。"
        english = api(agent).post(visit_api(case.number), {"slot": slot.id}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 403 and english.json()["detail"].startswith("The principal has revoked")
        assert api(agent).get(visit_api(case.number)).status_code == 403
        page = browser(agent).get(f"/cases/{case.number}/originals-visit/")
        assert page.status_code == 403 and "委托人已撤销对您的授权" in page.content.decode()
        posted = browser(agent).post(f"/cases/{case.number}/originals-visit/", {"slot": slot.id})
        assert posted.status_code == 403
        assert not Appointment.objects.exists()

    def test_a_mandate_that_no_longer_covers_applying_is_refused(
        self, agents_case, mandate, api, citizen, agent, hall, visit_matter
    ):
        case = agents_case
        mandate_revoke(by=citizen, number=mandate.number)
        make_mandate(citizen, agent, matter_codes=[visit_matter.code], may_apply=False)  # collecting only
        refused = api(agent).post(visit_api(case.number), {"slot": make_slot(hall).id}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (403, "mandate_out_of_scope")
        assert "仅限代为领取" in refused.json()["detail"] and not Appointment.objects.exists()

    def test_someone_never_authorised_learns_nothing(self, agents_case, api, stranger, hall):
        number = agents_case.number
        assert api(stranger).get(visit_api(number)).status_code == 404
        assert api(stranger).post(visit_api(number), {"slot": make_slot(hall).id}, format="json").status_code == 404
        assert browser(stranger).get(f"/cases/{number}/originals-visit/").status_code == 404
        assert not Appointment.objects.exists()


class TestTheWindowReceivesTheAgent:
    def test_a_mandate_for_the_one_case_reaches_its_visit_and_the_window(
        self, api, citizen, agent, clerk, hall, visit_matter, central_peer, terminal
    ):
        """The principal applied themselves, then authorised the agent for that case only: the agent books the
        visit, checks in with their own ID card, and the clerk receives them for the principal and checks the
        originals (the mandate's scope is the case, not the matter)."""
        code = start(api, citizen, visit_matter)["code"]
        fill(api, citizen, code)
        number = submit(api, citizen, code)["case"]["number"]
        assert api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 200
        case = Case.objects.get(number=number)
        mandate = make_mandate(citizen, agent, case=case, matter_codes=[])
        slot = make_slot(hall, capacity=2)
        booked = api(agent).post(visit_api(number), {"slot": slot.id}, format="json")
        assert booked.status_code == 201, booked.content
        shift_slot_to_now(slot.id)
        checked = api(None).post(
            "/api/v1/terminal/checkin/",
            {"code": agent.id_number},
            format="json",
            HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
        )
        assert checked.status_code in (200, 201), checked.content
        ticket = Ticket.objects.get()
        assert (ticket.citizen, ticket.agent) == (citizen, agent)
        called = api(clerk).post("/api/v1/workbench/call-next/").json()
        assert called["id"] == ticket.id
        # The window's check of the person acting (as for hall bookings) passes on the case's 委托书.
        window = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket.id}/agent-check/", {"person_id_number": agent.id_number}, format="json"
        )
        assert window.status_code == 200, window.content
        assert window.json()["mandate"] == mandate.number
        desk = browser(clerk)
        opened = desk.get(f"/workbench/tickets/{ticket.id}/")
        assert opened.status_code == 302
        page = desk.get(opened.url).content.decode()
        assert 'id="ticket-agent"' in page and agent.real_name in page
        for material in originals_to_see(case):
            done = desk.post(opened.url, {"material": material.id, "outcome": "seen"})
            assert done.status_code == 302, done.content.decode()
        assert {m.trust_level for m in originals_to_see(case)} == {TrustLevel.B}
        assert OriginalsCheck.objects.get(case=case).completed_at is not None
        assert case.events.filter(note__contains="张丽 代申请人到场").exists()
        assert MandateEvent.objects.filter(mandate=mandate, kind=EventKind.RECEIVED).exists()

    def test_the_visit_booked_under_a_mandate_for_the_case_is_cancelled_from_the_acting_pages_too(
        self, api, citizen, agent, clerk, hall, visit_matter, central_peer
    ):
        """The agent's list of the principal's appointments cancels the visit on the case's 委托书 (not the matter's),
        and the case's events say so."""
        code = start(api, citizen, visit_matter)["code"]
        fill(api, citizen, code)
        number = submit(api, citizen, code)["case"]["number"]
        assert api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 200
        case = Case.objects.get(number=number)
        mandate = make_mandate(citizen, agent, case=case, matter_codes=[])
        booked = api(agent).post(visit_api(number), {"slot": make_slot(hall, capacity=2).id}, format="json")
        assert booked.status_code == 201, booked.content
        visit = booked.json()["appointment"]["code"]
        listed = api(agent).get(f"/api/v1/acting/{citizen.pk}/appointments/").json()
        assert [(a["code"], a["agent"]) for a in listed] == [(visit, agent.real_name)]
        cancelled = api(agent).post(f"/api/v1/acting/{citizen.pk}/appointments/{visit}/cancel/")
        assert cancelled.status_code == 200, cancelled.content
        assert Appointment.objects.get(code=visit).status == AppointmentStatus.CANCELLED_BY_CITIZEN
        assert case.events.filter(actor=agent, note__contains="取消到大厅核验原件").exists()
        assert MandateEvent.objects.filter(mandate=mandate, kind=EventKind.CANCELLED, reference=visit).exists()

    def test_a_visit_the_agent_booked_is_released_when_the_case_ends_and_both_are_told(
        self, client, agents_case, api, citizen, agent, hall
    ):
        """The case withdrawn at central's word while the agent's visit is still ahead: the hall cancels the visit
        (the agent could no longer cancel it on a closed case), and the applicant and the agent both learn not to come."""
        booked = api(agent).post(visit_api(agents_case.number), {"slot": make_slot(hall, capacity=2).id}, format="json")
        assert booked.status_code == 201, booked.content
        code = booked.json()["appointment"]["code"]
        event(client, "case.voided", {"number": agents_case.number, "reason": "申请人已另行办理"})
        assert Appointment.objects.get(code=code).status == AppointmentStatus.CANCELLED_BY_HALL
        told = Notification.objects.filter(event="case.visit_released", channel="inbox")
        assert sorted(told.values_list("recipient", flat=True)) == sorted([citizen.pk, agent.pk])
        assert all(code in body for body in told.values_list("body", flat=True))
        listed = api(agent).get(f"/api/v1/acting/{citizen.pk}/appointments/").json()
        assert [(a["code"], a["status"]) for a in listed] == [(code, AppointmentStatus.CANCELLED_BY_HALL)]

    def test_a_mandate_revoked_after_check_in_stops_the_check(
        self, agents_case, mandate, api, citizen, agent, clerk, hall, terminal
    ):
        slot = make_slot(hall, capacity=2)
        assert api(agent).post(visit_api(agents_case.number), {"slot": slot.id}, format="json").status_code == 201
        shift_slot_to_now(slot.id)
        api(None).post(
            "/api/v1/terminal/checkin/",
            {"code": agent.id_number},
            format="json",
            HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
        )
        ticket_id = api(clerk).post("/api/v1/workbench/call-next/").json()["id"]
        mandate_revoke(by=citizen, number=mandate.number)
        material = originals_to_see(agents_case)[0]
        refused = browser(clerk).post(
            f"/workbench/tickets/{ticket_id}/originals/{agents_case.number}/",
            {"material": material.id, "outcome": "seen"},
        )
        assert refused.status_code == 403 and "委托人已撤销对您的授权" in refused.content.decode()
        material.refresh_from_db()
        assert material.trust_level == TrustLevel.C
