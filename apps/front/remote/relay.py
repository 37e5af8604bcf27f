"""The front's side of central's relay endpoint (apps/central/remote/api.py): one signed POST per action of the
hall, with the platform's key (DESIGN.md §10, the same signing as the wire), answered at once.

Unlike a registry question, central's refusals matter here (an expired join ticket, a session that ended, a
scan of the wrong type): a 4xx answer with ``{"code", "detail"}`` becomes the same DomainError at the front, in
the language the hall asked in. No answer, a 5xx or nonsense is "central is away": ``RemoteUnavailable`` (503),
which the hall's page retries.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

import requests
from django.utils import translation
from django.utils.translation import gettext as _

from apps.shared.exchange.selectors import peer_central
from apps.shared.exchange.services import signing_key
from govservice.api import DomainError
from govservice.lib import signing

from .conf import remote_conf

logger = logging.getLogger(__name__)

RELAY_PATH = "/api/v1/remote/relay/"

# One connection pool per process: a poll every second per hall device should not open a TCP connection each
# time (gunicorn's sync workers serve one request at a time, so one session per process is enough).
_http = requests.Session()


class RemoteUnavailable(DomainError):
    """Central did not answer usably: the hall is asked to wait and its page retries (503)."""

    default_code = "remote_unavailable"


def _unavailable() -> RemoteUnavailable:
    return RemoteUnavailable(_("暂时无法连接审批总后台，请稍候，系统将自动重试。"), code="remote_unavailable")


def relay(op: str, payload: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
    """Send ``op`` with ``payload`` to central; the answer's JSON object, or the DomainError central answered."""
    try:
        peer = peer_central()
        key = signing_key(peer)
    except Exception:  # no central registered, or no valid key: the same "away" to the hall
        logger.warning("remote relay: no central peer or signing key")
        raise _unavailable() from None
    url = peer.base_url.rstrip("/") + RELAY_PATH
    body = json.dumps({**payload, "op": op}, ensure_ascii=False, separators=(",", ":")).encode()
    headers = signing.sign(
        key_id=key.key_id,
        secret=key.secret,
        method="POST",
        path=urlsplit(url).path,
        message_id=str(uuid.uuid4()),
        body=body,
    )
    headers["Content-Type"] = "application/json; charset=utf-8"
    headers["Accept-Language"] = translation.get_language() or "zh-hans"
    try:
        response = _http.post(url, data=body, headers=headers, timeout=timeout or remote_conf.REMOTE_RELAY_TIMEOUT)
    except requests.RequestException as exc:
        logger.warning("remote relay %s failed: %s", op, type(exc).__name__)
        raise _unavailable() from None
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and isinstance(data, dict):
        return data
    if 400 <= response.status_code < 500 and isinstance(data, dict) and isinstance(data.get("code"), str):
        if response.status_code == 401:
            # Our own signature refused: a key problem at the platform, not the hall's doing.
            logger.error("remote relay %s: central refused the signature (%s)", op, data.get("code"))
            raise _unavailable()
        raise DomainError(str(data.get("detail") or ""), code=data["code"])
    logger.warning("remote relay %s answered HTTP %s", op, response.status_code)
    raise _unavailable()
