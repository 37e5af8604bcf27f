"""Import licences issued elsewhere into the library: ``licences_import FILE`` (a JSON list or a CSV with the
columns number, title, material_key, holder_name, holder_id_number, issuer, issued_on, valid_until). A number
already in the library is refused, so running the same file again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.central.licences.services import licences_import, read_licence_rows


class Command(BaseCommand):
    help = "Import licences issued by another department's system (CSV or JSON) into the licence library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rows = read_licence_rows(path.name, path.read_bytes())
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        result = licences_import(rows)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"Licences: {result.created} imported, {len(result.errors)} refused.")
        if result.errors and not result.created:
            raise CommandError(f"{len(result.errors)} rows refused")
