"""Publishing a year's working-day calendar from the State Council's annual notice (国务院办公厅关于节假日安排的
通知): its days off and make-up working days (调休), then the year itself. Until a year is published, a limit or a
booking horizon that reaches it fails closed (DOMAIN.md §3). Used by ``manage.py calendar_publish`` and the
central supervisors' page (views.py).

Days not listed follow Monday–Friday. Publishing again replaces the year's list (a corrected notice leaves no
stale day behind); it is all or nothing. Years the statutory data already covers are refused: publishing one
would replace its holidays with Monday–Friday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from govservice.lib.errors import DomainError
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from .models import CalendarOverride, PublishedYear


@dataclass(frozen=True)
class Published:
    year: int
    days_off: int
    workdays: int


def _refuse(message: str) -> DomainError:
    return DomainError(message, code="calendar_invalid")


def days_of(spec: str, year: int) -> list[dt.date]:
    """One day (2027-01-01) or an inclusive range (2027-02-06:2027-02-12), all inside ``year``."""
    spec = spec.strip()
    try:
        first, __, last = spec.partition(":")
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise _refuse(
            _("日期格式有误：%(spec)s（应为 YYYY-MM-DD 或 YYYY-MM-DD:YYYY-MM-DD）。") % {"spec": spec}
        ) from None
    if end < start:
        raise _refuse(_("日期区间颠倒：%(spec)s。") % {"spec": spec})
    if start.year != year or end.year != year:
        raise _refuse(_("%(spec)s 不在 %(year)s 年内。") % {"spec": spec, "year": year})
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def statutory_year(year: int) -> bool:
    """The chinesecalendar data knows this year's holidays already."""
    try:
        WorkCalendar().is_workday(dt.date(year, 7, 1))
    except CalendarUnknown:
        return False
    return True


@transaction.atomic
def calendar_year_publish(*, year: int, off: Iterable[str], work: Iterable[str], note: str = "") -> Published:
    """Publish ``year``: the days (or ranges) off, the make-up working days, the notice it follows."""
    if not 2000 <= year <= 2100:
        raise _refuse(_("年份无效：%(year)s。") % {"year": year})
    if statutory_year(year):
        raise _refuse(_("%(year)s年的节假日安排已在法定数据中，无需发布。") % {"year": year})
    days = {day: False for spec in off if spec.strip() for day in days_of(spec, year)}
    for spec in work:
        if not spec.strip():
            continue
        for day in days_of(spec, year):
            if day in days:
                raise _refuse(_("%(day)s 同时被列为休息日和工作日。") % {"day": day})
            days[day] = True
    CalendarOverride.objects.filter(date__year=year).exclude(date__in=list(days)).delete()
    for day, is_workday in sorted(days.items()):
        CalendarOverride.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": note[:100]})
    PublishedYear.objects.update_or_create(year=year, defaults={"note": note[:200]})
    off_count = sum(1 for v in days.values() if not v)
    return Published(year=year, days_off=off_count, workdays=len(days) - off_count)
