"""Re-encrypt this site's personal data under the first key of FIELD_ENCRYPTION_KEYS (govservice/lib/reencryption.py):
after putting a new key first, and once when an existing database moves off the key derived from SECRET_KEY
(with FIELD_ENCRYPTION_LEGACY=1). Run it on each site; rerunning is safe and rewrites nothing new.

    manage.py reencrypt_personal_data            # rewrite what an older key holds, print the counts
    manage.py reencrypt_personal_data --check    # count only; fails while anything is left (then keep the old key)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from govservice.lib.reencryption import (
    Tally,
    column_reencrypt,
    encrypted_columns,
    encrypted_object_storages,
    encrypted_storage_locations,
    files_reencrypt,
    objects_reencrypt,
)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column and uploaded file under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument(
            "--check", action="store_true", help="only count; exit 1 if anything is not under the first key"
        )

    def handle(self, *args, batch_size: int, check: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        tallies: list[Tally] = [
            column_reencrypt(model, field, batch_size=batch_size, check=check) for model, field in encrypted_columns()
        ]
        tallies += [files_reencrypt(location, check=check) for location in encrypted_storage_locations()]
        tallies += [objects_reencrypt(storage, check=check) for storage in encrypted_object_storages()]
        for t in tallies:
            self.stdout.write(
                f"{t.what}: {t.current} current, {t.stale} under an older key, {t.rewritten} rewritten, {t.unreadable} unreadable"
            )
        total = Tally(
            "total", *(sum(getattr(t, f) for t in tallies) for f in ("current", "stale", "rewritten", "unreadable"))
        )
        self.stdout.write(
            f"total: {total.current} current, {total.stale} under an older key, {total.rewritten} rewritten, {total.unreadable} unreadable"
        )
        if total.unreadable:
            raise CommandError(
                f"{total.unreadable} values or files no key opens: data of an earlier release needs FIELD_ENCRYPTION_LEGACY=1 "
                "(with its SECRET_KEY and FIELD_ENCRYPTION_SALT); a dropped key must be listed again. Nothing was lost."
            )
        if check and total.stale:
            raise CommandError(f"{total.stale} values or files are still under an older key: run without --check first")
