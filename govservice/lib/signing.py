"""HMAC request signing for the wire between the sites (DESIGN.md §5).

The signature covers method, path, timestamp, message id and the SHA-256 of the raw body, so it can be
checked before the body is parsed. Headers:

``X-GS-Key-Id``      which key signed (several may be valid during a rotation)
``X-GS-Timestamp``   Unix seconds; outside ±``max_skew`` the request is stale
``X-GS-Message-Id``  UUID of the message, also its idempotency key
``X-GS-Signature``   hex HMAC-SHA256 of the canonical string below

Beside them, not signed, ``X-Request-Id``: the id of the request that caused the call
(govservice/lib/requestid.py), so that both sites log one exchange under one id. It is a correlation for the
logs, checked for its form and never trusted for anything else; the outbox also puts it in the signed body.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import requestid

KEY_ID = "X-GS-Key-Id"
TIMESTAMP = "X-GS-Timestamp"
MESSAGE_ID = "X-GS-Message-Id"
SIGNATURE = "X-GS-Signature"


class SignatureError(Exception):
    """Why a request was refused; ``code`` and ``detail`` are safe to return to the caller, ``reason`` is for
    the receiver's own log (an unknown key answers exactly as a wrong signature, so that nobody learns from
    the answer which key ids exist)."""

    def __init__(self, code: str, detail: str, *, reason: str = ""):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.reason = reason or code


BAD_SIGNATURE = "签名校验失败。 Signature does not match."


def equal(expected: str, given: str) -> bool:
    """Constant-time comparison of a computed signature with the one a request carries, whatever characters
    it carries (``hmac.compare_digest`` refuses non-ASCII text with a TypeError: a 500 instead of a 401)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def canonical(method: str, path: str, timestamp: str, message_id: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, timestamp, message_id, digest]).encode()


def sign(
    *, key_id: str, secret: str, method: str, path: str, message_id: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    mac = hmac.new(secret.encode(), canonical(method, path, timestamp, message_id, body), hashlib.sha256)
    headers = {KEY_ID: key_id, TIMESTAMP: timestamp, MESSAGE_ID: message_id, SIGNATURE: mac.hexdigest()}
    if requestid.current():
        headers[requestid.HEADER] = requestid.current()
    return headers


@dataclass(frozen=True)
class Verified:
    key_id: str
    message_id: str
    timestamp: int


@dataclass(frozen=True)
class SignedHeaders:
    """A request's signature headers, checked for presence, a known key and the time window: all that can be
    judged before the body is read (the body is only read once these hold, so an unsigned or stale request
    never makes the receiver read megabytes)."""

    key_id: str
    timestamp: str
    message_id: str
    signature: str
    secret: str

    def verify_body(self, *, method: str, path: str, body: bytes) -> Verified:
        expected = hmac.new(
            self.secret.encode(), canonical(method, path, self.timestamp, self.message_id, body), hashlib.sha256
        )
        # Constant-time comparison: no timing oracle on the signature.
        if not equal(expected.hexdigest(), self.signature):
            raise SignatureError("bad_signature", BAD_SIGNATURE)
        return Verified(key_id=self.key_id, message_id=self.message_id, timestamp=int(self.timestamp))


def check_headers(
    *,
    headers: Mapping[str, str],
    secret_for: Callable[[str], str | None],
    max_skew: int,
    now: float | None = None,
) -> SignedHeaders:
    """The first half of ``verify``: raises SignatureError; ``secret_for(key_id)`` returns None for an unknown key."""
    key_id = headers.get(KEY_ID, "")
    timestamp = headers.get(TIMESTAMP, "")
    message_id = headers.get(MESSAGE_ID, "")
    signature = headers.get(SIGNATURE, "")
    if not (key_id and timestamp and message_id and signature):
        raise SignatureError("signature_missing", "请求缺少签名信息。 The request is not signed.")
    secret = secret_for(key_id)
    if secret is None:
        raise SignatureError("bad_signature", BAD_SIGNATURE, reason="unknown_key")
    try:
        if not timestamp.isascii():
            raise ValueError(timestamp)
        ts = int(timestamp)
    except ValueError:
        raise SignatureError("bad_timestamp", "签名时间戳格式错误。 Malformed timestamp.") from None
    current = now if now is not None else time.time()
    if abs(current - ts) > max_skew:
        raise SignatureError("stale_signature", "签名已过期或时钟偏差过大。 Signature outside the time window.")
    return SignedHeaders(key_id=key_id, timestamp=timestamp, message_id=message_id, signature=signature, secret=secret)


def verify(
    *,
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    secret_for: Callable[[str], str | None],
    max_skew: int,
    now: float | None = None,
) -> Verified:
    """Check a signed request; raises SignatureError. ``secret_for(key_id)`` returns None for an unknown key."""
    signed = check_headers(headers=headers, secret_for=secret_for, max_skew=max_skew, now=now)
    return signed.verify_body(method=method, path=path, body=body)
