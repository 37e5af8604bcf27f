"""Delivery channels behind one interface (DESIGN.md §7).

SMS backends: a file backend that records messages for development and tests, and an HTTP gateway
backend. E-mail goes through Django's mail backend with a text and an HTML part. The in-app inbox needs
no provider: a message in it is delivered once it is committed.

A backend either returns a ``SendResult`` or raises ``SendError`` saying which kind of failure it was
(DOMAIN.md §7): permanent (the provider refused the message: do not retry), temporary (the phone is
off, the provider is throttling: retry later) or technical (our side or the wire broke: retry later).
Error texts are short and carry no personal data: they end up in the delivery log.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from apps.front.notifications.conf import notifications_conf
from govservice.lib import signing

from .models import DeliveryStatus

# Error codes a gateway may return that are safe to keep in our log (no free text: a provider's
# message could echo the phone number back).
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(frozen=True)
class SendResult:
    # DELIVERED when the channel knows at once (file backend, mail handed over), SENDING when the
    # provider accepted it and a delivery receipt will follow.
    status: str
    provider_reference: str = ""


class SendError(Exception):
    def __init__(self, message: str, *, status: str):
        super().__init__(message)
        assert status in (
            DeliveryStatus.PERMANENT_FAILURE,
            DeliveryStatus.TEMPORARY_FAILURE,
            DeliveryStatus.TECHNICAL_FAILURE,
        )
        self.status = status


class SmsError(SendError):
    """Kept for callers of the first SMS interface: ``permanent`` or temporary."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(
            message, status=DeliveryStatus.PERMANENT_FAILURE if permanent else DeliveryStatus.TEMPORARY_FAILURE
        )
        self.permanent = permanent


class FileSmsBackend:
    """Appends each message as a JSON line to SMS_FILE_PATH: what a developer (or a test) reads."""

    def send(self, *, phone: str, text: str, reference: str) -> SendResult:
        path = Path(settings.SMS_FILE_PATH)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps(
                {"to": phone, "text": text, "reference": reference, "at": timezone.now().isoformat()},
                ensure_ascii=False,
            )
            # O_APPEND writes of one short line are atomic between processes.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        except OSError as exc:
            raise SendError(f"file backend: {type(exc).__name__}", status=DeliveryStatus.TECHNICAL_FAILURE) from None
        return SendResult(status=DeliveryStatus.DELIVERED, provider_reference=f"file:{reference}")


class HttpSmsBackend:
    """An SMS gateway over HTTP. POSTs JSON ``{"reference", "to", "text", "callback_url"}`` to
    SMS_GATEWAY_URL, signed like the wire between the sites (govservice/lib/signing.py, HMAC-SHA256 of
    method, path, timestamp, message id and body digest) with SMS_GATEWAY_KEY, so the key itself never
    travels. The message id is our reference: a gateway that sees the same reference twice (we resend
    after a timeout, which may have been accepted) must send it once.

    2xx: accepted; the gateway reports the outcome later on the signed callback (``sending`` until then),
    unless it answers ``{"status": "delivered"}`` at once. 4xx other than 408/409/425/429: the gateway refused
    this message for good (bad number, blocked text). 408/425/429, 5xx, timeouts and connection errors:
    technical failures, retried with backoff.
    """

    def send(self, *, phone: str, text: str, reference: str) -> SendResult:
        url = notifications_conf.SMS_GATEWAY_URL
        key = notifications_conf.SMS_GATEWAY_KEY
        if not url or not key:
            raise SendError("SMS gateway not configured", status=DeliveryStatus.TECHNICAL_FAILURE)
        callback_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("feedback-sms-callback")
        body = json.dumps(
            {"reference": reference, "to": phone, "text": text, "callback_url": callback_url},
            ensure_ascii=False,
        ).encode()
        path = urlsplit(url).path or "/"
        headers = signing.sign(
            key_id=notifications_conf.SMS_GATEWAY_KEY_ID,
            secret=key,
            method="POST",
            path=path,
            message_id=reference,
            body=body,
        )
        headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = requests.post(url, data=body, headers=headers, timeout=notifications_conf.SMS_GATEWAY_TIMEOUT)
        except requests.Timeout:
            raise SendError("gateway timeout", status=DeliveryStatus.TECHNICAL_FAILURE) from None
        except requests.RequestException as exc:
            raise SendError(
                f"gateway unreachable: {type(exc).__name__}", status=DeliveryStatus.TECHNICAL_FAILURE
            ) from None
        data = _json_or_empty(response)
        code = str(data.get("code", ""))
        code = code if _SAFE_CODE.match(code) else ""
        if 200 <= response.status_code < 300:
            provider_reference = str(data.get("id", ""))
            if not _SAFE_CODE.match(provider_reference):
                provider_reference = ""
            status = DeliveryStatus.DELIVERED if data.get("status") == "delivered" else DeliveryStatus.SENDING
            return SendResult(status=status, provider_reference=provider_reference)
        error = f"HTTP {response.status_code}" + (f" {code}" if code else "")
        if response.status_code in (408, 409, 425, 429) or response.status_code >= 500:
            raise SendError(error, status=DeliveryStatus.TECHNICAL_FAILURE)
        raise SendError(error, status=DeliveryStatus.PERMANENT_FAILURE)


def _json_or_empty(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_email(*, to: str, subject: str, body: str, language: str, reference: str) -> SendResult:
    """E-mail with a plain-text and an HTML part. Django's backend reports no delivery receipt: a
    message the mail server took is counted as delivered."""
    context = {"subject": subject, "body": body, "language": language, "site_url": settings.PUBLIC_BASE_URL}
    with translation.override(language):
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers={"X-Notification-Reference": reference}
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as exc:  # SMTP down, refused, DNS: retried later
        raise SendError(f"mail: {type(exc).__name__}", status=DeliveryStatus.TECHNICAL_FAILURE) from None
    return SendResult(status=DeliveryStatus.DELIVERED)
