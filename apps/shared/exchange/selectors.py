
from .conf import exchange_conf
from .models import Peer


def peer_central() -> Peer:
    """At the front: the central back office this platform hands cases to."""
    return Peer.objects.get(code=exchange_conf.EXCHANGE_CENTRAL_PEER)


def peers_platforms() -> list[Peer]:
    """At a front: the other front platforms (EXCHANGE_PLATFORM_PEERS) that are active, in the listed order."""
    codes = [code.strip() for code in exchange_conf.EXCHANGE_PLATFORM_PEERS.split(",") if code.strip()]
    found = {peer.code: peer for peer in Peer.objects.filter(code__in=codes, active=True)}
    return [found[code] for code in codes if code in found]
