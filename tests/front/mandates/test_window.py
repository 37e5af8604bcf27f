"""At the window: the person who came for the applicant is checked (their ID card, the mandate in force for the
ticket's matter, or a company's legal representative), recorded on the ticket and the case beside the
applicant; a mandate revoked after check-in stops the acceptance; a company is received only through its
people; a signed paper 委托书 is scanned and recorded by the clerk."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.front.floor.models import Ticket
from apps.front.intake.models import Case
from apps.front.mandates.models import Mandate, MandateEvent
from apps.front.mandates.services import mandate_revoke
from apps.shared.catalog.models import Matter, Target
from apps.shared.exchange.models import OutboxMessage
from tests.journey_helpers import PDF, PNG, shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import CREDIT_CODE, make_mandate

pytestmark = pytest.mark.django_db


def check_in_and_call(api, code: str, slot_id: int, clerk) -> dict:
    shift_slot_to_now(slot_id)
    checked = api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    assert checked.status_code in (200, 201), checked.content
    return api(clerk).post("/api/v1/workbench/call-next/").json()


def accept(api, clerk, ticket_id: int, matter):
    material = matter.materials.get(required=True)
    return api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket_id}/accept/",
        {f"material_{material.id}": upload("身份证.pdf", PDF, "application/pdf")},
        format="multipart",
    )


def agent_books(api, agent, principal, slot, matter) -> str:
    booked = api(agent).post(
        f"/api/v1/acting/{principal.pk}/appointments/", {"slot": slot.id, "matter": matter.code}, format="json"
    )
    assert booked.status_code == 201, booked.content
    return booked.json()["code"]


def test_an_agents_appointment_is_received_with_both_people_recorded(
    api, citizen, agent, matter, slot, terminal, clerk, central_peer
):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    code = agent_books(api, agent, citizen, slot, matter)
    called = check_in_and_call(api, code, slot.id, clerk)
    ticket = Ticket.objects.get(id=called["id"])
    assert (ticket.citizen, ticket.agent) == (citizen, agent)
    page = Client()
    page.force_login(clerk)
    assert "张丽" in page.get(f"/workbench/tickets/{ticket.id}/").content.decode()  # the clerk sees who acts
    accepted = accept(api, clerk, ticket.id, matter)
    assert accepted.status_code == 201, accepted.content
    case = Case.objects.get(number=accepted.json()["number"])
    assert (case.citizen, case.agent) == (citizen, agent)
    assert "代办人 张丽" in case.events.get(to_status="received").note
    # Central hears who acted (issue 15): the name, the ID number masked as staff screens show it, the 委托书.
    payload = OutboxMessage.objects.get(kind="case.submitted").payload
    assert payload["agent"] == {
        "name": "张丽",
        "id_masked": agent.id_number[:6] + "********" + agent.id_number[-4:],
        "mandate": mandate.number,
    }
    assert "kind" not in payload["applicant"]  # a person: the optional field stays absent
    # The principal gets the case's messages and sees it as theirs; so does the agent, within scope.
    assert api(citizen).get(f"/api/v1/cases/{case.number}/").status_code == 200
    assert api(agent).get(f"/api/v1/acting/{citizen.pk}/cases/{case.number}/").json()["agent"] == "张丽"


def test_a_mandate_revoked_after_check_in_stops_the_acceptance(
    api, citizen, agent, matter, slot, terminal, clerk, central_peer
):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    code = agent_books(api, agent, citizen, slot, matter)
    called = check_in_and_call(api, code, slot.id, clerk)
    mandate_revoke(by=citizen, number=mandate.number, reason="改为本人办理")
    refused = accept(api, clerk, called["id"], matter)
    assert refused.status_code == 403 and refused.json()["code"] == "mandate_revoked"
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()
    # The principal came in person after all: the clerk records that, and the window goes on.
    checked = api(clerk).post(
        f"/api/v1/workbench/tickets/{called['id']}/agent-check/", {"person_id_number": citizen.id_number}, format="json"
    )
    assert checked.status_code == 200 and checked.json()["agent"] is None
    assert accept(api, clerk, called["id"], matter).status_code == 201
    assert Case.objects.get().agent is None


def test_a_walk_in_agent_is_checked_at_the_window(api, citizen, agent, stranger, matter, terminal, clerk, central_peer):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    # The agent takes a ticket with their own ID card: the kiosk knows only them.
    taken = api(None).post(
        "/api/v1/terminal/walk-in/",
        {"matter": matter.code, "id_number": agent.id_number},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    assert taken.status_code in (200, 201), taken.content
    called = api(clerk).post("/api/v1/workbench/call-next/").json()
    path = f"/api/v1/workbench/tickets/{called['id']}/agent-check/"
    # A stranger standing in for the agent is refused, and the ticket stays as it was.
    refused = api(clerk).post(
        path, {"person_id_number": stranger.id_number, "principal_id_number": citizen.id_number}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "no_mandate"
    assert Ticket.objects.get(id=called["id"]).citizen == agent
    checked = api(clerk).post(
        path, {"person_id_number": agent.id_number, "principal_id_number": citizen.id_number}, format="json"
    )
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["applicant"] == "王小明" and body["agent"] == "张丽" and body["mandate"].startswith("WT")
    ticket = Ticket.objects.get(id=called["id"])
    assert (ticket.citizen, ticket.agent) == (citizen, agent)
    assert MandateEvent.objects.filter(kind="received", actor=clerk).exists()
    accepted = accept(api, clerk, ticket.id, matter)
    assert accepted.status_code == 201 and Case.objects.get().agent == agent


def test_another_halls_clerk_and_a_citizen_cannot_check(api, citizen, agent, matter, terminal, clerk, other_hall_clerk):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    api(None).post(
        "/api/v1/terminal/walk-in/",
        {"matter": matter.code, "id_number": agent.id_number},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    called = api(clerk).post("/api/v1/workbench/call-next/").json()
    body = {"person_id_number": agent.id_number, "principal_id_number": citizen.id_number}
    assert (
        api(other_hall_clerk)
        .post(f"/api/v1/workbench/tickets/{called['id']}/agent-check/", body, format="json")
        .status_code
        == 404
    )
    assert (
        api(citizen).post(f"/api/v1/workbench/tickets/{called['id']}/agent-check/", body, format="json").status_code
        == 403
    )


def test_a_company_is_received_through_its_agent_and_named_on_the_wire(
    api, company, representative, agent, company_matter, hall, terminal, clerk, central_peer
):
    mandate = make_mandate(company.account, agent, matter_codes=[company_matter.code])
    slot = make_slot(hall, capacity=2)
    code = agent_books(api, agent, company.account, slot, company_matter)
    called = check_in_and_call(api, code, slot.id, clerk)
    accepted = accept(api, clerk, called["id"], company_matter)
    assert accepted.status_code == 201, accepted.content
    case = Case.objects.get()
    assert (case.citizen, case.agent) == (company.account, agent)
    # Central hears of the company by its name and credit code (the applicant's 证件号码).
    payload = OutboxMessage.objects.get(kind="case.submitted").payload
    assert payload["applicant"] == {"name": "北京云窗科技有限公司", "id_number": CREDIT_CODE, "kind": "company"}
    assert (payload["agent"]["name"], payload["agent"]["mandate"]) == ("张丽", mandate.number)
    # The receipt names the company by its code.
    receipt = case.documents.get(kind="receipt")
    assert receipt.content["applicant"] == "北京云窗科技有限公司" and receipt.content["applicant_id"].endswith(
        CREDIT_CODE[-4:]
    )
    # The legal representative follows the company's cases.
    assert [c["number"] for c in api(representative).get(f"/api/v1/companies/{CREDIT_CODE}/cases/").json()] == [
        case.number
    ]


def test_a_company_ticket_without_its_person_is_not_accepted(
    api, company, representative, company_matter, hall, terminal, clerk, central_peer
):
    slot = make_slot(hall, capacity=2)
    code = agent_books(api, representative, company.account, slot, company_matter)
    called = check_in_and_call(api, code, slot.id, clerk)
    Ticket.objects.filter(id=called["id"]).update(agent=None)  # as if nobody was recorded
    refused = accept(api, clerk, called["id"], company_matter)
    assert refused.status_code == 422 and refused.json()["code"] == "agent_required"
    checked = api(clerk).post(
        f"/api/v1/workbench/tickets/{called['id']}/agent-check/",
        {"person_id_number": representative.id_number},
        format="json",
    )
    assert (
        checked.status_code == 200 and checked.json()["as_representative"] is True and checked.json()["mandate"] is None
    )
    assert accept(api, clerk, called["id"], company_matter).status_code == 201
    # Its legal representative acted: named on the wire, with no 委托书 (they need none).
    payload = OutboxMessage.objects.get(kind="case.submitted").payload
    assert payload["applicant"]["kind"] == "company"
    assert (payload["agent"]["name"], payload["agent"]["mandate"]) == (representative.real_name, "")


def test_the_clerk_records_a_signed_paper_letter(
    api, citizen, agent, matter, terminal, clerk, other_hall_clerk, central_peer
):
    body = {
        "principal_id_number": citizen.id_number,
        "agent_id_number": agent.id_number,
        "matter_code": matter.code,
        "may_apply": "true",
        "may_collect": "true",
    }
    missing = api(clerk).post("/api/v1/workbench/mandates/paper/", body, format="multipart")
    assert missing.status_code == 400 and "scan" in missing.json()["errors"]
    recorded = api(clerk).post(
        "/api/v1/workbench/mandates/paper/", {**body, "scan": upload("委托书.png", PNG)}, format="multipart"
    )
    assert recorded.status_code == 201, recorded.content
    mandate = Mandate.objects.get(number=recorded.json()["number"])
    assert (mandate.form, mandate.status, mandate.recorded_by, mandate.principal, mandate.agent) == (
        "paper",
        "active",
        clerk,
        citizen,
        agent,
    )
    assert mandate.letter.read() == PNG and mandate.recorded_at_hall == "北京城市副中心政务服务中心"
    # The principal sees it and can revoke it; the clerk's hall can open the scan, another hall cannot.
    assert [m["number"] for m in api(citizen).get("/api/v1/mandates/").json()["given"]] == [mandate.number]
    for who, status in ((clerk, 200), (other_hall_clerk, 404)):
        page = Client()
        page.force_login(who)
        assert page.get(f"/authorisations/{mandate.number}/letter/").status_code == status
    # It works at once at the window.
    api(None).post(
        "/api/v1/terminal/walk-in/",
        {"matter": matter.code, "id_number": agent.id_number},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    called = api(clerk).post("/api/v1/workbench/call-next/").json()
    checked = api(clerk).post(
        f"/api/v1/workbench/tickets/{called['id']}/agent-check/",
        {"person_id_number": agent.id_number, "principal_id_number": citizen.id_number},
        format="json",
    )
    assert checked.status_code == 200 and checked.json()["mandate"] == mandate.number
    # Only hall staff record letters.
    assert (
        api(citizen)
        .post("/api/v1/workbench/mandates/paper/", {**body, "scan": upload("委托书.png", PNG)}, format="multipart")
        .status_code
        == 403
    )


def test_the_window_page_checks_and_records(api, citizen, agent, stranger, matter, terminal, clerk):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    api(None).post(
        "/api/v1/terminal/walk-in/",
        {"matter": matter.code, "id_number": agent.id_number},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    called = api(clerk).post("/api/v1/workbench/call-next/").json()
    page = Client()
    page.force_login(clerk)
    url = f"/workbench/tickets/{called['id']}/agent/"
    assert page.get(url).status_code == 200
    refused = page.post(
        url, {"action": "check", "person_id_number": stranger.id_number, "principal_id_number": citizen.id_number}
    )
    assert refused.status_code == 403 and "没有获得该委托人的授权" in refused.content.decode()
    done = page.post(
        url, {"action": "check", "person_id_number": agent.id_number, "principal_id_number": citizen.id_number}
    )
    assert done.status_code == 302 and done["Location"] == f"/workbench/tickets/{called['id']}/"
    assert Ticket.objects.get(id=called["id"]).agent == agent


def test_the_agents_own_id_card_checks_in_the_appointment_they_booked(
    api, citizen, agent, matter, slot, terminal, clerk
):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    code = agent_books(api, agent, citizen, slot, matter)
    shift_slot_to_now(slot.id)
    checked = api(None).post(
        "/api/v1/terminal/checkin/",
        {"code": agent.id_number},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    assert checked.status_code in (200, 201), checked.content
    ticket = Ticket.objects.get()
    assert ticket.appointment.code == code and (ticket.citizen, ticket.agent) == (citizen, agent)


def test_a_person_is_not_received_for_a_matter_serving_companies_but_may_be_refused(
    api, citizen, matter, slot, terminal, clerk, central_peer
):
    """服务对象 at the window too (the catalog's one rule): a person for themselves, a matter that serves companies
    only (it changed after they booked) — no case is started for them; the written refusal (不予受理) stays open."""
    booked = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    called = check_in_and_call(api, booked.json()["code"], slot.id, clerk)
    Matter.objects.filter(id=matter.id).update(target=Target.ORGANISATION)
    refused = accept(api, clerk, called["id"], matter)
    assert (refused.status_code, refused.json()["code"]) == (422, "matter_not_for_persons")
    assert not Case.objects.exists()
    answered = api(clerk).post(
        f"/api/v1/workbench/tickets/{called['id']}/refuse/", {"reason": "本事项面向法人办理"}, format="multipart"
    )
    assert answered.status_code == 201, answered.content
    assert Case.objects.get().citizen == citizen


# Valid under both checksums: a resident ID number (GB 11643) that is also a well-formed credit code (GB 32100).
BOTH_CHECKSUMS = "110105198503120768"


def test_a_paper_letter_names_the_person_when_their_id_number_also_reads_as_a_credit_code(
    api, agent, matter, terminal, clerk, central_peer
):
    """About one valid ID number in 31 passes the credit code's checksum too: with no company registered under it,
    it names the person (the suite's random ID numbers hit this now and then)."""
    from govservice.lib import creditcode, idcard
    from tests.factories import make_user

    assert idcard.is_valid(BOTH_CHECKSUMS) and creditcode.is_valid(BOTH_CHECKSUMS)
    person = make_user("both-checksums", real_name="王芳", phone="13711115555", id_number=BOTH_CHECKSUMS)
    body = {
        "principal_id_number": BOTH_CHECKSUMS,
        "agent_id_number": agent.id_number,
        "matter_code": matter.code,
        "may_apply": "true",
        "may_collect": "true",
        "scan": upload("委托书.png", PNG),
    }
    recorded = api(clerk).post("/api/v1/workbench/mandates/paper/", body, format="multipart")
    assert recorded.status_code == 201, recorded.content
    assert Mandate.objects.get(number=recorded.json()["number"]).principal == person


def test_the_window_page_tells_a_clerk_without_a_window_or_another_windows_ticket(clerk):
    """Was a 500: the ticket's lookup refuses a clerk without a window (and a ticket not theirs), and the page let
    the refusal through."""
    from apps.front.booking.models import StaffPost
    from tests.factories import make_user

    unposted = make_user("agent_page_unposted", "clerk")
    assert not StaffPost.objects.filter(user=unposted).exists()
    page = Client()
    page.force_login(unposted)
    for method in ("get", "post", "head"):
        answer = getattr(page, method)("/workbench/tickets/1/agent/")
        assert answer.status_code == 403, (method, answer.status_code)
    assert "您尚未分配窗口" in page.get("/workbench/tickets/1/agent/").content.decode()
    page.force_login(clerk)  # posted at a window: a ticket that is not its own is not found
    assert page.get("/workbench/tickets/999999/agent/").status_code == 404
