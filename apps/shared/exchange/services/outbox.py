"""Sending (DESIGN.md §5): the outbox written in the caller's transaction, the relay that signs and sends it,
retries with backoff, dead letters and their re-drive."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now
from django.utils import timezone

from govservice.lib import lifecycle, requestid, signing
from govservice.lib.tasks import enqueue_on_commit

from .. import contract
from ..conf import exchange_conf
from ..models import OutboxMessage, OutboxStatus, Peer, PeerKey

logger = logging.getLogger(__name__)

EXCHANGE_PATH = "/api/v1/exchange/messages/"


@dataclass(frozen=True)
class OutgoingFile:
    name: str
    path: str  # in default storage
    sha256: str
    content_type: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "path": self.path, "sha256": self.sha256, "content_type": self.content_type}


def outbox_enqueue(
    *,
    peer: Peer,
    payload: contract.WirePayload,
    files: Iterable[OutgoingFile] = (),
    actor: str = "",
    ordering_key: str | None = None,
) -> OutboxMessage:
    """Write a message in the caller's transaction; the relay is kicked once that transaction commits.

    The payload is its kind's contract class, and what is written is read back through that class as the
    receiver will read it: a payload the peer would refuse is a programming error, raised here so that the
    change it reports rolls back with it instead of committing with a message that can never be applied.

    Messages about one case (by default the payload's "number") are delivered in the order they were
    written: a decision never overtakes the start of the review it ends, whatever the retries did."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction of the change it reports")
    if not isinstance(payload, contract.WirePayload):
        raise TypeError(f"outbox_enqueue takes a contract payload, not {type(payload).__name__}")
    data = payload.to_wire()
    contract.payload_parse(type(payload), data)  # raises InvalidPayload
    if ordering_key is None:
        ordering_key = str(data.get("number", ""))
    message = OutboxMessage.objects.create(
        peer=peer,
        kind=payload.KIND,
        schema_version=payload.SCHEMA_VERSION,
        payload=data,
        files=[f.as_dict() for f in files],
        actor=actor[:100],
        ordering_key=ordering_key[:64],
        request_id=requestid.current(),
    )
    # Fast path only: if Redis is down the kick is lost, and the periodic sweep delivers it.
    from ..tasks import outbox_relay  # tasks import services; import here to avoid the cycle

    enqueue_on_commit(outbox_relay, str(message.id))
    return message


def signing_key(peer: Peer) -> PeerKey:
    now = timezone.now()
    key = (
        peer.keys.filter(not_before__lte=now)
        .filter(Q(not_after__isnull=True) | Q(not_after__gt=now))
        .order_by("-not_before")
        .first()
    )
    if key is None:
        raise RuntimeError(f"no valid signing key for peer {peer.code}")
    return key


def build_body(message: OutboxMessage) -> bytes:
    """The exact bytes sent; the same for every attempt, so the receiver sees one body per message id."""
    files = []
    for f in message.files:
        with default_storage.open(f["path"], "rb") as fh:
            content = fh.read()
        files.append(
            {
                "name": f["name"],
                "sha256": f["sha256"],
                "content_type": f["content_type"],
                "content_b64": base64.b64encode(content).decode(),
            }
        )
    envelope: dict[str, Any] = {
        "id": str(message.id),
        "kind": message.kind,
        "actor": message.actor,
        "payload": message.payload,
        "files": files,
    }
    if message.request_id:
        # Covered by the signature with the rest of the body; a receiver that does not know the key ignores
        # it (the inbox reads the keys it knows), and a message written before it resends byte for byte.
        envelope["request_id"] = message.request_id
    if message.schema_version != 1:
        # Version 1 goes unnamed, as every message did before versions were written: a message first
        # attempted before then is resent with the very bytes the receiver may already hold.
        envelope["schema_version"] = message.schema_version
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def outbox_claim_due(
    *, limit: int = 20, message_id: str | None = None, same_case_as: OutboxMessage | None = None
) -> list[OutboxMessage]:
    """Claim due messages with SKIP LOCKED and push their next attempt out by a lease, so another relay
    skips them; if this worker dies, the lease runs out and the sweep sends them again. A message waits
    while an earlier one with its ordering key is pending or dead, so with ``same_case_as`` only the next
    one of that message's case can be claimed.

    "Due" and the lease are on the database's clock, never the worker's: a relay host whose clock is
    minutes slow would otherwise hold every message for those minutes."""
    earlier_unsent = OutboxMessage.objects.filter(
        peer_id=OuterRef("peer_id"),
        ordering_key=OuterRef("ordering_key"),
        status__in=(OutboxStatus.PENDING, OutboxStatus.DEAD),
        created_at__lt=OuterRef("created_at"),
    ).exclude(ordering_key="")
    with transaction.atomic():
        qs = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=Now())
            .exclude(Exists(earlier_unsent))
        )
        if message_id:
            qs = qs.filter(id=message_id)
        if same_case_as is not None:
            qs = qs.filter(peer_id=same_case_as.peer_id, ordering_key=same_case_as.ordering_key)
        claimed = list(qs.order_by("created_at")[:limit])
        if claimed:
            OutboxMessage.objects.filter(id__in=[m.id for m in claimed]).update(
                next_attempt_at=Now() + timedelta(seconds=exchange_conf.EXCHANGE_LEASE_SECONDS)
            )
    return claimed


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter, capped (AWS architecture blog's "full jitter")."""
    ceiling = min(
        exchange_conf.EXCHANGE_BACKOFF_CAP_SECONDS,
        exchange_conf.EXCHANGE_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return random.uniform(0, ceiling)  # noqa: S311 - jitter, not security


def outbox_send(message: OutboxMessage) -> str:
    """One attempt; records the outcome. Returns the new status. Never raises for network trouble.

    Sent under the request id the message was written with: this worker's log lines carry it, and so does
    the request (X-Request-Id, govservice/lib/signing.py), so the peer logs the message under it too."""
    with requestid.bound(message.request_id or requestid.current()):
        return _send(message)


def _send(message: OutboxMessage) -> str:
    peer = message.peer
    attempts = message.attempts + 1
    outcome_error = ""
    retry = True
    response_data = None
    try:
        # A missing file or no valid key is an attempt too: counted, backed off, dead-lettered in the
        # end, instead of failing the task and coming back after every lease forever.
        key = signing_key(peer)
        body = build_body(message)
    except (OSError, RuntimeError) as exc:
        outcome_error = f"not sent: {type(exc).__name__}: {exc}"[:500]
        logger.warning("outbox message %s (%s) could not be prepared: %s", message.id, message.kind, outcome_error)
        return _record_attempt(message, attempts=attempts, retry=True, error=outcome_error, response_data=None)
    headers = signing.sign(
        key_id=key.key_id, secret=key.secret, method="POST", path=EXCHANGE_PATH, message_id=str(message.id), body=body
    )
    headers["Content-Type"] = "application/json; charset=utf-8"
    try:
        response = requests.post(
            peer.base_url.rstrip("/") + EXCHANGE_PATH,
            data=body,
            headers=headers,
            timeout=exchange_conf.EXCHANGE_HTTP_TIMEOUT,
        )
    except requests.RequestException as exc:
        # A timeout is "unknown", never "failed": the resend carries the same id and the receiver
        # answers it from its inbox if it did commit the first time.
        outcome_error = f"{type(exc).__name__}: {exc}"[:500]
    else:
        try:
            response_data = response.json()
        except ValueError:
            response_data = {"raw": response.text[:500]}
        if 200 <= response.status_code < 300:
            retry = False
            outcome_error = ""
        elif response.status_code in (401, 408, 409, 425, 429) or response.status_code >= 500:
            # 401: a skewed clock or a key the receiver does not know yet (rotation) heals on its own;
            # the message waits with backoff and is dead-lettered only after the last attempt.
            outcome_error = f"HTTP {response.status_code}: {str(response_data)[:300]}"
        else:
            # 4xx other than the above: the receiver will never take this body; an operator must look.
            retry = False
            outcome_error = f"HTTP {response.status_code}: {str(response_data)[:300]}"

    return _record_attempt(message, attempts=attempts, retry=retry, error=outcome_error, response_data=response_data)


def _record_attempt(
    message: OutboxMessage, *, attempts: int, retry: bool, error: str, response_data: dict[str, Any] | None
) -> str:
    fields: dict[str, Any]
    if not retry and not error:
        # delivered_at is the relay's own reading, the moment it saw the receiver's answer.
        status, fields = (
            OutboxStatus.DELIVERED,
            {"delivered_at": timezone.now(), "response": response_data, "last_error": ""},
        )
        logger.info("outbox message %s (%s) delivered after %s attempts", message.id, message.kind, attempts)
    elif not retry or attempts >= exchange_conf.EXCHANGE_MAX_ATTEMPTS:
        status, fields = OutboxStatus.DEAD, {"last_error": error, "response": response_data}
        logger.error("outbox message %s (%s) dead-lettered: %s", message.id, message.kind, error)
    else:
        status = OutboxStatus.PENDING
        fields = {"last_error": error, "next_attempt_at": Now() + timedelta(seconds=backoff_seconds(attempts))}
    if status == OutboxStatus.PENDING:
        # A retry is no move: the message stays pending, with its next attempt later. Conditional on still
        # pending, as the moves below are: an operator action in between wins.
        OutboxMessage.objects.filter(id=message.id, status=OutboxStatus.PENDING).update(attempts=attempts, **fields)
        return status
    with contextlib.suppress(lifecycle.TransitionRefused):  # no longer pending: an operator action in between wins
        lifecycle.move_pk(
            OutboxMessage, message.id, status, sources={OutboxStatus.PENDING}, fields={"attempts": attempts, **fields}
        )
    return status


def outbox_relay_due(*, limit: int = 50, message_id: str | None = None, deadline: float | None = None) -> int:
    """Send the due messages claimed (at most ``limit``), each followed by the messages of its case that
    were waiting for it, until ``deadline`` (time.monotonic()); what is left stays due for the sweep."""
    sent = 0
    for message in outbox_claim_due(limit=limit, message_id=message_id):
        status = outbox_send(message)
        sent += 1
        # The next message of the same case may have been waiting for this one: send it now rather
        # than at the next sweep.
        while (
            status == OutboxStatus.DELIVERED
            and message.ordering_key
            and (deadline is None or time.monotonic() < deadline)
        ):
            following = _next_in_order(message)
            if following is None:
                break
            message, status = following, outbox_send(following)
            sent += 1
    return sent


def _next_in_order(message: OutboxMessage) -> OutboxMessage | None:
    claimed = outbox_claim_due(limit=1, same_case_as=message)
    return claimed[0] if claimed else None


def outbox_sweep(*, budget_seconds: float) -> int:
    """Send due messages one claim at a time until none is due or the time budget is spent.

    One at a time, so that nothing is held under a lease it will not be sent within; the budget keeps the
    task (with one HTTP timeout to spare) inside Celery's soft time limit. The next beat goes on."""
    deadline = time.monotonic() + budget_seconds
    total = 0
    while time.monotonic() < deadline:
        sent = outbox_relay_due(limit=1, deadline=deadline)  # one claim, and the messages of its case it let through
        if not sent:
            break
        total += sent
    return total


def outbox_redrive(*, message_id: uuid.UUID | str) -> bool:
    """An operator sends a dead letter again (same id, so still idempotent at the receiver)."""
    try:
        lifecycle.move_pk(
            OutboxMessage,
            message_id,
            OutboxStatus.PENDING,
            sources={OutboxStatus.DEAD},
            fields={"next_attempt_at": Now(), "attempts": 0},
        )
    except lifecycle.TransitionRefused:  # not dead (any more), or no such message
        return False
    return True
