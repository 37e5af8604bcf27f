"""Accounts: real-name citizen registration (DOMAIN.md §8)."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from govservice.lib import idcard
from govservice.lib.blindindex import blind_index
from govservice.lib.errors import Conflict, DomainError

from .models import PersonalDataAccess, Role, User

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_number_index(value: str) -> str:
    return blind_index(idcard.normalize(value), purpose="id_number")


def phone_index(value: str) -> str:
    return blind_index(value, purpose="phone")


@transaction.atomic
def citizen_register(*, username: str, password: str, real_name: str, id_number: str, phone: str, email: str = "") -> User:
    """Create a real-name citizen account: a valid ID number (GB 11643), a mainland mobile number, a name."""
    real_name = real_name.strip()
    if not 2 <= len(real_name) <= 30:
        raise DomainError(_("请填写与身份证一致的真实姓名。"), code="invalid_name")
    try:
        parsed = idcard.parse(id_number)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), code="invalid_id_number") from None
    phone = phone.strip()
    if not PHONE_RE.match(phone):
        raise DomainError(_("请填写11位手机号码。"), code="invalid_phone")
    if User.objects.filter(username=username).exists():
        raise Conflict(_("该用户名已被使用。"), code="username_taken")
    user = User(
        username=username,
        email=email.strip(),
        role=Role.CITIZEN,
        real_name=real_name,
        id_number=parsed.value,
        id_number_index=id_number_index(parsed.value),
        phone=phone,
        phone_index=phone_index(phone),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(_("该身份证号码已注册账户，请直接登录。"), code="id_registered") from None
    return user


def id_number_reveal(*, viewer: User, subject: User, reason: str, case_reference: str = "") -> str:
    """The clear ID number, for a staff member with a reason; every view is logged (DOMAIN.md §8)."""
    if viewer.role == Role.CITIZEN and viewer.pk != subject.pk:
        raise DomainError(_("无权查看。"), code="forbidden")
    if not reason.strip():
        raise DomainError(_("查看完整证件号码须填写事由。"), code="access_reason_required")
    personal_data_access_record(viewer=viewer, subject=subject, reason=reason, case_reference=case_reference)
    return subject.id_number


def personal_data_access_record(*, viewer: User, subject: User, reason: str, case_reference: str = "") -> PersonalDataAccess:
    """Log one view of a person's data in clear (DOMAIN.md §8), the list citizens read as "who looked at
    my data". The one writer of the log, for every app that shows such data; the reason keeps its first
    200 characters (the column's width), what was viewed coming first."""
    return PersonalDataAccess.objects.create(
        viewer=viewer, subject=subject, reason=reason.strip()[:200], case_reference=case_reference
    )
