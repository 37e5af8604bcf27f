"""Ask central now for the state of the cases waiting on it (reconciliation, services/jobs.py).

    manage.py cases_reconcile          # the quiet ones, as the hourly beat does (RECONCILE_QUIET_HOURS)
    manage.py cases_reconcile --all    # every case waiting on central: after a restore from a backup

Central re-sends each case's current state over the wire, and the idempotent handlers bring the front to
it; the answers arrive through the outbox and the inbox, as every message does (bin/restore_drill.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.front.intake.services import cases_reconcile


class Command(BaseCommand):
    help = "Ask central for the current state of the cases waiting on it (all of them with --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every case waiting on central, however recent")

    def handle(self, *args, **options):
        cutoff = timezone.now() if options["all"] else None
        asked = 0
        while True:
            # The cutoff stays fixed: a case asked about in this run is not asked about again.
            count = cases_reconcile(cutoff=cutoff)
            asked += count
            if not count:
                break
        self.stdout.write(f"asked central about {asked} cases")
