"""Accounts: real-name citizen registration and password reset by SMS code (DOMAIN.md §8)."""

from __future__ import annotations

import logging
import re
import uuid

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.privacy.consents import consent_record, consent_require
from apps.shared.privacy.models import Channel, ConsentPurpose
from govservice.api import Conflict, DomainError
from govservice.lib import idcard
from govservice.lib.blindindex import blind_index

from . import hooks, otp
from .models import ChallengePurpose, IdentityProof, PersonalDataAccess, PhoneChallenge, Role, User
from .registry_client import registry_matches
from .selectors import citizen_verified_by_id_number, id_number_index, verified_citizens

__all__ = ["PHONE_RE", "id_number_index", "phone_index"]

logger = logging.getLogger(__name__)

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def phone_index(value: str) -> str:
    return blind_index(value, purpose="phone")


def _valid_name(real_name: str) -> str:
    real_name = real_name.strip()
    if not 2 <= len(real_name) <= 30:
        raise DomainError(_("请填写与身份证一致的真实姓名。"), code="invalid_name")
    return real_name


def _valid_id(id_number: str) -> str:
    return idcard.parse_or_refuse(id_number).value


def _valid_phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE_RE.match(phone):
        raise DomainError(_("请填写11位手机号码。"), code="invalid_phone")
    return phone


def _free_stale_username(username: str) -> None:
    """A registration that never proved its phone and whose code has run out does not hold its username
    for ever: whoever registers the name next gets it."""
    stale = User.objects.filter(
        username=username,
        role=Role.CITIZEN,
        is_active=False,
        phone_verified_at__isnull=True,
        identity_verified_at__isnull=True,
        frozen_at__isnull=True,
        last_login__isnull=True,
    ).exclude(phone_challenges__used_at__isnull=True, phone_challenges__expires_at__gt=timezone.now())
    stale.delete()


def citizen_register(
    *,
    username: str,
    password: str,
    real_name: str,
    id_number: str,
    phone: str,
    address: str,
    email: str = "",
    consent: bool = False,
    channel: str = Channel.WEB,
) -> PhoneChallenge:
    """First step of a real-name registration: an inactive account and an SMS code to its phone.

    The answer is the same whether or not someone already holds the ID number (DOMAIN.md §8: nobody
    learns from the site whether a person is registered); the account becomes usable only in
    citizen_register_confirm, once the code came back and the registry knows the name and number. The name
    and number go to the registry only with the person's consent (DOMAIN.md §9), recorded with the account."""
    consent_require(given=consent, purpose=ConsentPurpose.REGISTRY_CHECK)
    real_name = _valid_name(real_name)
    id_value = _valid_id(id_number)
    phone = _valid_phone(phone)
    user = User(
        username=username,
        email=email.strip(),
        role=Role.CITIZEN,
        real_name=real_name,
        id_number=id_value,
        id_number_index=id_number_index(id_value),
        phone=phone,
        phone_index=phone_index(phone),
        # Inactive until verified: Django's authentication refuses the account everywhere (pages,
        # tokens, the admin), so an unproved registration can do nothing but finish its verification.
        is_active=False,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from None
    user.set_password(password)
    _free_stale_username(username)
    if User.objects.filter(username=username).exists():
        raise Conflict(_("该用户名已被使用。"), code="username_taken")
    requester = otp.Requester(phone_index=user.phone_index, id_index=user.id_number_index, address=address)
    with transaction.atomic():
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise Conflict(_("该用户名已被使用。"), code="username_taken") from None
        challenge, code = otp.challenge_create(purpose=ChallengePurpose.REGISTER, user=user, requester=requester)
        consent_record(user=user, purpose=ConsentPurpose.REGISTRY_CHECK, channel=channel, reference=str(challenge.id))
    otp.challenge_send(challenge, code)
    return challenge


def account_verification_start(*, user: User, address: str, consent: bool = False) -> PhoneChallenge:
    """A code for an existing, unverified citizen account (one from before verification existed); the
    registration's second step (citizen_register_confirm) finishes it, asking the registry on the consent
    recorded here."""
    if user.role != Role.CITIZEN or user.is_real_name_verified or user.frozen_at is not None or not user.phone:
        raise DomainError(_("该账户无需或无法在线核验，请到大厅窗口办理。"), code="not_applicable")
    consent_require(given=consent, purpose=ConsentPurpose.REGISTRY_CHECK)
    requester = otp.Requester(phone_index=user.phone_index, id_index=user.id_number_index, address=address)
    with transaction.atomic():
        challenge, code = otp.challenge_create(purpose=ChallengePurpose.REGISTER, user=user, requester=requester)
        consent_record(
            user=user, purpose=ConsentPurpose.REGISTRY_CHECK, channel=Channel.WEB, reference=str(challenge.id)
        )
    otp.challenge_send(challenge, code)
    return challenge


REGISTRY_PURPOSE_REGISTER = "实名注册 citizen registration"


def citizen_register_confirm(*, registration: str, code: str) -> User:
    """Second step: the code proves the phone, the registry the name and ID number; then the account is
    active and verified. An ID number another verified account holds is refused here, after the phone is
    proved (the holder is told by SMS); the person proves themselves at a hall window (takeover.py)."""
    challenge = otp.challenge_check(challenge_id=registration, code=code, purpose=ChallengePurpose.REGISTER)
    user = challenge.user
    assert user is not None  # challenge_check refuses a challenge without an account
    # Asked before anything is written: when the registry is away, the same code can be sent again.
    matched = registry_matches(
        name=user.real_name, id_number=user.id_number or "", purpose=REGISTRY_PURPOSE_REGISTER, reference=user.username
    )
    now = timezone.now()
    holder: User | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        otp.challenge_use(challenge)
        user.phone_verified_at = now
        outcome = "mismatch"
        if matched:
            holder = citizen_verified_by_id_number(user.id_number or "")
            outcome = "taken" if holder is not None and holder.pk != user.pk else "verified"
        if outcome == "verified":
            user.identity_verified_at = now
            user.identity_verified_via = IdentityProof.REGISTRY
            user.is_active = True
        try:
            with transaction.atomic():
                user.save(
                    update_fields=["phone_verified_at", "identity_verified_at", "identity_verified_via", "is_active"]
                )
        except IntegrityError:  # another registration of the number won the race
            outcome = "taken"
            user.identity_verified_at, user.identity_verified_via, user.is_active = None, "", False
            user.save(update_fields=["phone_verified_at"])
    if outcome == "mismatch":
        raise DomainError(
            _("姓名与身份证号码未通过人口信息核验，请核对后重新注册。"),
            code="registry_mismatch",
        )
    if outcome == "taken":
        if holder is not None and holder.phone:
            _tell(
                holder,
                "【云窗口】有人使用您的身份证号码申请注册云窗口账户，未获通过，您的账户不受影响。"
                "如非您本人操作且您无法登录，请携带身份证到政务服务大厅窗口办理。",
                reference=f"id-claimed-{challenge.id}",
            )
        raise Conflict(
            _("该身份证号码已有实名账户。如非您本人注册，请携带身份证到政务服务大厅窗口办理账户找回。"),
            code="id_registered",
        )
    return user


def _tell(user: User, text: str, *, reference: str) -> None:
    """A notice by SMS; a failed notice must not undo what was done (it is logged)."""
    try:
        hooks.send_sms(phone=user.phone or "", text=text, reference=reference)
    except Exception:  # the channel's own errors: the account change stands
        logger.warning("notice %s to user %s not sent", reference, user.pk)


def password_reset_start(*, id_number: str, phone: str, address: str) -> PhoneChallenge:
    """A reset code to the verified account of this ID number and phone. Whether one exists, the answer
    is the same challenge; without an account nothing is sent and no code opens it."""
    id_value = _valid_id(id_number)
    phone = _valid_phone(phone)
    user = verified_citizens().filter(id_number_index=id_number_index(id_value), phone_index=phone_index(phone)).first()
    requester = otp.Requester(phone_index=phone_index(phone), id_index=id_number_index(id_value), address=address)
    with transaction.atomic():
        challenge, code = otp.challenge_create(purpose=ChallengePurpose.RESET, user=user, requester=requester)
    otp.challenge_send(challenge, code)
    return challenge


def password_reset_confirm(*, challenge_id: str, code: str, new_password: str) -> User:
    """Set a new password with a reset code; every session of the account ends (its auth hash changes)."""
    challenge = otp.challenge_check(challenge_id=challenge_id, code=code, purpose=ChallengePurpose.RESET)
    user = challenge.user
    assert user is not None
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from None
    with transaction.atomic():
        otp.challenge_use(challenge)
        user.set_password(new_password)
        user.save(update_fields=["password"])
    _tell(
        user,
        "【云窗口】您的账户密码已通过短信验证码重置。如非本人操作，请立即联系政务服务大厅。",
        reference=f"reset-done-{challenge.id}",
    )
    return user


def id_number_reveal(*, viewer: User, subject: User, reason: str, case_reference: str = "") -> str:
    """The clear ID number, for a staff member with a reason; every view is logged (DOMAIN.md §8)."""
    if viewer.role == Role.CITIZEN and viewer.pk != subject.pk:
        raise DomainError(_("无权查看。"), code="forbidden")
    if not reason.strip():
        raise DomainError(_("查看完整证件号码须填写事由。"), code="access_reason_required")
    personal_data_access_record(viewer=viewer, subject=subject, reason=reason, case_reference=case_reference)
    return subject.id_number


def personal_data_access_record(
    *, viewer: User, subject: User, reason: str, case_reference: str = ""
) -> PersonalDataAccess:
    """Log one view of a person's data in clear (DOMAIN.md §8), the list citizens read as "who looked at
    my data". The one writer of the log, for every app that shows such data; the reason keeps its first
    200 characters (the column's width), what was viewed coming first."""
    return PersonalDataAccess.objects.create(
        viewer=viewer, subject=subject, reason=reason.strip()[:200], case_reference=case_reference
    )


# --- The personal-information lifecycle (apps/shared/privacy; this app's rules in privacy.py) ------------

# Registration's usernames are [\w.@+-]: this one can never be registered.
ANONYMISED_USERNAME = "#anonymised"


def anonymised_account() -> User:
    """The one account that records point at once the retention job detached them from their person
    (appointments, cases whose period ended): the row stays countable for the statistics, nobody is named.
    Inactive, without a password, a name or numbers; never verified, so no look-up ever finds it."""
    user = User.objects.filter(username=ANONYMISED_USERNAME).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User(username=ANONYMISED_USERNAME, role=Role.CITIZEN, is_active=False)
            user.set_unusable_password()
            user.save()
    except IntegrityError:  # another worker made it first
        user = User.objects.get(username=ANONYMISED_USERNAME)
    return user


def account_erase(user: User) -> dict[str, int]:
    """Empty an account of its person, at its owner's request (privacy's account_delete, inside its
    transaction, after every other app detached its rows): the row stays, because case files point at it as
    the law keeps them, but it names nobody and can never sign in again. Its API tokens go, and its sessions
    end with it (an inactive account's session is no longer a signed-in user; the password hash changed)."""
    from knox.models import AuthToken

    tokens = AuthToken.objects.filter(user=user).delete()[0]
    challenges = PhoneChallenge.objects.filter(user=user).delete()[0]
    user.username = f"deleted-{uuid.uuid4().hex[:20]}"
    user.first_name = user.last_name = user.real_name = user.email = ""
    user.id_number = None
    user.id_number_index = ""
    user.phone = None
    user.phone_index = ""
    user.is_active = False
    user.phone_verified_at = user.identity_verified_at = None
    user.identity_verified_via = ""
    user.credit_restricted = False
    user.set_unusable_password()
    user.password_changed_at = timezone.now()
    user.save()
    return {"api_tokens": tokens, "phone_challenges": challenges}
