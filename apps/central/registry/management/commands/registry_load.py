"""Load people into the registry from a file: ``registry_load FILE`` (JSON list or CSV, columns name and
id_number). Idempotent: a person is found by ID number and updated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.central.registry.services import read_rows, registry_load


class Command(BaseCommand):
    help = "Load the population registry from a JSON or CSV file (name, id_number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rows = read_rows(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        result = registry_load(rows)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"Registry: {result.created} created, {result.updated} updated, {len(result.errors)} refused.")
        if result.errors:
            raise CommandError(f"{len(result.errors)} rows refused")
