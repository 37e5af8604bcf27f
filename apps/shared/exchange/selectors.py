from django.conf import settings

from .models import Peer


def peer_central() -> Peer:
    """At the front: the central back office this platform hands cases to."""
    return Peer.objects.get(code=settings.EXCHANGE_CENTRAL_PEER)
