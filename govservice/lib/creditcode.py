"""Unified social credit codes of legal persons and other organisations (统一社会信用代码, GB 32100-2015):
shape and check character, with messages a person understands (Chinese first).

18 characters: the registering authority (1), the kind of organisation (1), the administrative region of
the registering authority (6 digits), the organisation's own code (GB 11714, 9), the check character (1).
Every character is taken from 31: the ten digits and the capital letters without I, O, S, V and Z (they are
too easily read as 1, 0, 5, U and 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
# GB 32100-2015 §4.3: W_i = 3^(i-1) mod 31 for the first 17 positions.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}$")


class InvalidCreditCode(ValueError):
    """Raised with a message a person understands (Chinese first)."""


@dataclass(frozen=True)
class CreditCode:
    value: str

    @property
    def authority(self) -> str:
        """登记管理部门代码: 1 机构编制, 5 民政, 9 市场监管 (工商), Y 其他."""
        return self.value[0]

    @property
    def region(self) -> str:
        """登记管理机关行政区划码."""
        return self.value[2:8]

    @property
    def organisation_code(self) -> str:
        """主体标识码 (组织机构代码, GB 11714)."""
        return self.value[8:17]


def check_char(first17: str) -> str:
    """C18 = 31 − (Σ value_i·W_i mod 31), where 31 is written as ``0``."""
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(raw: str) -> str:
    """Strip spaces (people copy the code from a licence in groups) and accept lower case."""
    return "".join(raw.split()).upper()


def parse(raw: str) -> CreditCode:
    value = normalize(raw)
    if len(value) != 18:
        raise InvalidCreditCode(_("统一社会信用代码应为18位。"))
    if not _SHAPE.match(value):
        raise InvalidCreditCode(
            _("统一社会信用代码只含数字和大写字母（不含I、O、S、V、Z），第3至8位为行政区划代码数字。")
        )
    if check_char(value[:17]) != value[17]:
        raise InvalidCreditCode(_("统一社会信用代码校验位不正确，请核对后重新输入。"))
    return CreditCode(value=value)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidCreditCode:
        return False
    return True
