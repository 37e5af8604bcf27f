"""服务对象 at the kiosk (issue 15 §2; DOMAIN.md §9): a person whose ID card is read takes a walk-in ticket for a
matter that serves only companies only as a company's legal representative or 经办人 within a mandate for it (the
mandates' rule, as the window will ask). Anyone else is stopped at the kiosk — by the API and the page — with the
catalog's code and what to do instead, not after the wait at the window; never a 500. A ticket without an ID card
(the paper letter the clerk records at the window) is still issued."""

from __future__ import annotations

import pytest

from apps.front.floor.models import Ticket
from apps.front.mandates.services import mandate_revoke
from tests.personas_front import TERMINAL_TOKEN

from .conftest import make_mandate

pytestmark = pytest.mark.django_db

WALK_IN = "/api/v1/terminal/walk-in/"


def walk_in(api, body: dict, **headers):
    return api(None).post(WALK_IN, body, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}", **headers)


@pytest.fixture
def kiosk(client, terminal):
    client.post("/terminal/", {"token": TERMINAL_TOKEN})
    return client


def test_a_person_for_a_company_matter_is_stopped_with_what_to_do(api, citizen, company_matter, terminal):
    refused = walk_in(api, {"matter": company_matter.code, "id_number": citizen.id_number})
    assert (refused.status_code, refused.json()["code"]) == (422, "matter_not_for_persons")
    detail = refused.json()["detail"]
    assert "“食品经营许可”面向法人办理" in detail and "授权您为该事项的经办人" in detail and "纸质委托书" in detail
    english = walk_in(api, {"matter": company_matter.code, "id_number": citizen.id_number}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 422 and "is for legal persons" in english.json()["detail"]
    assert not Ticket.objects.exists()


def test_a_company_agent_outside_the_mandate_is_stopped(api, company, agent, company_matter, matter, terminal):
    make_mandate(company.account, agent, matter_codes=["C-999"])  # another of the company's matters
    refused = walk_in(api, {"matter": company_matter.code, "id_number": agent.id_number})
    assert (refused.status_code, refused.json()["code"]) == (403, "mandate_out_of_scope")
    assert refused.json()["detail"].startswith("北京云窗科技有限公司：您的授权不包括该事项")
    assert "请法定代表人在网上为您授权“食品经营许可”" in refused.json()["detail"]
    assert not Ticket.objects.exists()
    # A matter for persons is theirs to take a ticket for, as before.
    assert walk_in(api, {"matter": matter.code, "id_number": agent.id_number}).status_code == 201


def test_a_revoked_company_agent_is_stopped(api, company, representative, agent, company_matter, terminal):
    mandate = make_mandate(company.account, agent, matter_codes=[company_matter.code])
    mandate_revoke(by=representative, number=mandate.number)
    refused = walk_in(api, {"matter": company_matter.code, "id_number": agent.id_number})
    assert (refused.status_code, refused.json()["code"]) == (403, "mandate_revoked")
    assert not Ticket.objects.exists()


def test_the_representative_and_an_agent_within_the_mandate_take_their_ticket(
    api, company, representative, agent, company_matter, terminal
):
    make_mandate(company.account, agent, matter_codes=[company_matter.code])
    for person in (representative, agent):
        taken = walk_in(api, {"matter": company_matter.code, "id_number": person.id_number})
        assert taken.status_code == 201, taken.content
    # The window then names the company (agent-check with its credit code), as before.
    assert set(Ticket.objects.values_list("citizen__username", flat=True)) == {"rep", "agent"}


def test_a_ticket_without_an_id_card_is_issued_for_the_window_to_register(api, company_matter, terminal):
    taken = walk_in(api, {"matter": company_matter.code})
    assert taken.status_code == 201, taken.content
    ticket = Ticket.objects.get()
    assert ticket.citizen is None and ticket.matter.code == company_matter.code


def test_the_kiosk_page_says_why_and_what_to_do(kiosk, citizen, company_matter):
    page = kiosk.post("/terminal/walk-in/", {"matter": company_matter.code, "id_number": citizen.id_number})
    html = page.content.decode()
    assert page.status_code == 422 and "面向法人办理" in html and "纸质委托书" in html
    assert not Ticket.objects.exists()
