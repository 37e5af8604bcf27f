"""Delivery receipts from the SMS gateway: a signed, idempotent callback that moves a message through
the allowed delivery states only (DOMAIN.md §7)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.notifications.conf import notifications_conf
from govservice.lib import signing

from ..models import Channel, DeliveryAttempt, DeliveryStatus, GatewayCallback, Notification, can_transition
from .delivery import apply_outcome

logger = logging.getLogger(__name__)

# What we keep of a gateway's own words: an id or an error code, never free text (it could echo a phone).
_SAFE = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")

REPORTABLE = (
    DeliveryStatus.DELIVERED,
    DeliveryStatus.PERMANENT_FAILURE,
    DeliveryStatus.TEMPORARY_FAILURE,
    DeliveryStatus.TECHNICAL_FAILURE,
)


@dataclass(frozen=True)
class CallbackResult:
    status_code: int
    data: dict[str, Any]


def _secret_for(key_id: str) -> str | None:
    if notifications_conf.SMS_GATEWAY_KEY and key_id == notifications_conf.SMS_GATEWAY_KEY_ID:
        return notifications_conf.SMS_GATEWAY_KEY
    return None


def gateway_callback_receive(*, headers, method: str, path: str, body: bytes) -> CallbackResult:
    """Check the signature before reading the body; answer a repeated callback (same message id) with
    the first answer; then apply the receipt."""
    try:
        verified = signing.verify(
            headers=headers,
            method=method,
            path=path,
            body=body,
            secret_for=_secret_for,
            max_skew=notifications_conf.SMS_GATEWAY_MAX_SKEW_SECONDS,
        )
    except signing.SignatureError as exc:
        logger.warning("SMS gateway callback refused: %s", exc.code)
        return CallbackResult(401, {"code": exc.code, "detail": exc.detail})
    digest = hashlib.sha256(body).hexdigest()
    previous = GatewayCallback.objects.filter(message_id=verified.message_id).first()
    if previous is not None:
        return _repeat(previous, digest)
    result, notification_id = _apply(body)
    try:
        with transaction.atomic():
            GatewayCallback.objects.create(
                message_id=verified.message_id,
                body_digest=digest,
                notification_id=notification_id,
                status_code=result.status_code,
                response=result.data,
            )
    except IntegrityError:  # the same callback, twice at once: the other one answered first
        return _repeat(GatewayCallback.objects.get(message_id=verified.message_id), digest)
    return result


def _repeat(previous: GatewayCallback, digest: str) -> CallbackResult:
    if previous.body_digest != digest:
        return CallbackResult(
            422,
            {"code": "message_id_reused", "detail": _("该消息编号已用于另一内容的回执。")},
        )
    return CallbackResult(previous.status_code, {**previous.response, "duplicate": True})


def _invalid(detail: str) -> tuple[CallbackResult, None]:
    return CallbackResult(400, {"code": "invalid", "detail": detail}), None


def _apply(body: bytes) -> tuple[CallbackResult, int | None]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to read
        return _invalid(_("回执不是有效的JSON。"))
    if not isinstance(data, dict):
        return _invalid(_("回执应为JSON对象。"))
    try:
        reference = uuid.UUID(str(data.get("reference", "")))
    except ValueError:
        return _invalid(_("回执缺少有效的消息引用号（reference）。"))
    status = data.get("status")
    if status not in REPORTABLE:
        return _invalid(_("回执状态无效，应为 delivered、permanent-failure、temporary-failure 或 technical-failure。"))
    provider_reference = str(data.get("id", ""))
    provider_reference = provider_reference if _SAFE.match(provider_reference) else ""
    error_code = str(data.get("code", "")) if status != DeliveryStatus.DELIVERED else ""
    error_code = error_code if _SAFE.match(error_code) else ""
    now = timezone.now()
    with transaction.atomic():
        # Only SMS: the gateway has never seen the reference of an e-mail or an inbox message.
        notification = Notification.objects.select_for_update().filter(reference=reference, channel=Channel.SMS).first()
        if notification is None:
            return CallbackResult(404, {"code": "unknown_reference", "detail": _("未找到该引用号的短信。")}), None
        answer = {"reference": str(reference), "status": notification.status}
        if notification.status == status:
            return CallbackResult(200, {**answer, "changed": False}), notification.id
        if not can_transition(notification.status, status):
            return (
                CallbackResult(
                    409,
                    {
                        "code": "illegal_transition",
                        "detail": _("短信当前状态为“%(current)s”，不能变为“%(target)s”。")
                        % {
                            "current": DeliveryStatus(notification.status).label,
                            "target": DeliveryStatus(status).label,
                        },
                        **answer,
                    },
                ),
                notification.id,
            )
        attempt = notification.delivery_attempts.order_by("-number").first()
        if attempt is not None:
            attempt.status, attempt.reported_at = status, now
            attempt.error = f"gateway: {error_code}" if error_code else attempt.error
            if provider_reference and not attempt.provider_reference:
                attempt.provider_reference = provider_reference
            attempt.save(update_fields=["status", "reported_at", "error", "provider_reference"])
        else:  # a receipt for a message we never logged an attempt for: log it now
            DeliveryAttempt.objects.create(
                notification=notification,
                number=max(notification.attempts, 1),
                status=status,
                provider_reference=provider_reference,
                reported_at=now,
                finished_at=now,
            )
        apply_outcome(notification, status=status, error=f"gateway: {error_code}" if error_code else "gateway", now=now)
        notification.save(update_fields=["status", "last_error", "next_attempt_at", "delivered_at"])
    logger.info("notification %s: gateway reports %s", notification.id, status)
    return CallbackResult(
        200, {"reference": str(reference), "status": notification.status, "changed": True}
    ), notification.id
