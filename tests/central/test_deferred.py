"""容缺受理 at central (issue 13): the commitment arrives with the case and is shown; a breach reported by the front
suspends the review (clock stopped, no decision) until the items come; the last item resumes it and the front
learns the new promised date. Through the signed inbox, the API and the approver's page."""

import base64
import datetime as dt
import hashlib
import json
import uuid

import pytest
from django.test import Client

from apps.central.review.models import DeferredCommitment, ReviewCase, ReviewStatus
from apps.shared.exchange.models import OutboxMessage
from tests.central.test_review import PDF, package, send
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NUMBER = "TZ2026112400001"


def message(kind: str, payload: dict, files: tuple[str, ...] = ()) -> tuple[str, bytes]:
    message_id = str(uuid.uuid4())
    body = {
        "id": message_id,
        "kind": kind,
        "payload": payload,
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(PDF).hexdigest(),
                "content_type": "application/pdf",
                "content_b64": base64.b64encode(PDF).decode(),
            }
            for name in files
        ],
    }
    return message_id, json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def promised(client, platform, matter, approver):
    """A case accepted at the front on a commitment to bring 户口簿 and 健康证明 by 2026-12-15; the approver has
    claimed it and passed its first two steps."""
    assert send(client, *package(matter, number=NUMBER)).status_code == 200
    made = send(
        client,
        *message("case.commitment_made", {"number": NUMBER, "items": ["户口簿", "健康证明"], "deadline": "2026-12-15"}),
    )
    assert made.status_code == 200, made.content
    case = ReviewCase.objects.get(front_number=NUMBER)
    api = client_for(approver)
    assert api.post(f"/api/v1/cases/{case.id}/claim/").status_code == 200
    for _ in range(2):
        assert api.post(f"/api/v1/cases/{case.id}/pass/", {}, format="json").status_code == 200
    return ReviewCase.objects.get(id=case.id)


def broken(client, outstanding=("户口簿", "健康证明")):
    payload = {"number": NUMBER, "outstanding": list(outstanding), "deadline": "2026-12-15", "credit_recorded": True}
    return send(client, *message("case.commitment_broken", payload))


def test_the_commitment_is_recorded_once_and_shown_to_the_approver(client, approver, promised):
    commitment = DeferredCommitment.objects.get(case=promised)
    assert commitment.items == ["户口簿", "健康证明"] and commitment.deadline == dt.date(2026, 12, 15)
    page = Client()
    page.force_login(approver)
    html = page.get(f"/cases/{promised.id}/").content.decode()
    assert 'id="deferred-commitment"' in html and "户口簿、健康证明" in html and "2026-12-15" in html
    assert promised.events.filter(note__contains="容缺受理").count() == 1


def test_it_waits_for_the_case_before_its_commitment(client, platform):
    early = send(
        client,
        *message("case.commitment_made", {"number": "TZ-NOT-YET", "items": ["户口簿"], "deadline": "2026-12-15"}),
    )
    assert early.status_code == 409  # not ready: the sender retries once the case is there


def test_a_breach_suspends_the_review_and_no_decision_is_taken(client, approver, promised):
    response = broken(client)
    assert response.status_code == 200, response.content
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.SUSPENDED and case.clock_running_since is None
    commitment = DeferredCommitment.objects.get(case=case)
    assert commitment.broken_at is not None and commitment.credit_recorded
    api = client_for(approver)
    decided = api.post(f"/api/v1/cases/{case.id}/decide/", {"decision": "approved", "reason": ""}, format="json")
    assert decided.status_code == 409 and decided.json()["code"] == "invalid_state"
    assert (
        api.post(
            f"/api/v1/cases/{case.id}/correction/", {"items": ["x"], "deadline": "2026-12-30"}, format="json"
        ).status_code
        == 409
    )
    assert ReviewCase.objects.get(id=case.id).status == ReviewStatus.SUSPENDED
    page = Client()
    page.force_login(approver)
    html = page.get(f"/cases/{case.id}/").content.decode()
    assert "中止审查" in html and "不得作出决定" in html and "已记入申请人信用记录" in html
    # The same breach again changes nothing.
    assert broken(client).status_code == 200
    assert case.events.filter(to_status=ReviewStatus.SUSPENDED).count() == 1


def test_the_last_item_resumes_the_review_and_tells_the_front_the_new_date(client, approver, promised):
    broken(client)
    first = send(
        client,
        *message(
            "case.deferred_supplied", {"number": NUMBER, "items": ["户口簿"], "outstanding": ["健康证明"]}, ("户口簿",)
        ),
    )
    assert first.status_code == 200, first.content
    assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.SUSPENDED
    last = send(
        client,
        *message("case.deferred_supplied", {"number": NUMBER, "items": ["健康证明"], "outstanding": []}, ("健康证明",)),
    )
    assert last.status_code == 200, last.content
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.IN_REVIEW and case.clock_running_since is not None
    assert set(case.materials.values_list("name", flat=True)) >= {"户口簿", "健康证明"}
    commitment = DeferredCommitment.objects.get(case=case)
    assert commitment.fulfilled_at is not None and commitment.supplied == ["户口簿", "健康证明"]
    [resumed] = OutboxMessage.objects.filter(kind="case.review_resumed")
    assert resumed.payload["number"] == NUMBER and "promised_date" in resumed.payload
    # Decidable again.
    api = client_for(approver)
    assert (
        api.post(f"/api/v1/cases/{case.id}/decide/", {"decision": "approved", "reason": ""}, format="json").status_code
        == 200
    )


def test_items_supplied_in_time_meet_the_commitment_without_a_suspension(client, promised):
    supplied = send(
        client,
        *message(
            "case.deferred_supplied",
            {"number": NUMBER, "items": ["户口簿", "健康证明"], "outstanding": []},
            ("户口簿", "健康证明"),
        ),
    )
    assert supplied.status_code == 200
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.IN_REVIEW and DeferredCommitment.objects.get(case=case).fulfilled_at is not None
    assert not OutboxMessage.objects.filter(kind="case.review_resumed").exists()


def test_a_breach_during_a_correction_is_recorded_and_the_clock_stays_stopped(client, approver, promised):
    api = client_for(approver)
    assert (
        api.post(
            f"/api/v1/cases/{promised.id}/correction/", {"items": ["照片模糊"], "deadline": "2099-01-10"}, format="json"
        ).status_code
        == 200
    )
    assert broken(client).status_code == 200
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.CORRECTION and case.clock_running_since is None
    assert DeferredCommitment.objects.get(case=case).broken_at is not None
    assert case.events.filter(note__contains="容缺材料逾期").exists()


def test_a_suspended_case_may_still_be_withdrawn(client, promised):
    broken(client)
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "kind": "case.withdraw_requested",
            "payload": {"number": NUMBER, "reason": "不办了"},
            "files": [],
        }
    ).encode()
    assert send(client, json.loads(body)["id"], body).status_code == 200
    assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.WITHDRAWN
    assert OutboxMessage.objects.filter(kind="case.withdrawn").exists()
