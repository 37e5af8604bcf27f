"""Revoke a licence of the library: ``licences_revoke NUMBER --reason "…"``. Every platform it was given to
(and the one whose case it was issued for) is told through the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.central.licences.services import licence_revoke
from govservice.lib.errors import DomainError


class Command(BaseCommand):
    help = "Revoke a licence of the library and tell the platforms that hold it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            licence = licence_revoke(number=options["number"], reason=options["reason"], actor="manage.py")
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from None
        self.stdout.write(f"Revoked {licence.number}.")
