"""The green channel (绿色通道, DOMAIN.md §3): who is served first and why. Age is proved by the ID number;
disability and military service are declared at the kiosk and checked at the window."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import User
from govservice.lib import idcard
from govservice.lib.errors import DomainError

from ..models import GreenReason


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_date(*, id_number: str, citizen: User | None, today: dt.date) -> dt.date | None:
    """The birth date from the ID number typed or read at the kiosk, else from the citizen's account."""
    if id_number:
        return idcard.parse_or_refuse(id_number, today=today).birth_date
    if citizen is not None and citizen.id_number:
        try:
            return idcard.parse(citizen.id_number, today=today).birth_date
        except idcard.InvalidIdNumber:
            return None
    return None


def green_reason(*, chosen: str, id_number: str, citizen: User | None, today: dt.date) -> str:
    """The recorded green-channel reason, or "". Age is verified from the birth date of the ID number
    (GB 11643: digits 7-14) and granted without asking; disability and military service are declared at
    the kiosk and recorded, and the window checks the certificate."""
    if chosen and chosen not in GreenReason.values:
        raise DomainError(_("绿色通道类别无效。"), code="invalid_green_reason")
    birth = birth_date(id_number=id_number, citizen=citizen, today=today)
    elderly = birth is not None and age_on(birth, today) >= booking_conf.HALL_GREEN_CHANNEL_AGE
    if chosen == GreenReason.ELDERLY and not elderly:
        if birth is None:
            raise DomainError(
                _("老年人绿色通道请刷身份证或输入身份证号码，核验年满%(age)s周岁。")
                % {"age": booking_conf.HALL_GREEN_CHANNEL_AGE},
                code="age_unverified",
            )
        raise DomainError(
            _("未满%(age)s周岁，不适用老年人绿色通道。") % {"age": booking_conf.HALL_GREEN_CHANNEL_AGE},
            code="not_elderly",
        )
    if chosen in (GreenReason.DISABLED, GreenReason.MILITARY):
        return chosen
    return GreenReason.ELDERLY if elderly else ""
