"""Citizen ID numbers (GB 11643-1999): checksum and birth-date validation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from govservice.lib.errors import DomainError

# GB 11643-1999 §8.2: weights for the first 17 digits and the check character for S mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII digits only: \d would also match full-width and other Unicode digits.
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


class InvalidIdNumber(ValueError):
    """Raised with a message a person understands (Chinese first)."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    is_male: bool

    @property
    def area_code(self) -> str:
        return self.value[:6]


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    """Strip spaces and accept a lower-case x, as ID-card readers and people type it."""
    return raw.strip().replace(" ", "").upper()


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    value = normalize(raw)
    if not _SHAPE.match(value):
        raise InvalidIdNumber(_("身份证号码应为18位（前17位为数字，最后一位为数字或X）。"))
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("身份证号码中的出生日期不存在。")) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise InvalidIdNumber(_("身份证号码中的出生日期不合理。"))
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber(_("身份证号码校验位不正确，请核对后重新输入。"))
    return IdNumber(value=value, birth_date=birth, is_male=int(value[16]) % 2 == 1)


def parse_or_refuse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """``parse()``, a malformed number refused with this module's own sentence as the domain refusal
    ``invalid_id_number`` (422): how every service that takes an ID number from a person answers one."""
    try:
        return parse(raw, today=today)
    except InvalidIdNumber as exc:
        raise DomainError(str(exc), code="invalid_id_number") from None


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True
