"""The register of legal persons, asked over the signed wire (DESIGN.md §10) like the population registry
(apps/shared/accounts/registry_client.py): the code, the name and the legal representative in, match or no
match out, never the register's record. The demo and the tests ask central (apps/central/registry); a
deployment points COMPANY_REGISTRY_URL at the market regulator's service."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.shared.accounts.registry_client import RegistryUnavailable
from apps.shared.exchange.conf import exchange_conf
from apps.shared.exchange.models import Peer
from apps.shared.exchange.questions import PeerUnavailable, ask

from .conf import mandates_conf

# Central's endpoint (apps/central/registry), where COMPANY_REGISTRY_URL does not say otherwise.
COMPANY_VERIFY_PATH = "/api/v1/registry/companies/verify/"


def company_register_matches(
    *,
    credit_code: str,
    name: str,
    representative_name: str,
    representative_id_number: str,
    purpose: str,
    reference: str = "",
) -> bool:
    """True when the register holds a company (存续) under this code and name whose legal representative is
    this person. Raises RegistryUnavailable (503) when it cannot say: registration waits, never passes."""
    peer_code = mandates_conf.COMPANY_REGISTRY_PEER or exchange_conf.EXCHANGE_CENTRAL_PEER
    peer = Peer.objects.filter(code=peer_code, active=True).first()
    unavailable = RegistryUnavailable(_("企业登记信息核验服务暂时无法访问，请稍后再试。"), code="registry_unavailable")
    if peer is None:
        raise unavailable
    url = mandates_conf.COMPANY_REGISTRY_URL or peer.base_url.rstrip("/") + COMPANY_VERIFY_PATH
    payload = {
        "credit_code": credit_code,
        "name": name,
        "representative_name": representative_name,
        "representative_id_number": representative_id_number,
        "purpose": purpose,
        "reference": reference,
    }
    try:
        answer = ask(peer=peer, url=url, payload=payload, timeout=mandates_conf.COMPANY_REGISTRY_TIMEOUT)
    except PeerUnavailable:
        raise unavailable from None
    match = answer.get("match")
    if not isinstance(match, bool):
        raise unavailable
    return match
