"""Run the retention job by hand: ``manage.py privacy_retention [--dry-run] [--kind KEY …] [--list]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.shared.privacy import registry
from apps.shared.privacy.services import period_days, retention_run


class Command(BaseCommand):
    help = "Delete or anonymise the personal data whose retention period has ended (--dry-run counts only)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what is due, change nothing")
        parser.add_argument(
            "--kind", action="append", default=[], metavar="KEY", help="only this kind of record (repeatable)"
        )
        parser.add_argument(
            "--list", dest="list_kinds", action="store_true", help="list the kinds of record, their periods and sources"
        )

    def handle(self, *args, dry_run: bool, kind: list[str], list_kinds: bool, **options):
        kinds = {k.key: k for k in registry.kinds()}
        if list_kinds:
            for item in kinds.values():
                self.stdout.write(f"{item.key}\t{item.action}\t{period_days(item)} days ({item.knob})\t{item.basis}")
            return
        unknown = sorted(set(kind) - set(kinds))
        if unknown:
            raise CommandError(f"unknown kind(s): {', '.join(unknown)}; see --list")
        run = retention_run(dry_run=dry_run, only=set(kind) or None)
        for key, count in run.counts.items():
            if count:
                self.stdout.write(f"{key}: {count} {'due' if dry_run else kinds[key].action}")
        total = sum(run.counts.values())
        self.stdout.write(
            f"{'due' if dry_run else 'done'}: {total} row(s) in {len(run.counts)} kind(s)"
            + ("" if run.complete else "; stopped at PRIVACY_RUN_MAX_SECONDS, run again to go on")
        )
