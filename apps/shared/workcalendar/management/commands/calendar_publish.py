"""Publish a year's working-day calendar from the State Council's annual notice (国务院办公厅关于节假日安排的通知):
the days off and the make-up working days (调休), then the year itself. Until a year is published, a limit
or a booking horizon that reaches it fails closed (DOMAIN.md §3).

    manage.py calendar_publish 2027 --off 2027-01-01 --off 2027-02-06:2027-02-12 --work 2027-02-14 \\
        --note "国办发明电〔2026〕X号"

Days not listed follow Monday–Friday. Running it again replaces the year's list (a corrected notice leaves
no stale day behind); it is all or nothing. Years the statutory data already covers are refused: publishing
one would replace its holidays with Monday–Friday.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from govservice.lib.workdays import CalendarUnknown, WorkCalendar


def days_of(spec: str, year: int) -> list[dt.date]:
    """One day (2027-01-01) or an inclusive range (2027-02-06:2027-02-12), all inside ``year``."""
    try:
        first, __, last = spec.partition(":")
        start = dt.date.fromisoformat(first)
        end = dt.date.fromisoformat(last) if last else start
    except ValueError:
        raise CommandError(_("日期格式有误：%(spec)s（应为 YYYY-MM-DD 或 YYYY-MM-DD:YYYY-MM-DD）。") % {"spec": spec}) from None
    if end < start:
        raise CommandError(_("日期区间颠倒：%(spec)s。") % {"spec": spec})
    if start.year != year or end.year != year:
        raise CommandError(_("%(spec)s 不在 %(year)s 年内。") % {"spec": spec, "year": year})
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


class Command(BaseCommand):
    help = "Publish a year's holidays (--off) and make-up working days (--work); other days follow Monday–Friday."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--off", action="append", default=[], help="a day or range off (holiday), repeatable")
        parser.add_argument("--work", action="append", default=[], help="a make-up working day (调休), repeatable")
        parser.add_argument("--note", default="", help="the notice it follows")

    def handle(self, *args, year: int, off: list[str], work: list[str], note: str, **options) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError(_("年份无效：%(year)s。") % {"year": year})
        try:
            WorkCalendar().is_workday(dt.date(year, 7, 1))
        except CalendarUnknown:
            pass
        else:
            raise CommandError(_("%(year)s年的节假日安排已在法定数据中，无需发布。") % {"year": year})
        days = {day: False for spec in off for day in days_of(spec, year)}
        for spec in work:
            for day in days_of(spec, year):
                if day in days:
                    raise CommandError(_("%(day)s 同时被列为休息日和工作日。") % {"day": day})
                days[day] = True
        with transaction.atomic():
            CalendarOverride.objects.filter(date__year=year).exclude(date__in=list(days)).delete()
            for day, is_workday in sorted(days.items()):
                CalendarOverride.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": note[:100]})
            PublishedYear.objects.update_or_create(year=year, defaults={"note": note[:200]})
        off_count = sum(1 for v in days.values() if not v)
        self.stdout.write(f"{year}: published ({off_count} days off, {len(days) - off_count} make-up working days)")
