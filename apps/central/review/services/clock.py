"""The review clock's extension (行政许可法 Art. 42)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from apps.shared.exchange import contract
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.errors import Conflict, DomainError

from ..models import ReviewCase
from ..selectors import clock_of
from .moves import _locked, _mine, _note, _tell_front

# 行政许可法 Art. 42: an extension of 10 working days, once, with approval and a reason told to the applicant.
EXTENSION_WORKDAYS = 10


def _due(case: ReviewCase) -> dt.date | None:
    """None while the limit reaches a year whose holidays are not published ("" on the wire: 待定)."""
    return clock_of(case).due_date(timezone.localdate(), calendar_get())


@transaction.atomic
def case_extend(*, approver: User, case_id: int, reason: str) -> ReviewCase:
    """Extend the limit by 10 working days, once, with a reason told to the citizen."""
    if not reason.strip():
        raise DomainError(_("延期须说明理由。"), code="reason_required")
    case = _locked(user=approver, case_id=case_id)
    _mine(case, approver)
    if case.extended_days:
        raise Conflict(_("本件已延期一次，不能再次延期。"), code="already_extended")
    if not case.can_extend:
        raise Conflict(_("办件当前状态不能延期。"), code="invalid_state")
    ReviewCase.objects.filter(id=case.id).update(extended_days=EXTENSION_WORKDAYS, extension_reason=reason.strip())
    case.extended_days, case.extension_reason = EXTENSION_WORKDAYS, reason.strip()
    _note(case, actor=approver, note=f"延期{EXTENSION_WORKDAYS}个工作日：{reason.strip()}")
    _tell_front(
        case,
        contract.CaseExtended(
            number=case.front_number, reason=reason.strip(), days=EXTENSION_WORKDAYS, promised_date=_due(case)
        ),
        approver,
    )
    return case
