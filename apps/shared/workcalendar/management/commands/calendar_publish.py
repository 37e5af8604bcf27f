"""Publish a year's working-day calendar (apps/shared/workcalendar/services.py):

    manage.py calendar_publish 2027 --off 2027-01-01 --off 2027-02-06:2027-02-12 --work 2027-02-14 \\
        --note "国办发明电〔2026〕X号"

Days not listed follow Monday–Friday; running it again replaces the year's list. At central, supervisors do the
same on the page /calendar/.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.shared.workcalendar.services import calendar_year_publish
from govservice.lib.errors import DomainError


class Command(BaseCommand):
    help = "Publish a year's holidays (--off) and make-up working days (--work); other days follow Monday–Friday."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--off", action="append", default=[], help="a day or range off (holiday), repeatable")
        parser.add_argument("--work", action="append", default=[], help="a make-up working day (调休), repeatable")
        parser.add_argument("--note", default="", help="the notice it follows")

    def handle(self, *args, year: int, off: list[str], work: list[str], note: str, **options) -> None:
        try:
            done = calendar_year_publish(year=year, off=off, work=work, note=note)
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from None
        self.stdout.write(f"{year}: published ({done.days_off} days off, {done.workdays} make-up working days)")
