"""Signed endpoints answer 401 to any header a client can send: characters beyond ASCII in the signature,
the key id or the timestamp once crashed the comparison (500)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from apps.shared.exchange.models import Peer, PeerKey

pytestmark = pytest.mark.django_db

EXCHANGE = "/api/v1/exchange/messages/"


@pytest.mark.parametrize(
    "tamper",
    [
        {"HTTP_X_GS_SIGNATURE": "é" * 64},
        {"HTTP_X_GS_SIGNATURE": "签名"},
        {"HTTP_X_GS_KEY_ID": "密钥"},
        {"HTTP_X_GS_TIMESTAMP": "１７６４"},
    ],
)
def test_the_exchange_endpoint_answers_401_to_any_header(client, time_machine, tamper):
    time_machine.move_to(dt.datetime.fromtimestamp(1764000000, dt.UTC), tick=False)
    # A known key, so that the signature really is compared (an unknown key is refused before that).
    peer = Peer.objects.create(code="peer", name="对端", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=peer, key_id="k1", secret="test-secret")
    headers = {
        "HTTP_X_GS_KEY_ID": "k1",
        "HTTP_X_GS_TIMESTAMP": "1764000000",
        "HTTP_X_GS_MESSAGE_ID": str(uuid.uuid4()),
        "HTTP_X_GS_SIGNATURE": "0" * 64,
        **tamper,
    }
    response = client.post(EXCHANGE, data=b"{}", content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["code"] in {"bad_signature", "bad_timestamp"}
