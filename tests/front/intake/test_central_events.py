"""Events from central applied at the front: the citizen's case page, messages, and the answer to a
correction request going back as a supplement."""

import base64
import hashlib
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus, Document, EvidenceItem, TrustLevel
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from tests.front.intake.test_wire_inbox import post_signed
from tests.journey_helpers import PDF, upload


@pytest.fixture
def case(citizen, hall, matter, clerk, central_peer):
    return Case.objects.create(
        number="TZ2026112400031",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )


def event(client, kind, payload, files=()):
    message_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": message_id, "kind": kind, "payload": payload, "files": list(files)}, ensure_ascii=False
    ).encode()
    response = post_signed(client, body, message_id)
    assert response.status_code == 200, response.content
    return response


@pytest.mark.django_db
def test_it_asks_the_citizen_for_a_correction_and_sends_the_answer_back(client, api, citizen, other_citizen, case):
    event(
        client,
        "case.correction_requested",
        {"number": case.number, "items": ["补充户口簿首页"], "deadline": "2026-12-10"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION and case.correction_items == ["补充户口簿首页"]
    sms = Notification.objects.get(recipient=citizen, event="case.correction_requested", channel="sms")
    assert "补充户口簿首页" in sms.body and "2026-12-10" in sms.body
    page = Client()
    page.force_login(citizen)
    assert "提交补正" in page.get(f"/cases/{case.number}/").content.decode()
    assert (
        api(other_citizen)
        .post(
            f"/api/v1/cases/{case.number}/supplement/",
            {"extra": upload("hk.pdf", PDF, "application/pdf")},
            format="multipart",
        )
        .status_code
        == 404
    )
    response = api(citizen).post(
        f"/api/v1/cases/{case.number}/supplement/",
        {"extra": upload("hk.pdf", PDF, "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.IN_REVIEW
    message = OutboxMessage.objects.get(kind="case.supplement")
    assert message.payload == {"number": case.number} and message.files[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    again = api(citizen).post(f"/api/v1/cases/{case.number}/supplement/", {"extra": upload()}, format="multipart")
    assert again.status_code == 409


@pytest.mark.django_db
def test_it_tells_the_citizen_about_a_special_procedure_and_an_extension(client, citizen, case):
    event(
        client,
        "case.special_procedure",
        {
            "number": case.number,
            "kind": "hearing",
            "kind_label": "听证",
            "reason": "涉及相邻权利人",
            "expected_days": 15,
        },
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SPECIAL_PROCEDURE and "听证" in case.procedure_note and "15" in case.procedure_note
    assert (
        "涉及相邻权利人"
        in Notification.objects.get(recipient=citizen, event="case.special_procedure", channel="inbox").body
    )
    event(client, "case.review_resumed", {"number": case.number, "promised_date": "2026-12-22"})
    event(
        client,
        "case.extended",
        {"number": case.number, "reason": "需征求意见", "days": 10, "promised_date": "2027-01-05"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and str(case.promised_date) == "2027-01-05"
    assert "需征求意见" in Notification.objects.get(recipient=citizen, event="case.extended", channel="inbox").body


@pytest.mark.django_db
def test_an_extension_into_an_unpublished_year_makes_the_promised_date_open_not_stale(client, citizen, case):
    Case.objects.filter(id=case.id).update(promised_date="2026-12-29")
    # Central could not count the new date (it reaches an unpublished year) and sent "".
    event(client, "case.extended", {"number": case.number, "reason": "需现场核查", "days": 10, "promised_date": ""})
    case.refresh_from_db()
    assert case.promised_date is None
    told = Notification.objects.get(recipient=citizen, event="case.extended", channel="inbox").body
    assert "新的承诺办结日期待定" in told and "2026-12-29" not in told
    # An extended case's date is central's to give: the front never counts it from the day of acceptance.
    from apps.front.intake.services import cases_fill_open_dates

    assert cases_fill_open_dates() == 0
    event(client, "case.review_resumed", {"number": case.number, "promised_date": "2027-01-12"})
    case.refresh_from_db()
    assert str(case.promised_date) == "2027-01-12"


@pytest.mark.django_db
def test_it_receives_the_certificate_into_the_case_and_the_vault(client, citizen, case):
    Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
    content = PDF + b"%certificate\n"
    digest = hashlib.sha256(content).hexdigest()
    payload = {
        "number": case.number,
        "title": "社会保障卡",
        "licence_number": "RSJ-2026-TZ2026112400031",
        "verification_code": "CERTCODE2345",
        "issued_on": "2026-11-24",
        "valid_until": "",
        "issuer": "区人力资源和社会保障局",
        "delivery_method": "electronic",
    }
    files = [
        {
            "name": "社会保障卡",
            "sha256": digest,
            "content_type": "application/pdf",
            "content_b64": base64.b64encode(content).decode(),
        }
    ]
    event(client, "case.result_issued", payload, files)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULT_READY
    certificate = Document.objects.get(case=case, kind="certificate")
    assert certificate.sha256 == digest and certificate.file.read() == content
    evidence = EvidenceItem.objects.get(citizen=citizen, sha256=digest)
    assert evidence.trust_level == TrustLevel.A
    # The public verification page confirms the certificate, and tells a genuine copy from an altered one.
    public = Client()
    assert "该文书由本平台出具" in public.get("/verify/CERTCODE2345/").content.decode()
    assert (
        'id="genuine"'
        in public.post("/verify/CERTCODE2345/", {"copy": upload("c.pdf", content, "application/pdf")}).content.decode()
    )
    assert (
        'id="altered"'
        in public.post(
            "/verify/CERTCODE2345/", {"copy": upload("c.pdf", content + b"x", "application/pdf")}
        ).content.decode()
    )
    assert Notification.objects.filter(recipient=citizen, event="case.result_ready").exists()


@pytest.mark.django_db
def test_it_withdraws_at_the_hall_at_once_and_asks_central_otherwise(client, api, citizen, other_citizen, case):
    at_hall = Case.objects.create(
        number="TZ2026112400099",
        query_password_hash="x",
        citizen=citizen,
        matter=case.matter,
        hall=case.hall,
        status=CaseStatus.RECEIVED,
    )
    assert (
        api(citizen).post(f"/api/v1/cases/{at_hall.number}/withdraw/", {}, format="json").json()["status"]
        == CaseStatus.WITHDRAWN
    )
    assert api(other_citizen).post(f"/api/v1/cases/{case.number}/withdraw/", {}, format="json").status_code == 404
    response = api(citizen).post(f"/api/v1/cases/{case.number}/withdraw/", {"reason": "已在外地办理"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == CaseStatus.IN_REVIEW
    message = OutboxMessage.objects.get(kind="case.withdraw_requested")
    assert message.payload == {"number": case.number, "reason": "已在外地办理"} and "citizen" in message.actor
    # Central refuses (a decision crossed the request): the request is cleared and the case goes on.
    event(client, "case.withdraw_refused", {"number": case.number, "reason": "审批总后台已作出决定，不能撤回。"})
    case.refresh_from_db()
    assert case.withdraw_requested_at is None and case.status == CaseStatus.IN_REVIEW
    # Asked again, and this time confirmed.
    api(citizen).post(f"/api/v1/cases/{case.number}/withdraw/", {}, format="json")
    event(client, "case.withdrawn", {"number": case.number})
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert Notification.objects.filter(recipient=citizen, event="case.withdrawn").exists()
