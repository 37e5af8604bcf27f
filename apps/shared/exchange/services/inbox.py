"""Receiving (DESIGN.md §5): a signed message verified (headers before the body is read), checked against the
contract, recorded once by its id and applied by the handler its kind names."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from govservice.lib import requestid, signing

from .. import contract, registry
from ..conf import exchange_conf
from ..models import InboxMessage, Peer, PeerKey

logger = logging.getLogger(__name__)


@dataclass
class InboxResult:
    status_code: int
    data: dict[str, Any]


def secret_for(key_id: str) -> str | None:
    key = PeerKey.objects.select_related("peer").filter(key_id=key_id, peer__active=True).first()
    if key is None or not key.is_valid():
        return None
    return key.secret


def inbox_receive(
    *, headers: Mapping[str, str], method: str, path: str, body: bytes | Callable[[], bytes]
) -> InboxResult:
    """Verify, deduplicate and apply one message. The signature headers (present, a known key, in the time
    window) are checked before the body is read — ``body`` may be a callable that reads it — and the
    signature before the body is parsed."""
    try:
        signed = signing.check_headers(
            headers=headers, secret_for=secret_for, max_skew=exchange_conf.EXCHANGE_MAX_SKEW_SECONDS
        )
        if callable(body):
            body = body()
        verified = signed.verify_body(method=method, path=path, body=body)
    except signing.SignatureError as exc:
        return InboxResult(401, {"code": exc.code, "detail": exc.detail})
    peer = PeerKey.objects.select_related("peer").get(key_id=verified.key_id).peer
    try:
        envelope = json.loads(body)
        message_id = str(uuid.UUID(envelope["id"]))
        kind = str(envelope["kind"])
        version = envelope.get("schema_version", 1)  # absent: version 1 (contract/)
        payload = envelope["payload"]
        raw_files = [
            (str(f["name"]), str(f["content_type"]), str(f["sha256"]), base64.b64decode(f["content_b64"]))
            for f in envelope.get("files", [])
        ]
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: JSON nested too deep to read
        return InboxResult(400, {"code": "invalid", "detail": _("报文格式错误。")})
    if message_id != str(uuid.UUID(verified.message_id)):
        return InboxResult(400, {"code": "invalid", "detail": _("报文编号与签名不一致。")})
    signed_request_id = requestid.valid(str(envelope.get("request_id") or ""))
    if signed_request_id:
        # The signed copy wins over the header: the rest of this request logs under the sender's id.
        requestid.bind(signed_request_id)
    logger.info("exchange message %s (%s) from %s", message_id, kind, peer.code)
    body_sha256 = hashlib.sha256(body).hexdigest()

    existing = InboxMessage.objects.filter(id=message_id).first()
    if existing is not None:
        return _answer_duplicate(existing, peer, body_sha256)

    files = []
    for name, content_type, sha256, content in raw_files:
        if hashlib.sha256(content).hexdigest() != sha256:
            return InboxResult(
                422, {"code": "digest_mismatch", "detail": _("材料“%(name)s”校验值不符。") % {"name": name}}
            )
        files.append(registry.IncomingFile(name, content_type, sha256, content))

    try:
        payload_class = contract.payload_class(kind, version)
        handler = registry.handler_for(payload_class.KIND)
        if handler is None:  # a kind of the contract that flows the other way, or that no app here handles
            raise contract.UnknownMessage("unknown_kind", f"本平台不处理报文类型 {kind}。 Unknown message kind.")
    except contract.UnknownMessage as exc:
        # Refused (422: the sender dead-letters it with this reason) but not recorded: once this site
        # knows the kind or version, an operator's re-drive under the same id is applied.
        return InboxResult(422, {"code": exc.code, "detail": exc.detail})
    try:
        with transaction.atomic():
            # Inserting first holds the id's unique-index entry: a concurrent duplicate waits here and
            # then gets the recorded answer instead of applying the message again.
            inbox = InboxMessage.objects.create(
                id=message_id,
                peer=peer,
                kind=kind,
                body_sha256=body_sha256,
                key_id=verified.key_id,
                actor=str(envelope.get("actor", ""))[:100],
            )
            try:
                with transaction.atomic():
                    try:
                        typed = contract.payload_parse(payload_class, payload)
                    except contract.InvalidPayload as exc:
                        # Validated before the handler runs; recorded, as the same bytes never validate.
                        raise registry.Rejected(str(exc), code="invalid_payload") from None
                    data = handler(peer, message_id, typed, files)
                    status_code = 200
            except registry.Rejected as exc:
                data, status_code = {"code": exc.code, "detail": str(exc)}, 422
            inbox.response, inbox.status_code = data, status_code
            inbox.save(update_fields=["response", "status_code"])
    except registry.NotReady as exc:
        return InboxResult(409, {"code": "not_ready", "detail": str(exc)})
    except IntegrityError:
        existing = InboxMessage.objects.filter(id=message_id).first()
        if existing is None:
            raise
        return _answer_duplicate(existing, peer, body_sha256)
    return InboxResult(status_code, data)


def _answer_duplicate(existing: InboxMessage, peer: Peer, body_sha256: str) -> InboxResult:
    if existing.body_sha256 != body_sha256 or existing.peer_id != peer.id:
        return InboxResult(422, {"code": "idempotency_conflict", "detail": _("同一报文编号的内容不一致，已拒绝。")})
    return InboxResult(existing.status_code, {**existing.response, "duplicate": True})
