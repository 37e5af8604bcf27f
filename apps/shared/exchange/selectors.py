
from .conf import exchange_conf
from .models import Peer


def peer_central() -> Peer:
    """At the front: the central back office this platform hands cases to."""
    return Peer.objects.get(code=exchange_conf.EXCHANGE_CENTRAL_PEER)
