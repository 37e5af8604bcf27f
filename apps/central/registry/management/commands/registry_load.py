"""Load people into the registry from a file: ``registry_load FILE`` (JSON list or CSV, columns name and
id_number); or legal persons with ``--companies`` (columns credit_code, name, representative_name,
representative_id_number, optionally active). Idempotent: a person is found by ID number, a company by its
credit code, and updated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.central.registry.services import read_company_rows, read_rows, registry_load, registry_load_companies


class Command(BaseCommand):
    help = "Load the population registry (name, id_number) or, with --companies, the register of legal persons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--companies", action="store_true", help="the file lists legal persons")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        companies: bool = options["companies"]
        try:
            rows = read_company_rows(path) if companies else read_rows(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        result = registry_load_companies(rows) if companies else registry_load(rows)
        for error in result.errors:
            self.stderr.write(error)
        what = "Companies" if companies else "Registry"
        self.stdout.write(f"{what}: {result.created} created, {result.updated} updated, {len(result.errors)} refused.")
        if result.errors:
            raise CommandError(f"{len(result.errors)} rows refused")
