"""The receiving side of the wire: signatures, time window, replays and duplicates change nothing."""

import json
import time
import uuid

import pytest
from django.utils import timezone

from apps.front.intake.models import Case, CaseEvent, CaseStatus
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import InboxMessage
from govservice.lib import signing

PATH = "/api/v1/exchange/messages/"


def decided_body(number: str, message_id: str, reason: str = "材料齐全，符合法定条件") -> bytes:
    envelope = {
        "id": message_id,
        "kind": "case.decided",
        "payload": {
            "number": number,
            "decision": "approved",
            "reason": reason,
            "decided_at": timezone.now().isoformat(),
        },
        "files": [],
    }
    return json.dumps(envelope, ensure_ascii=False).encode()


def post_signed(client, body: bytes, message_id: str, *, secret="test-secret", key_id="k1", now=None, tamper=None):
    headers = signing.sign(
        key_id=key_id, secret=secret, method="POST", path=PATH, message_id=message_id, body=body, now=now
    )
    if tamper:
        headers.update(tamper)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return client.post(PATH, data=body, content_type="application/json", **meta)


def snapshot(case):
    case.refresh_from_db()
    return (
        case.status,
        case.decision,
        CaseEvent.objects.filter(case=case).count(),
        Notification.objects.count(),
        InboxMessage.objects.count(),
    )


@pytest.mark.django_db
class TestInbox:
    def test_it_applies_a_signed_decision_once(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        response = post_signed(client, decided_body(accepted_case.number, message_id), message_id)
        assert response.status_code == 200, response.content
        accepted_case.refresh_from_db()
        assert accepted_case.status == CaseStatus.DECIDED
        assert accepted_case.decision == "approved"
        assert Notification.objects.filter(case=accepted_case, event="case.decided").count() >= 2

    def test_it_ignores_a_message_delivered_twice(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        body = decided_body(accepted_case.number, message_id)
        first = post_signed(client, body, message_id)
        before = snapshot(accepted_case)
        second = post_signed(client, body, message_id)
        assert second.status_code == first.status_code == 200
        assert second.json()["duplicate"] is True
        assert snapshot(accepted_case) == before

    def test_it_refuses_the_same_id_with_a_different_body(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        post_signed(client, decided_body(accepted_case.number, message_id), message_id)
        before = snapshot(accepted_case)
        response = post_signed(client, decided_body(accepted_case.number, message_id, reason="另一个理由"), message_id)
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_conflict"
        assert snapshot(accepted_case) == before

    def test_it_refuses_a_forged_signature_and_changes_nothing(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        before = snapshot(accepted_case)
        response = post_signed(client, decided_body(accepted_case.number, message_id), message_id, secret="guessed")
        assert response.status_code == 401
        assert response.json()["code"] == "bad_signature"
        assert snapshot(accepted_case) == before

    def test_it_refuses_a_signed_body_nested_too_deep_and_changes_nothing(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        before = snapshot(accepted_case)
        response = post_signed(client, b"[" * 100_000 + b"]" * 100_000, message_id)
        assert response.status_code == 400 and response.json()["code"] == "invalid"
        assert snapshot(accepted_case) == before

    def test_it_refuses_a_body_altered_after_signing(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        body = decided_body(accepted_case.number, message_id)
        headers = signing.sign(
            key_id="k1", secret="test-secret", method="POST", path=PATH, message_id=message_id, body=body
        )
        meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        altered = body.replace(b"approved", b"denied")
        response = client.post(PATH, data=altered, content_type="application/json", **meta)
        assert response.status_code == 401
        assert Case.objects.get(id=accepted_case.id).status == CaseStatus.IN_REVIEW

    def test_it_refuses_a_stale_signature_but_tolerates_small_skew(self, client, accepted_case):
        stale_id, skewed_id = str(uuid.uuid4()), str(uuid.uuid4())
        stale = post_signed(client, decided_body(accepted_case.number, stale_id), stale_id, now=time.time() - 600)
        assert stale.status_code == 401
        assert stale.json()["code"] == "stale_signature"
        assert Case.objects.get(id=accepted_case.id).status == CaseStatus.IN_REVIEW
        skewed = post_signed(client, decided_body(accepted_case.number, skewed_id), skewed_id, now=time.time() + 240)
        assert skewed.status_code == 200

    def test_it_refuses_an_unknown_key_and_a_missing_signature(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        body = decided_body(accepted_case.number, message_id)
        unknown = post_signed(client, body, message_id, key_id="nope")
        wrong = post_signed(client, body, message_id, secret="not-the-secret")
        # The same answer for both: nobody learns from it which key ids exist.
        assert unknown.status_code == wrong.status_code == 401 and unknown.json() == wrong.json()
        assert unknown.json()["code"] == "bad_signature"
        assert client.post(PATH, data=body, content_type="application/json").status_code == 401
        assert client.get(PATH).status_code == 405
        assert Case.objects.get(id=accepted_case.id).status == CaseStatus.IN_REVIEW

    def test_it_refuses_a_replay_under_another_message_id_header(self, client, accepted_case):
        message_id = str(uuid.uuid4())
        body = decided_body(accepted_case.number, message_id)
        response = post_signed(client, body, str(uuid.uuid4()))
        assert response.status_code == 400
        assert Case.objects.get(id=accepted_case.id).status == CaseStatus.IN_REVIEW
