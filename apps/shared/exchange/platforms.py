"""At a front: the other front platforms it asks about a person it serves (one person across platforms,
issue 16): the active peers named in EXCHANGE_PLATFORM_PEERS, in that order. Centrals are never among them."""

from __future__ import annotations

from .conf import exchange_conf
from .models import Peer


def peers_platforms() -> list[Peer]:
    codes = [code.strip() for code in exchange_conf.EXCHANGE_PLATFORM_PEERS.split(",") if code.strip()]
    found = {peer.code: peer for peer in Peer.objects.filter(code__in=codes, active=True)}
    return [found[code] for code in codes if code in found]
