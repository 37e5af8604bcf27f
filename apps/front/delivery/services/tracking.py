"""The public status lookup without an account (DOMAIN.md §7): a case by number and query password, the
same answer for a wrong number as for a wrong password, repeated failures locked out."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _

from apps.front.delivery.conf import delivery_conf
from apps.front.intake.models import Case
from apps.front.intake.selectors import case_for_lookup
from govservice.api import DomainError, Throttled
from govservice.lib.ratelimit import hit

from .. import lockout

CASE_NUMBER_RE = re.compile(r"^[A-Z0-9]{4,32}$")


class LookupLocked(Throttled):
    default_code = "locked"


def case_lookup(*, number: str, password: str, ip: str) -> Case:
    """A case by number and query password (查询密码), for anyone holding both. The same answer whether
    the number exists or the password is wrong, so numbers cannot be probed; repeated failures lock the
    number and the address for a while (settings TRACK_*)."""
    number, password = number.strip().upper(), password.strip()
    if not number or not password:
        raise DomainError(_("请输入办件编号和查询密码。"), code="invalid")
    allowed, retry_after = hit(
        "track:ip", ip, limit=delivery_conf.TRACK_RATE_PER_IP, window_seconds=delivery_conf.TRACK_RATE_WINDOW
    )
    if not allowed:
        raise LookupLocked(_("查询过于频繁，请%(seconds)s秒后再试。") % {"seconds": retry_after}, code="throttled")
    for scope, ident in (("track-number", number), ("track-ip", ip)):
        wait = lockout.locked_seconds(scope, ident)
        if wait:
            raise _locked_error(wait)
    case = case_for_lookup(number=number) if CASE_NUMBER_RE.match(number) else None
    if case is not None and check_password(password, case.query_password_hash):
        lockout.forget_failures("track-number", number)
        return case
    if case is None:
        make_password(password)  # the same work as a real check: no timing difference either
    window, lock = delivery_conf.TRACK_FAILURE_WINDOW, delivery_conf.TRACK_LOCKOUT_SECONDS
    locked = max(
        lockout.failure(
            "track-number", number, limit=delivery_conf.TRACK_MAX_FAILURES, window_seconds=window, lock_seconds=lock
        ),
        lockout.failure(
            "track-ip", ip, limit=delivery_conf.TRACK_MAX_FAILURES_PER_IP, window_seconds=window, lock_seconds=lock
        ),
    )
    if locked:
        raise _locked_error(locked)
    raise DomainError(_("办件编号或查询密码不正确。"), code="not_found")


def _locked_error(seconds: int) -> LookupLocked:
    minutes = max((seconds + 59) // 60, 1)
    return LookupLocked(_("查询失败次数过多，请%(minutes)s分钟后再试。") % {"minutes": minutes}, code="locked")
