"""The receiving side checks every message against the contract before any handler runs: an unknown kind,
an unknown version and an invalid payload are refused with a reason (422, which the sender dead-letters
with that reason), never a 500. Runs at both sites, each with the kinds its own apps handle."""

from __future__ import annotations

import json
import uuid

import pytest

from apps.shared.exchange import registry
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import InboxMessage, Peer, PeerKey
from govservice.lib import signing

PATH = "/api/v1/exchange/messages/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(db):
    peer = Peer.objects.create(code="peer", name="对端平台", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=peer, key_id="contract-k1", secret="contract-secret")
    return peer


@pytest.fixture
def handled_here():
    """A kind this site handles, whatever its role: the front handles review_started, central supplement."""
    for kind in (MessageKind.CASE_REVIEW_STARTED, MessageKind.CASE_SUPPLEMENT):
        if registry.handler_for(kind) is not None:
            return kind
    raise AssertionError("this site handles neither kind")


@pytest.fixture
def spy(monkeypatch, handled_here):
    """Stands in for the site's handler, to prove it is never reached."""
    calls = []
    monkeypatch.setitem(registry._handlers, handled_here, lambda *args: calls.append(args) or {})
    return calls


def post(client, envelope: dict):
    message_id = envelope.setdefault("id", str(uuid.uuid4()))
    envelope.setdefault("files", [])
    body = json.dumps(envelope, ensure_ascii=False).encode()
    headers = signing.sign(
        key_id="contract-k1", secret="contract-secret", method="POST", path=PATH, message_id=message_id, body=body
    )
    return client.post(
        PATH,
        data=body,
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )


def test_it_refuses_an_unknown_kind_without_recording_it(client, peer, spy):
    response = post(client, {"kind": "case.teleported", "payload": {"number": "TZ1"}})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_kind" and "case.teleported" in response.json()["detail"]
    # Not recorded: once this site learns the kind, an operator's re-drive under the same id is applied.
    assert not InboxMessage.objects.exists()
    assert spy == []


def test_it_refuses_an_unknown_schema_version_without_recording_it(client, peer, handled_here, spy):
    for version in (2, "1", None):
        response = post(client, {"kind": str(handled_here), "schema_version": version, "payload": {"number": "TZ1"}})
        assert response.status_code == 422, version
        assert response.json()["code"] == "unknown_version"
        assert f"{handled_here} v{version}" in response.json()["detail"]
    assert not InboxMessage.objects.exists()
    assert spy == []


def test_it_refuses_an_invalid_payload_before_the_handler_and_answers_a_resend_the_same(
    client, peer, handled_here, spy
):
    envelope = {"id": str(uuid.uuid4()), "kind": str(handled_here), "payload": {"number": "", "extra": 1}}
    response = post(client, dict(envelope))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_payload"
    assert body["detail"].startswith(f"报文 {handled_here} v1 内容不符合约定：")
    assert "办件编号（number）" in body["detail"] and "extra" in body["detail"]
    assert spy == []
    # Recorded: the same bytes can never validate, so a resend gets the same answer and changes nothing.
    inbox = InboxMessage.objects.get(id=envelope["id"])
    assert (inbox.status_code, inbox.response["code"]) == (422, "invalid_payload")
    again = post(client, dict(envelope))
    assert again.status_code == 422 and again.json() == {**body, "duplicate": True}


def test_it_refuses_a_payload_that_is_not_an_object(client, peer, handled_here, spy):
    response = post(client, {"kind": str(handled_here), "payload": ["TZ1"]})
    assert response.status_code == 422 and response.json()["code"] == "invalid_payload"
    assert spy == []


def test_a_valid_version_one_message_reaches_the_handler_typed(client, peer, handled_here, spy):
    response = post(client, {"kind": str(handled_here), "payload": {"number": "TZ2026112400042"}})
    assert response.status_code == 200, response.content
    [(got_peer, _message_id, payload, files)] = spy
    assert got_peer == peer and files == []
    assert payload.number == "TZ2026112400042" and handled_here == payload.KIND  # attribute access, its class


def test_malformed_files_are_a_bad_request_not_a_crash(client, peer, handled_here, spy):
    response = post(client, {"kind": str(handled_here), "payload": {"number": "TZ1"}, "files": [{"name": "a.pdf"}]})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert spy == []


class _Untouchable:
    """A request body stream that records whether anyone read it."""

    def __init__(self, body: bytes):
        self.body = body
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        return self.body

    def readline(self, *args):
        self.reads += 1
        return self.body


@pytest.mark.parametrize(
    "headers",
    [
        {},  # unsigned
        {"X-GS-Key-Id": "nobody", "X-GS-Timestamp": "1", "X-GS-Message-Id": "m", "X-GS-Signature": "0" * 64},
        {"X-GS-Key-Id": "contract-k1", "X-GS-Timestamp": "1", "X-GS-Message-Id": "m", "X-GS-Signature": "0" * 64},
    ],
    ids=["unsigned", "unknown-key", "stale"],
)
def test_the_signature_headers_are_checked_before_the_body_is_read(rf, peer, headers):
    """An unsigned, unknown-key or stale request is refused from its headers alone: the receiver never reads
    (nor holds in memory) a body nobody vouched for."""
    from apps.shared.exchange.views import receive

    stream = _Untouchable(b"{" + b" " * 4096 + b"}")
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    request = rf.post(PATH, data=b"", content_type="application/json", **meta)
    request.META["CONTENT_LENGTH"] = str(len(stream.body))
    request._stream = stream
    response = receive(request)
    assert response.status_code == 401
    assert json.loads(response.content)["code"] in ("signature_missing", "bad_signature", "stale_signature")
    assert stream.reads == 0
