"""The population registry, asked over the signed wire (DESIGN.md §10): name and ID number in, match or
no match out, never the record. The demo and the tests ask central (apps/central/registry); a deployment
points REGISTRY_URL at the city's registry service (signed with the keys of the peer REGISTRY_PEER)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.shared.accounts.conf import accounts_conf
from apps.shared.exchange.conf import exchange_conf
from apps.shared.exchange.models import Peer
from apps.shared.exchange.questions import PeerUnavailable, ask
from govservice.api import DomainError

# Central's endpoint (apps/central/registry), where REGISTRY_URL does not say otherwise.
REGISTRY_VERIFY_PATH = "/api/v1/registry/verify/"


class RegistryUnavailable(DomainError):
    """The registry did not answer in time: the person is asked to try again (503, govservice.api)."""

    default_code = "registry_unavailable"


def registry_matches(*, name: str, id_number: str, purpose: str, reference: str = "") -> bool:
    """True when the registry holds this ID number under this name. Raises RegistryUnavailable when it
    cannot say: verification waits, it never passes by default."""
    peer = Peer.objects.filter(
        code=(accounts_conf.REGISTRY_PEER or exchange_conf.EXCHANGE_CENTRAL_PEER), active=True
    ).first()
    unavailable = RegistryUnavailable(
        _("实名核验服务暂时无法访问，请稍后再试。"),
        code="registry_unavailable",
    )
    if peer is None:
        raise unavailable
    url = accounts_conf.REGISTRY_URL or peer.base_url.rstrip("/") + REGISTRY_VERIFY_PATH
    try:
        answer = ask(
            peer=peer,
            url=url,
            payload={"name": name, "id_number": id_number, "purpose": purpose, "reference": reference},
            timeout=accounts_conf.REGISTRY_TIMEOUT,
        )
    except PeerUnavailable:
        raise unavailable from None
    match = answer.get("match")
    if not isinstance(match, bool):
        raise unavailable
    return match
