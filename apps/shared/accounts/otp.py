"""SMS one-time codes (DOMAIN.md §8: the phone is a verified item only once its owner typed back a code).

A code is six digits, kept only as a keyed hash bound to its challenge; it is valid for OTP_TTL_SECONDS
and OTP_MAX_ATTEMPTS wrong tries. Sending is limited per phone, per ID number and per client address
(atomic Redis counters, govservice/lib/ratelimit.py), and a resend waits OTP_RESEND_SECONDS: nobody can
use the site to flood a phone, or guess codes by asking for many.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.shared.accounts.conf import accounts_conf
from govservice.api import DomainError, Throttled
from govservice.lib import signing
from govservice.lib.blindindex import blind_index
from govservice.lib.ratelimit import hit_many

from . import hooks
from .models import ChallengePurpose, PhoneChallenge, User

logger = logging.getLogger(__name__)

INVALID_CODE = gettext_lazy("验证码错误或已过期，请重新获取。")


class TooMany(Throttled):
    """Too many codes for this phone, ID number or address, or a new one asked for too soon."""

    default_code = "too_many_codes"

    def __init__(self, detail: str, *, code: str, retry_after: int):
        super().__init__(detail, code=code, retry_after=retry_after)
        self.wait = retry_after


@dataclass(frozen=True)
class Requester:
    """Who asks for a code, as the limits count them: keyed hashes of the phone and ID number (never the
    clear values in a Redis key) and the client address (govservice.throttling.client_ip)."""

    phone_index: str
    id_index: str
    address: str


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _code_hash(challenge_id: uuid.UUID, code: str) -> str:
    return blind_index(f"{challenge_id}:{code}", purpose="otp")


def _limit(requester: Requester) -> None:
    per_phone, per_id, per_address, window = accounts_conf.OTP_SEND_LIMITS
    counters = [("otp:phone", requester.phone_index, per_phone), ("otp:ip", requester.address, per_address)]
    if requester.id_index:
        counters.append(("otp:id", requester.id_index, per_id))
    allowed, retry_after = hit_many(counters, window_seconds=window)
    if not allowed:
        raise TooMany(
            _("获取验证码过于频繁，请%(seconds)s秒后再试。") % {"seconds": retry_after},
            code="too_many_codes",
            retry_after=retry_after,
        )


def _text(purpose: str, code: str) -> str:
    minutes = accounts_conf.OTP_TTL_SECONDS // 60
    what: str = {
        ChallengePurpose.REGISTER.value: "注册实名账户",
        ChallengePurpose.MANDATE.value: "确认授权他人代您办事（委托书）",
    }.get(purpose, "重置密码")
    return f"【云窗口】您正在{what}，验证码 {code}，{minutes}分钟内有效。请勿告诉他人，工作人员不会索要验证码。"


def challenge_send(challenge: PhoneChallenge, code: str) -> None:
    """Text the code to the challenge's account, after the challenge committed; a reset for no account
    sends nothing (and answers the same). A channel failure is a clear "try again", never a silent pass."""
    user = challenge.user
    if user is None or not user.phone:
        return
    try:
        hooks.send_sms(
            phone=user.phone, text=_text(challenge.purpose, code), reference=f"otp-{challenge.id}-{challenge.sends}"
        )
    except Exception:  # the channel's own errors (SendError and friends live in the front's app)
        logger.warning("one-time code for challenge %s not sent", challenge.id)
        raise DomainError(
            _("短信发送失败，请稍后重新获取验证码。"),
            code="sms_unavailable",
        ) from None


def challenge_create(*, purpose: str, user: User | None, requester: Requester) -> tuple[PhoneChallenge, str]:
    """Count the request on every limit, then create a challenge in the caller's transaction; returns it
    with its code, for challenge_send once the transaction committed. Without an account the code is
    one nobody is ever told."""
    _limit(requester)
    now = timezone.now()
    challenge = PhoneChallenge(
        purpose=purpose,
        user=user,
        sent_at=now,
        created_at=now,
        expires_at=now + timedelta(seconds=accounts_conf.OTP_TTL_SECONDS),
    )
    code = _new_code()
    challenge.code_hash = _code_hash(challenge.id, code)
    challenge.save()
    return challenge, code


def challenge_resend(*, challenge_id: str, purpose: str, requester_address: str) -> PhoneChallenge:
    """A new code for the same challenge, after the cool-down; the old code stops working."""
    with transaction.atomic():
        challenge = _locked(challenge_id, purpose)
        now = timezone.now()
        if challenge is None or challenge.used_at is not None:
            raise DomainError(INVALID_CODE, code="invalid_code")
        wait = int((challenge.sent_at + timedelta(seconds=accounts_conf.OTP_RESEND_SECONDS) - now).total_seconds())
        if wait > 0:
            raise TooMany(
                _("请%(seconds)s秒后再重新获取验证码。") % {"seconds": wait}, code="resend_too_soon", retry_after=wait
            )
        user = challenge.user
        _limit(
            Requester(
                phone_index=user.phone_index if user else f"none-{challenge.id}",
                id_index=user.id_number_index if user else "",
                address=requester_address,
            )
        )
        code = _new_code()
        challenge.code_hash = _code_hash(challenge.id, code)
        challenge.sent_at = now
        challenge.expires_at = now + timedelta(seconds=accounts_conf.OTP_TTL_SECONDS)
        challenge.attempts = 0
        challenge.sends += 1
        challenge.save(update_fields=["code_hash", "sent_at", "expires_at", "attempts", "sends"])
    challenge_send(challenge, code)
    return challenge


def _locked(challenge_id: str, purpose: str) -> PhoneChallenge | None:
    try:
        key = uuid.UUID(str(challenge_id))
    except ValueError:
        return None
    return (
        PhoneChallenge.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(id=key, purpose=purpose)
        .first()
    )


def challenge_check(*, challenge_id: str, code: str, purpose: str) -> PhoneChallenge:
    """The challenge when ``code`` opens it; otherwise counts a wrong try and raises invalid_code. The try
    is committed before the error leaves (callers must not run this inside their own transaction), so a
    guesser cannot undo the count."""
    with transaction.atomic():
        challenge = _locked(challenge_id, purpose)
        ok = False
        if (
            challenge is not None
            and challenge.used_at is None
            and challenge.attempts < accounts_conf.OTP_MAX_ATTEMPTS
            and timezone.now() < challenge.expires_at
        ):
            ok = signing.equal(challenge.code_hash, _code_hash(challenge.id, code.strip()))
            if not ok:
                challenge.attempts += 1
                challenge.save(update_fields=["attempts"])
    if not ok or challenge is None or challenge.user is None:
        raise DomainError(INVALID_CODE, code="invalid_code")
    return challenge


def challenge_use(challenge: PhoneChallenge) -> None:
    """Mark a challenge spent, in the caller's transaction (its code never opens anything again)."""
    updated = PhoneChallenge.objects.filter(id=challenge.id, used_at__isnull=True).update(used_at=timezone.now())
    if not updated:
        raise DomainError(INVALID_CODE, code="invalid_code")
