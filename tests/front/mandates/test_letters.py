"""A person's 委托书 (代办、代领, DOMAIN.md §9), through the API: generated as a PDF, pending until the principal
types back the SMS code, then in force; the agent is told; the principal revokes at any time and sees every
act; nobody else sees or touches it. Every refusal has its code and reads in English too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from apps.front.mandates.models import Mandate, MandateStatus
from apps.front.notifications.models import Notification
from apps.shared.accounts.models import PhoneChallenge
from tests.factories import make_matter
from tests.front.delivery.conftest import pdf_text

from .conftest import last_code, sms_to

pytestmark = pytest.mark.django_db
GRANT = "/api/v1/mandates/"


def grant(api, citizen, agent, **extra):
    body = {"agent_id_number": agent.id_number, "agent_name": agent.real_name, **extra}
    return api(citizen).post(GRANT, body, format="json")


def test_it_makes_a_letter_pending_until_the_principal_types_the_sms_code(api, citizen, agent, matter):
    made = grant(api, citizen, agent, matter_code=matter.code)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "pending" and not body["in_force"] and body["matter_codes"] == [matter.code]
    assert body["may_apply"] and body["may_collect"] and body["agent"] == "张丽"
    assert body["valid_until"] == (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    mandate = Mandate.objects.get(number=body["number"])
    # The letter: a PDF naming both people (numbers masked), the matter and the powers.
    letter = pdf_text(mandate.letter.read())
    assert "授权委托书" in letter and "王小明" in letter and "张丽" in letter and matter.name in letter
    assert citizen.id_number not in letter and citizen.id_number[-4:] in letter
    # The code went to the principal's phone, saying what it confirms.
    assert any("确认授权他人代您办事" in text for text in sms_to(citizen.phone))
    assert not sms_to(agent.phone)

    wrong = api(citizen).post(f"{GRANT}{mandate.number}/confirm/", {"code": "000000"}, format="json")
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_code"
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.PENDING

    done = api(citizen).post(f"{GRANT}{mandate.number}/confirm/", {"code": last_code(citizen.phone)}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "active" and done.json()["in_force"]
    mandate.refresh_from_db()
    assert mandate.confirmed_at is not None and PhoneChallenge.objects.get(id=mandate.challenge_id).used_at is not None
    assert Notification.objects.filter(recipient=agent, event="mandate.granted", channel="sms").exists()
    # The code opens nothing twice.
    again = api(citizen).post(f"{GRANT}{mandate.number}/confirm/", {"code": last_code(citizen.phone)}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_a_letter_for_one_case_names_it(api, citizen, agent, matter, hall):
    case = Case.objects.create(
        number="TZ2026120700011",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        status=CaseStatus.RESULT_READY,
    )
    made = grant(api, citizen, agent, case_number=case.number.lower(), may_apply=False)
    assert made.status_code == 201, made.content
    assert made.json()["case"] == case.number and made.json()["matter_codes"] == [] and not made.json()["may_apply"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"agent_id_number": "110105194912310021"}, 422, "invalid_id_number"),
        ({"agent_id_number": "11010519491231002X"}, 422, "agent_not_registered"),
        ({"agent_name": "张三丰"}, 422, "agent_name_mismatch"),
        ({"matter_code": ""}, 400, "scope_required"),
        ({"case_number": "TZ2026120700099"}, 400, "scope_required"),  # both a matter and a case
        ({"matter_code": "NO-SUCH"}, 404, "not_found"),
        ({"may_apply": False, "may_collect": False}, 400, "acts_required"),
        ({"valid_until": "2099-01-01"}, 400, "invalid_validity"),
    ],
)
def test_it_refuses_a_bad_letter_and_creates_nothing(api, citizen, agent, matter, change, status, code):
    made = grant(api, citizen, agent, **{"matter_code": matter.code, **change})
    assert made.status_code == status, made.content
    assert made.json()["code"] == code
    assert not Mandate.objects.exists() and not sms_to(citizen.phone)


def test_it_refuses_oneself_another_persons_case_and_a_matter_done_in_person(
    api, citizen, other_citizen, agent, matter, hall
):
    assert grant(api, citizen, citizen, matter_code=matter.code).json()["code"] == "self_mandate"
    theirs = Case.objects.create(
        number="TZ2026120700012", query_password_hash="x", citizen=other_citizen, matter=matter, hall=hall
    )
    assert grant(api, citizen, agent, case_number=theirs.number).status_code == 404
    in_person = make_matter("M-BIO", name="居民身份证申领", agents_allowed=False)
    refused = grant(api, citizen, agent, matter_code=in_person.code)
    assert refused.status_code == 422 and refused.json()["code"] == "agents_not_allowed"
    assert not Mandate.objects.exists()


def test_its_refusals_read_in_english(api, citizen, agent, matter):
    refused = api(citizen).post(
        GRANT,
        {"agent_id_number": "11010519491231002X", "agent_name": "李明", "matter_code": matter.code},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 422 and "no verified account" in refused.json()["detail"]


def test_the_principal_revokes_and_the_agent_is_told(api, citizen, agent, matter):
    number = grant(api, citizen, agent, matter_code=matter.code).json()["number"]
    api(citizen).post(f"{GRANT}{number}/confirm/", {"code": last_code(citizen.phone)}, format="json")
    revoked = api(citizen).post(f"{GRANT}{number}/revoke/", {"reason": "已自行办理"}, format="json")
    assert (
        revoked.status_code == 200
        and revoked.json()["status"] == "revoked"
        and revoked.json()["revoke_reason"] == "已自行办理"
    )
    assert Notification.objects.filter(recipient=agent, event="mandate.revoked", channel="sms").exists()
    twice = api(citizen).post(f"{GRANT}{number}/revoke/", {}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_state"
    detail = api(citizen).get(f"{GRANT}{number}/").json()
    assert [e["kind"] for e in detail["events"]] == ["granted", "confirmed", "revoked"]


def test_nobody_else_sees_confirms_or_revokes_a_letter(api, citizen, other_citizen, agent, matter):
    number = grant(api, citizen, agent, matter_code=matter.code).json()["number"]
    code = last_code(citizen.phone)
    for who in (other_citizen, agent):
        assert api(who).get(f"{GRANT}{number}/").status_code == 404
        assert api(who).post(f"{GRANT}{number}/confirm/", {"code": code}, format="json").status_code == 404
        assert api(who).post(f"{GRANT}{number}/revoke/", {}, format="json").status_code == 404
    assert Mandate.objects.get(number=number).status == MandateStatus.PENDING


def test_the_list_shows_given_held_and_acts(api, citizen, agent, matter):
    number = grant(api, citizen, agent, matter_code=matter.code).json()["number"]
    mine = api(citizen).get(GRANT).json()
    assert [m["number"] for m in mine["given"]] == [number] and mine["held"] == []
    assert [a["kind"] for a in mine["acts"]] == ["granted"]
    theirs = api(agent).get(GRANT).json()
    assert [m["number"] for m in theirs["held"]] == [number] and theirs["given"] == [] and theirs["acts"] == []


def test_the_letter_opens_for_the_principal_and_the_agent_only(api, citizen, other_citizen, agent, matter):
    number = grant(api, citizen, agent, matter_code=matter.code).json()["number"]
    for who, status in ((citizen, 200), (agent, 200), (other_citizen, 404)):
        page = Client()
        page.force_login(who)
        response = page.get(f"/authorisations/{number}/letter/")
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert Client().get(f"/authorisations/{number}/letter/").status_code == 404


def test_the_pages_give_confirm_and_revoke(citizen, agent, matter):
    page = Client()
    page.force_login(citizen)
    assert page.get("/authorisations/").status_code == 200
    made = page.post(
        "/authorisations/",
        {
            "agent_name": agent.real_name,
            "agent_id_number": agent.id_number,
            "matter_code": matter.code,
            "may_apply": "1",
            "may_collect": "1",
        },
    )
    number = Mandate.objects.get().number
    assert made.status_code == 302 and made["Location"] == f"/authorisations/{number}/"
    assert "确认委托" in page.get(made["Location"]).content.decode()
    page.post(f"/authorisations/{number}/confirm/", {"code": last_code(citizen.phone)})
    assert Mandate.objects.get().status == MandateStatus.ACTIVE
    page.post(f"/authorisations/{number}/revoke/", {"reason": ""})
    assert Mandate.objects.get().status == MandateStatus.REVOKED
    refused = page.post(
        "/authorisations/",
        {"agent_name": "李明", "agent_id_number": "11010519491231002X", "matter_code": matter.code, "may_apply": "1"},
    )
    assert refused.status_code == 422 and "尚未在本平台完成实名注册" in refused.content.decode()


def test_a_letter_is_withdrawn_before_it_is_confirmed(citizen, agent, matter):
    """Every edge of the mandate's lifecycle made by a test (issue 13): revoked while still unconfirmed."""
    page = Client()
    page.force_login(citizen)
    page.post(
        "/authorisations/",
        {
            "agent_name": agent.real_name,
            "agent_id_number": agent.id_number,
            "matter_code": matter.code,
            "may_apply": "1",
        },
    )
    mandate = Mandate.objects.get()
    assert mandate.status == MandateStatus.PENDING
    page.post(f"/authorisations/{mandate.number}/revoke/", {"reason": "不需要了"})
    assert Mandate.objects.get().status == MandateStatus.REVOKED
