"""Register a peer's signing key, and retire the old one after an overlap (key rotation).

Both sites run the same command with the same key id and secret; during the overlap either key is
accepted, and each site signs with its newest valid key.

    manage.py exchange_key --peer central --key-id k2027 --secret-env NEW_SECRET --retire k1 --overlap-hours 24
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.shared.exchange.models import Peer, PeerKey


class Command(BaseCommand):
    help = "Add a signing key for a peer and optionally retire an old one after an overlap."

    def add_arguments(self, parser):
        parser.add_argument("--peer", required=True, help="peer code (e.g. central, BJ-TZ)")
        parser.add_argument("--key-id", required=True)
        parser.add_argument("--secret-env", required=True, help="name of the environment variable holding the secret")
        parser.add_argument("--retire", default="", help="key id to retire")
        parser.add_argument("--overlap-hours", type=float, default=24.0)

    @transaction.atomic
    def handle(self, *args, peer, key_id, secret_env, retire, overlap_hours, **options):
        secret = os.environ.get(secret_env, "")
        if len(secret) < 16:
            raise CommandError(f"{secret_env} must hold a secret of at least 16 characters")
        target = Peer.objects.filter(code=peer).first()
        if target is None:
            raise CommandError(f"unknown peer {peer}")
        if PeerKey.objects.filter(key_id=key_id).exists():
            raise CommandError(f"key id {key_id} exists already")
        now = timezone.now()
        PeerKey.objects.create(peer=target, key_id=key_id, secret=secret, not_before=now)
        self.stdout.write(f"key {key_id} valid for {peer} from {now:%Y-%m-%d %H:%M}")
        if retire:
            ends = now + timedelta(hours=overlap_hours)
            if not PeerKey.objects.filter(peer=target, key_id=retire).update(not_after=ends):
                raise CommandError(f"{peer} has no key {retire}")
            self.stdout.write(f"key {retire} accepted until {ends:%Y-%m-%d %H:%M}")
