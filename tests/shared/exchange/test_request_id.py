"""One id follows an exchange across both sites: the outbox keeps the id of the request that wrote the
message, sends it inside the signed body and as X-Request-Id, and the receiver logs the message under the
signed id. Older peers are not broken: the envelope's other keys are unchanged, and a message written
without an id is the same bytes as before."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
import requests
from django.db import transaction

from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage, OutboxStatus, Peer, PeerKey
from apps.shared.exchange.services import build_body, outbox_enqueue, outbox_send
from govservice import celery as celery_signals
from govservice.lib import requestid, signing
from tests.shared.exchange.test_inbox_contract import PATH, handled_here, spy  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(db):
    peer = Peer.objects.create(code="peer", name="对端平台", base_url="http://peer.invalid")
    PeerKey.objects.create(peer=peer, key_id="contract-k1", secret="contract-secret")
    return peer


def test_the_outbox_keeps_the_request_id_and_signs_it_in_the_body(peer):
    with requestid.bound("req-0123456789abcdef"), transaction.atomic():
        message = outbox_enqueue(peer=peer, payload=contract.CaseWithdrawn(number="TZ1"))
    message.refresh_from_db()
    assert message.request_id == "req-0123456789abcdef"
    envelope = json.loads(build_body(message))
    assert envelope["request_id"] == "req-0123456789abcdef"
    assert set(envelope) == {"id", "kind", "actor", "payload", "files", "request_id"}


def test_the_relay_sends_under_the_message_id_of_its_request(peer, monkeypatch):
    with requestid.bound("req-relay-000000001"), transaction.atomic():
        message = outbox_enqueue(peer=peer, payload=contract.CaseWithdrawn(number="TZ1"))
    sent = {}

    class Answer:
        status_code = 200

        def json(self):
            return {"ok": True}

    def fake_post(url, data, headers, timeout):
        sent.update(headers=headers, body=data, during=requestid.current())
        return Answer()

    monkeypatch.setattr(requests, "post", fake_post)
    assert requestid.current() == ""  # the relay runs in a worker, outside the request
    assert outbox_send(OutboxMessage.objects.get(id=message.id)) == OutboxStatus.DELIVERED
    assert sent["headers"][requestid.HEADER] == "req-relay-000000001"
    assert sent["during"] == "req-relay-000000001"
    # The signature still covers exactly what it always did: method, path, timestamp, message id, body.
    signing.verify(
        headers=sent["headers"],
        method="POST",
        path=PATH,
        body=sent["body"],
        secret_for=lambda key_id: "contract-secret",
        max_skew=300,
    )
    assert requestid.current() == ""


def test_the_receiver_logs_under_the_signed_id(client, peer, handled_here, spy, caplog):  # noqa: F811
    message_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "id": message_id,
            "kind": str(handled_here),
            "payload": {"number": "TZ2026112400042"},
            "files": [],
            "request_id": "req-from-front-0001",
        },
        ensure_ascii=False,
    ).encode()
    with requestid.bound("req-from-front-0001"):
        headers = signing.sign(
            key_id="contract-k1", secret="contract-secret", method="POST", path=PATH, message_id=message_id, body=body
        )
    # A proxy or an attacker changed the unsigned header: the signed copy wins.
    headers[requestid.HEADER] = "req-tampered-00000"
    with caplog.at_level(logging.INFO, logger="apps.shared.exchange.services.inbox"):
        response = client.post(PATH, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    assert response[requestid.HEADER] == "req-from-front-0001"
    [line] = [r for r in caplog.records if r.name == "apps.shared.exchange.services.inbox"]
    assert message_id in line.getMessage() and line.request_id == "req-from-front-0001"


def test_a_well_formed_incoming_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-Id": "lb-7f3a9c2e11"})["X-Request-Id"] == "lb-7f3a9c2e11"
    replaced = client.get("/healthz", headers={"X-Request-Id": "13800001111 <script>"})["X-Request-Id"]
    assert replaced and replaced != "13800001111 <script>" and len(replaced) == 32


def test_tasks_carry_the_request_id_into_the_worker():
    headers: dict = {}
    with requestid.bound("req-task-00000001"):
        celery_signals._request_id_out(headers=headers)
    assert headers == {"request_id": "req-task-00000001"}

    class Task:
        class request:
            request_id = "req-task-00000001"

    celery_signals._request_id_in(task=Task())
    assert requestid.current() == "req-task-00000001"
    celery_signals._request_id_in(task=None)
    assert requestid.current() == ""
