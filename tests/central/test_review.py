"""Central: receiving a case package exactly once, department boundaries, and decisions on the wire."""

import base64
import datetime as dt
import hashlib
import json
import uuid

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.central.review.models import ReviewCase, ReviewStatus
from apps.shared.accounts.models import Role
from apps.shared.exchange.models import InboxMessage, OutboxMessage
from govservice.lib import signing
from tests.central.reviewing import to_decision
from tests.factories import make_user

PATH = "/api/v1/exchange/messages/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def package(matter, *, number="TZ2026112400001", message_id=None, content=PDF, digest=None):
    message_id = message_id or str(uuid.uuid4())
    envelope = {
        "id": message_id,
        "kind": "case.submitted",
        "payload": {
            "number": number,
            "matter_code": matter.code,
            "matter_version": matter.version,
            "hall": "北京城市副中心政务服务中心",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": timezone.now().isoformat(),
            "promised_date": "2026-12-08",
        },
        "files": [
            {
                "name": "居民身份证",
                "sha256": digest or hashlib.sha256(content).hexdigest(),
                "content_type": "application/pdf",
                "content_b64": base64.b64encode(content).decode(),
            }
        ],
    }
    return message_id, json.dumps(envelope, ensure_ascii=False).encode()


def send(client, message_id, body, secret="test-secret"):
    headers = signing.sign(key_id="k1", secret=secret, method="POST", path=PATH, message_id=message_id, body=body)
    return client.post(
        PATH,
        data=body,
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )


@pytest.mark.django_db
class TestReception:
    def test_it_receives_a_case_with_its_materials_and_acknowledges_on_the_wire(self, client, platform, matter):
        message_id, body = package(matter)
        response = send(client, message_id, body)
        assert response.status_code == 200, response.content
        case = ReviewCase.objects.get(front_number="TZ2026112400001")
        assert case.platform == platform and case.department == matter.department
        assert case.status == ReviewStatus.IN_REVIEW
        material = case.materials.get()
        assert material.file.read() == PDF
        assert material.sha256 == hashlib.sha256(PDF).hexdigest()
        assert OutboxMessage.objects.get(kind="case.review_started").payload == {"number": case.front_number}

    def test_it_keeps_one_case_when_the_package_arrives_twice(self, client, platform, matter):
        message_id, body = package(matter)
        send(client, message_id, body)
        again = send(client, message_id, body)
        assert again.status_code == 200 and again.json()["duplicate"] is True
        # An operator's re-send under a new id is still the same case.
        assert send(client, *package(matter)).status_code == 200
        assert ReviewCase.objects.count() == 1
        assert OutboxMessage.objects.filter(kind="case.review_started").count() == 1

    def test_it_rejects_a_material_whose_digest_does_not_match(self, client, platform, matter):
        message_id, body = package(matter, digest="0" * 64)
        response = send(client, message_id, body)
        assert response.status_code == 422
        assert response.json()["code"] == "digest_mismatch"
        assert not ReviewCase.objects.exists()
        assert not InboxMessage.objects.exists()

    def test_it_rejects_an_unknown_matter_version_and_answers_a_resend_the_same(self, client, platform, matter):
        matter.version = 9
        message_id, body = package(matter)
        first = send(client, message_id, body)
        assert first.status_code == 422
        assert send(client, message_id, body).status_code == 422
        assert not ReviewCase.objects.exists()

    def test_it_refuses_a_forged_package(self, client, platform, matter):
        message_id, body = package(matter)
        assert send(client, message_id, body, secret="forged").status_code == 401
        assert not ReviewCase.objects.exists()


@pytest.fixture
def received(client, platform, matter):
    send(client, *package(matter))
    return ReviewCase.objects.get()


@pytest.mark.django_db
class TestDecision:
    def test_it_lets_an_approver_decide_and_sends_the_decision_back(self, api, approver, received):
        to_decision(api, approver, received)
        response = api(approver).post(
            f"/api/v1/cases/{received.id}/decide/", {"decision": "approved", "reason": ""}, format="json"
        )
        assert response.status_code == 200, response.content
        received.refresh_from_db()
        assert received.status == ReviewStatus.DECIDED and received.decided_by == approver
        message = OutboxMessage.objects.get(kind="case.decided")
        assert message.payload["number"] == received.front_number
        assert message.payload["decision"] == "approved"
        again = api(approver).post(
            f"/api/v1/cases/{received.id}/decide/", {"decision": "denied", "reason": "x"}, format="json"
        )
        assert again.status_code == 409
        assert OutboxMessage.objects.filter(kind="case.decided").count() == 1

    def test_it_requires_reasons_for_a_denial(self, api, approver, received):
        to_decision(api, approver, received)
        response = api(approver).post(f"/api/v1/cases/{received.id}/decide/", {"decision": "denied"}, format="json")
        assert response.status_code == 422
        assert response.json()["code"] == "reason_required"
        received.refresh_from_db()
        assert received.status == ReviewStatus.IN_REVIEW

    def test_it_hides_a_case_from_another_departments_approver(self, api, other_approver, received):
        assert api(other_approver).get(f"/api/v1/cases/{received.id}/").status_code == 404
        assert (
            api(other_approver)
            .post(f"/api/v1/cases/{received.id}/decide/", {"decision": "approved"}, format="json")
            .status_code
            == 404
        )
        assert api(other_approver).get("/api/v1/cases/").json() == []
        page = Client()
        page.force_login(other_approver)
        assert page.get(f"/cases/{received.id}/materials/{received.materials.get().id}/").status_code == 404
        received.refresh_from_db()
        assert received.status == ReviewStatus.IN_REVIEW

    def test_it_shows_the_approver_the_case_with_masked_id_and_materials(self, api, approver, received):
        body = api(approver).get(f"/api/v1/cases/{received.id}/").json()
        assert body["applicant_id_masked"] == "110105********002X"
        assert body["materials"][0]["name"] == "居民身份证"
        page = Client()
        page.force_login(approver)
        html = page.get(f"/cases/{received.id}/").content.decode()
        assert "110105********002X" in html and "11010519491231002X" not in html
        material = page.get(f"/cases/{received.id}/materials/{received.materials.get().id}/")
        assert material.status_code == 200 and b"".join(material.streaming_content) == PDF

    @pytest.mark.unpublished_calendar
    def test_a_limit_reaching_an_unpublished_year_shows_as_open_not_as_an_error(self, api, approver, received):
        # More working days than any published calendar reaches: the due date cannot be counted.
        ReviewCase.objects.filter(id=received.id).update(promised_limit=400)
        body = api(approver).get(f"/api/v1/cases/{received.id}/")
        assert body.status_code == 200 and body.json()["due_date"] is None
        page = Client()
        page.force_login(approver)
        shown = page.get(f"/cases/{received.id}/")
        html = shown.content.decode()
        # The days used are known (green), only the last day is open: no due date is printed, nothing overdue.
        assert shown.status_code == 200 and "办结期限" not in html and "超期" not in html and "正常" in html
        supervisor = Client()
        supervisor.force_login(make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管"))
        dashboard = supervisor.get("/dashboard/")
        overdue = dashboard.content.decode().split('id="report-overdue"')[1].split("</section>")[0]
        assert dashboard.status_code == 200 and received.front_number not in overdue
        api(approver).post(f"/api/v1/cases/{received.id}/claim/")
        asked = api(approver).post(f"/api/v1/cases/{received.id}/extend/", {"reason": "需现场核查"}, format="json")
        assert asked.status_code == 200, asked.content
        extended = api(make_user("centralsup2", Role.CENTRAL_SUPERVISOR)).post(
            f"/api/v1/cases/{received.id}/extend-approve/"
        )
        assert extended.status_code == 200, extended.content
        assert OutboxMessage.objects.get(kind="case.extended").payload["promised_date"] == ""

    def test_it_refuses_the_api_to_anonymous_callers(self, api, received):
        assert api(None).get("/api/v1/cases/").status_code in (401, 403)


@pytest.mark.django_db
def test_a_case_accepted_by_law_counts_its_clocks_from_the_day_of_receipt(client, api, platform, matter, approver):
    """行政许可法 Art. 32 (4), central's side (the front's: tests/front/intake/test_deemed_acceptance.py): received
    Wed 2026-02-11, accepted by law the day after its five working days (Thu 02-26) and sent then, dated from the
    receipt. Central's clocks count from Feb 11, not from the day the package came: by Feb 26 six working days are
    used (Feb 12, 13, the 调休 Saturday 14, then 24, 25, 26 after the Spring Festival), past the promised five (red);
    the legal twenty end Tue 2026-03-17 (Feb 27, the 调休 Saturday 28, Mar 2–6, 9–13, 16, 17)."""
    received = timezone.make_aware(dt.datetime(2026, 2, 11, 10, 0))
    message_id, body = package(matter)
    envelope = json.loads(body)
    envelope["payload"]["accepted_at"] = received.isoformat()
    body = json.dumps(envelope, ensure_ascii=False).encode()
    assert send(client, message_id, body).status_code == 200  # signed now: the peer's key is valid now
    case = ReviewCase.objects.get(front_number="TZ2026112400001")
    assert case.clock_running_since == dt.date(2026, 2, 11) and case.accepted_at == received
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 2, 26, 9, 0)), tick=False):
        shown = api(approver).get(f"/api/v1/cases/{case.id}/").json()
    assert (shown["sla"], shown["due_date"]) == ("red", None)
    assert (shown["legal_sla"], shown["legal_due_date"]) == ("green", "2026-03-17")
