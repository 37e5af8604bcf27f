"""Knobs of the wire between the sites (govservice/lib/knobs.py: a Django setting of the same name wins, then
the environment variable, then the default here). Every variable is also listed in ``.env.example``.

The keys the sites sign with are not settings: each is a PeerKey row of the other site's Peer
(``manage.py exchange_key`` registers and rotates them)."""

from __future__ import annotations

from govservice.lib.envvars import env_int, env_str
from govservice.lib.knobs import AppConf, Knob


class ExchangeConf(AppConf):
    # The peer code of central, as registered at the front (Peer.code).
    EXCHANGE_CENTRAL_PEER = Knob(env_str, "central")
    # At a front: the peer codes of the other front platforms, comma-separated, whose cases of a person this
    # platform shows beside its own (one person across platforms, issue 16). Empty: none.
    EXCHANGE_PLATFORM_PEERS = Knob(env_str, "")
    # At a front: the peer codes of further centrals whose licence libraries it asks for a citizen's licences,
    # comma-separated, beside its own central and every central a route names (peers.centrals). Empty: none.
    EXCHANGE_LICENCE_PEERS = Knob(env_str, "")
    # A signed request older or newer than this many seconds is refused (replay window).
    EXCHANGE_MAX_SKEW_SECONDS = Knob(env_int, 300)
    # Seconds to wait for the peer. Kept below Celery's soft time limit, which is below the hard limit and the
    # broker's visibility timeout (settings/queues.py), so a slow send is abandoned before another worker takes it.
    EXCHANGE_HTTP_TIMEOUT = Knob(env_int, 20)
    # Sends before a message becomes a dead letter; the backoff between them doubles from BASE up to CAP.
    EXCHANGE_MAX_ATTEMPTS = Knob(env_int, 15)
    EXCHANGE_BACKOFF_BASE_SECONDS = Knob(env_int, 2)
    EXCHANGE_BACKOFF_CAP_SECONDS = Knob(env_int, 600)
    # A relay worker's claim on a message; after it, another worker may send it (a dead worker's messages).
    EXCHANGE_LEASE_SECONDS = Knob(env_int, 120)


exchange_conf = ExchangeConf()
