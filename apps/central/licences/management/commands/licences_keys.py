"""Generate the offices' signing keys (an RSA key and a self-signed certificate for every department of the
catalog, and the library's own): ``licences_keys``. Existing keys are kept; ``--show OFFICE`` prints an
office's certificate (PEM) for readers who want to trust it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.central.licences.models import OfficeKey
from apps.central.licences.services import office_keys_seed


class Command(BaseCommand):
    help = "Generate the signing key and self-signed certificate of every issuing office that has none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--show", metavar="OFFICE", help="print this office's certificate")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["show"]:
            key = OfficeKey.objects.filter(office=options["show"]).first()
            if key is None:
                raise CommandError(f"no key for office {options['show']}")
            self.stdout.write(key.certificate_pem)
            return
        made = office_keys_seed()
        self.stdout.write(f"Office keys: {made} generated, {OfficeKey.objects.count()} in all.")
