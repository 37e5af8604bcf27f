"""Questions across sites (DESIGN.md §10): a synchronous, signed request and response, for what needs an
answer now (is this name and ID number in the registry?), beside the outbox's asynchronous hand-offs.

The same signing as the wire (govservice/lib/signing.py) with the peer's keys. The asker waits a short
timeout; anything but a well-formed answer is "the peer is away", which the caller turns into a clear
"try again later", never a silent pass. The answering site records who asked, why and when.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from govservice.lib import signing

from .conf import exchange_conf
from .models import Peer, PeerKey
from .services import secret_for, signing_key

logger = logging.getLogger(__name__)


class PeerUnavailable(Exception):
    """No usable answer: the peer is down, slow, refused the signature or answered nonsense."""


def ask(*, peer: Peer, url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST a signed JSON question to ``url`` and return the JSON answer (a 200 with an object)."""
    try:
        key = signing_key(peer)
    except RuntimeError as exc:
        raise PeerUnavailable(str(exc)) from None
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    headers = signing.sign(
        key_id=key.key_id, secret=key.secret, method="POST", path=urlsplit(url).path or "/",
        message_id=str(uuid.uuid4()), body=body,
    )
    headers["Content-Type"] = "application/json; charset=utf-8"
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        # The log keeps the kind of failure only: the question carries personal data.
        logger.warning("question to %s failed: %s", peer.code, type(exc).__name__)
        raise PeerUnavailable(type(exc).__name__) from None
    if response.status_code != 200:
        logger.warning("question to %s answered HTTP %s", peer.code, response.status_code)
        raise PeerUnavailable(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise PeerUnavailable("not JSON") from None
    if not isinstance(data, dict):
        raise PeerUnavailable("not an object")
    return data


def asking_peer(*, headers: Mapping[str, str], method: str, path: str, body: bytes) -> Peer:
    """The peer that signed a question; raises signing.SignatureError (answer 401 with its code/detail)."""
    verified = signing.verify(
        headers=headers, method=method, path=path, body=body, secret_for=secret_for,
        max_skew=exchange_conf.EXCHANGE_MAX_SKEW_SECONDS,
    )
    return PeerKey.objects.select_related("peer").get(key_id=verified.key_id).peer
