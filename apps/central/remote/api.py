"""The relay endpoint: a hall's front, signed with its platform key (DESIGN.md §10), acts on a remote session for
the hall device or clerk it serves. One signed POST per action, a JSON object with ``op``:

``open``    ask for a session (matter, hall, device, applicant, consent) → the session id and its join ticket
``poll``    the session's state and central's signalling messages after a cursor
``signal``  a signalling message for central (hello, offer, candidate, bye)
``form``    typed fields of the shared application form
``scan``    a scan (base64) for a material central asked for
``hangup``  the hall ends the session

Every op but ``open`` carries ``session``, ``device`` and ``ticket``; the ticket must open that session for that
device (tickets.py). Refusals answer ``{"code", "detail"}`` with the status of their code (govservice.api).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.shared.exchange.models import Peer
from apps.shared.exchange.questions import asking_peer
from govservice.api import DomainError, status_for
from govservice.lib import signing
from govservice.parsers import MAX_JSON_DEPTH, json_depth_exceeds, json_has_nul, refuse_nul

from . import services
from .conf import remote_conf
from .models import Side

# Small requests, but a scan (base64) may be as large as any upload.
RELAY_MAX_BODY_SIGNAL = 256 * 1024


def _relay_max_body() -> int:
    return settings.UPLOAD_MAX_BYTES * 4 // 3 + 64 * 1024


def _answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _text(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise DomainError(_("报文格式错误。"), code="invalid")
    return value


def _open(peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    applicant = data.get("applicant")
    if not isinstance(applicant, dict):
        raise DomainError(_("报文格式错误。"), code="invalid")
    session, ticket = services.session_open(
        platform=peer,
        matter_code=_text(data, "matter_code"),
        hall_code=_text(data, "hall_code"),
        hall_name=_text(data, "hall_name"),
        device=_text(data, "device"),
        device_label=_text(data, "device_label"),
        ticket_label=_text(data, "ticket_label"),
        applicant_name=_text(applicant, "name"),
        applicant_id_number=_text(applicant, "id_number"),
        consent=data.get("consent") is True,
        recording_consent=data.get("consent_recording") is True,
    )
    return {
        "session": str(session.id),
        "ticket": ticket,
        "ring_seconds": remote_conf.REMOTE_RING_SECONDS,
        "department": session.department.name,
        **page_settings(),
    }


def page_settings() -> dict[str, Any]:
    """What both pages need to connect: the ICE servers (so both browsers use the same) and the poll pace."""
    return {
        "ice_servers": remote_conf.REMOTE_ICE_SERVERS,
        "poll_ms": remote_conf.REMOTE_POLL_MS,
        "poll_connected_ms": remote_conf.REMOTE_POLL_CONNECTED_MS,
        "ice_transport_policy": remote_conf.REMOTE_ICE_TRANSPORT_POLICY,
        # Whether the call's media are recorded (by central's page; the hall's page says so).
        "recording": remote_conf.REMOTE_RECORDING,
    }


def _session(peer: Peer, data: dict[str, Any]):
    return services.hall_session(
        platform=peer, session_id=data.get("session"), device=_text(data, "device"), ticket=_text(data, "ticket")
    )


def _poll(peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    session, renewed = _session(peer, data)
    state = services.poll(
        session,
        side=Side.HALL,
        after=data.get("after"),
        form_seq=data.get("form_seq"),
        pointer_seq=data.get("pointer_seq"),
        start=data.get("start") is True,
    )
    return {**state, "ticket": renewed} if renewed else state


def _signal(peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    session, renewed = _session(peer, data)
    signal_id = services.signal_send(session=session, sender=Side.HALL, kind=data.get("kind"), body=data.get("body"))
    return {"id": signal_id, **({"ticket": renewed} if renewed else {})}


def _form(peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    session, renewed = _session(peer, data)
    seq = services.form_update(session=session, fields=data.get("fields"))
    return {"form_seq": seq, **({"ticket": renewed} if renewed else {})}


def _scan(peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    session, renewed = _session(peer, data)
    try:
        content = base64.b64decode(_text(data, "content_b64"), validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(_("扫描件编码错误。"), code="invalid") from None
    scan = services.scan_receive(
        session=session, material_key=data.get("material"), original_name=data.get("name"), content=content
    )
    return {"scan": scan.id, "sha256": scan.sha256, **({"ticket": renewed} if renewed else {})}


def _hangup(peer: Peer, data: dict[str, Any]) -> dict[str, Any]:
    session, _renewed = _session(peer, data)
    session = services.session_end(session=session, side=Side.HALL, actor_label=session.device_label)
    return {"status": session.status, "outcome": session.outcome}


OPS: dict[str, Callable[[Peer, dict[str, Any]], dict[str, Any]]] = {
    "open": _open,
    "poll": _poll,
    "signal": _signal,
    "form": _form,
    "scan": _scan,
    "hangup": _hangup,
}


@csrf_exempt  # machine-to-machine: authenticated by the platform's HMAC signature, not a session
@require_POST
def relay(request):
    """The headers and the size are checked before the body is read; the signature before it is parsed."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > _relay_max_body():
        return _answer({"code": "too_large", "detail": _("请求过大。")}, 413)
    if not all(
        request.headers.get(h) for h in (signing.KEY_ID, signing.TIMESTAMP, signing.MESSAGE_ID, signing.SIGNATURE)
    ):
        return _answer({"code": "signature_missing", "detail": _("请求缺少签名信息。")}, 401)
    try:
        peer = asking_peer(headers=request.headers, method=request.method, path=request.path, body=request.body)
    except signing.SignatureError as exc:
        return _answer({"code": exc.code, "detail": exc.detail}, 401)
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        data = None
    op = OPS.get(data.get("op")) if isinstance(data, dict) and isinstance(data.get("op"), str) else None
    if op is None or json_depth_exceeds(data, MAX_JSON_DEPTH):
        return _answer({"code": "invalid", "detail": _("报文格式错误。")}, 400)
    if json_has_nul(data):  # PostgreSQL stores no NUL (govservice/parsers.py)
        refused = refuse_nul()
        return _answer({"code": refused.code, "detail": refused.detail}, 400)
    assert isinstance(data, dict)
    if data.get("op") != "scan" and length > RELAY_MAX_BODY_SIGNAL:
        return _answer({"code": "too_large", "detail": _("请求过大。")}, 413)
    try:
        return _answer(op(peer, data))
    except DomainError as exc:
        return _answer({"code": exc.code, "detail": exc.detail}, status_for(exc))
