"""Knobs of legal persons and the people acting for others (govservice/lib/knobs.py: a Django setting of the
same name wins, then the environment variable, then the default here). Every variable is also listed in
``.env.example``."""

from __future__ import annotations

from govservice.lib.envvars import env_int, env_str
from govservice.lib.knobs import AppConf, Knob


class MandatesConf(AppConf):
    # A person's 委托书 (代办、代领) is valid this many days when the principal does not say, and at most
    # MANDATE_MAX_DAYS (local practice: a 委托书 names its period; setting). A company's 经办人 authorisation
    # runs at most COMPANY_AGENT_MAX_DAYS.
    MANDATE_DEFAULT_DAYS = Knob(env_int, 90)
    MANDATE_MAX_DAYS = Knob(env_int, 365)
    COMPANY_AGENT_MAX_DAYS = Knob(env_int, 3 * 365)
    # The register of legal persons the front asks (match / no match) over the signed wire: COMPANY_REGISTRY_PEER
    # names the exchange peer whose keys sign the question (empty: the central peer); COMPANY_REGISTRY_URL is the
    # endpoint, empty for that peer's own (central's /api/v1/registry/companies/verify/, the demo). A deployment
    # points it at the market regulator's service. Seconds the front waits before asking the person to try again.
    COMPANY_REGISTRY_PEER = Knob(env_str, "")
    COMPANY_REGISTRY_URL = Knob(env_str, "")
    COMPANY_REGISTRY_TIMEOUT = Knob(env_int, 5)


mandates_conf = MandatesConf()
