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
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from govservice.lib import signing

from .conf import exchange_conf
from .models import Peer, PeerKey
from .services import secret_for, signing_key

logger = logging.getLogger(__name__)


class PeerUnavailable(Exception):
    """No usable answer: the peer is down, slow, refused the signature or answered nonsense."""


class PeerRefused(PeerUnavailable):
    """The peer answered, refusing the question with a reason (a 4xx with its ``{"code", "detail"}``)."""

    def __init__(self, *, status: int, code: str, detail: str) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status, self.code, self.detail = status, code, detail


def ask(*, peer: Peer, url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST a signed JSON question to ``url`` and return the JSON answer (a 200 with an object)."""
    try:
        key = signing_key(peer)
    except RuntimeError as exc:
        raise PeerUnavailable(str(exc)) from None
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    headers = signing.sign(
        key_id=key.key_id,
        secret=key.secret,
        method="POST",
        path=urlsplit(url).path or "/",
        message_id=str(uuid.uuid4()),
        body=body,
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
        refusal = _refusal(response)
        if refusal is not None:
            raise refusal
        raise PeerUnavailable(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise PeerUnavailable("not JSON") from None
    if not isinstance(data, dict):
        raise PeerUnavailable("not an object")
    return data


def _refusal(response: requests.Response) -> PeerRefused | None:
    if not 400 <= response.status_code < 500 or response.status_code == 401:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        return None
    return PeerRefused(status=response.status_code, code=data["code"], detail=str(data.get("detail", ""))[:300])


def asking_peer(*, headers: Mapping[str, str], method: str, path: str, body: bytes) -> Peer:
    """The peer that signed a question; raises signing.SignatureError (answer 401 with its code/detail)."""
    verified = signing.verify(
        headers=headers,
        method=method,
        path=path,
        body=body,
        secret_for=secret_for,
        max_skew=exchange_conf.EXCHANGE_MAX_SKEW_SECONDS,
    )
    return PeerKey.objects.select_related("peer").get(key_id=verified.key_id).peer


Q = TypeVar("Q", bound=BaseModel)


def answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def question_peer(request: HttpRequest, *, max_body: int) -> Peer | JsonResponse:
    """The platform that signed the request, or the refusal to answer it. The size and the headers are
    checked before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > max_body:
        return answer({"code": "too_large", "detail": _("请求过大。")}, 413)
    if not all(
        request.headers.get(h) for h in (signing.KEY_ID, signing.TIMESTAMP, signing.MESSAGE_ID, signing.SIGNATURE)
    ):
        return answer({"code": "signature_missing", "detail": _("请求缺少签名信息。")}, 401)
    try:
        return asking_peer(
            headers=request.headers, method=request.method or "POST", path=request.path, body=request.body
        )
    except signing.SignatureError as exc:
        return answer({"code": exc.code, "detail": exc.detail}, 401)


def question_receive(request: HttpRequest, model: type[Q], *, max_body: int) -> tuple[Peer, Q] | JsonResponse:
    """The asking platform and its question read through the contract's class (contract/licences.py), or
    the refusal: 413, 401 for the signature, 400 naming the fields for a question that is not well formed."""
    peer = question_peer(request, max_body=max_body)
    if isinstance(peer, JsonResponse):
        return peer
    try:
        return peer, model.model_validate_json(request.body)
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()}))
        return answer({"code": "invalid", "detail": _("报文格式错误：%(fields)s。") % {"fields": fields}}, 400)
