"""Knobs of real-name verification (govservice/lib/knobs.py: a Django setting of the same name wins, then the
environment variable, then the default here). Every variable is also listed in ``.env.example``.

DOMAIN.md §8: an account is the ID number plus two verified items, the phone (an SMS code) and name + ID
number (the population registry, or the ID card at a hall window)."""

from __future__ import annotations

from govservice.lib.envvars import env_int, env_str
from govservice.lib.knobs import AppConf, Knob


def _send_limits(_name: str, default: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """Four variables, one knob: codes sent per phone, per ID number, per client address, in a window."""
    return (
        env_int("OTP_PER_PHONE", default[0]),
        env_int("OTP_PER_ID_NUMBER", default[1]),
        env_int("OTP_PER_ADDRESS", default[2]),
        env_int("OTP_WINDOW", default[3]),
    )


class AccountsConf(AppConf):
    # SMS one-time codes: valid this many seconds, this many wrong tries, a resend after this many seconds.
    OTP_TTL_SECONDS = Knob(env_int, 300)
    OTP_MAX_ATTEMPTS = Knob(env_int, 5)
    OTP_RESEND_SECONDS = Knob(env_int, 60)
    # Codes sent: (per phone, per ID number, per client address, window in seconds); a resend counts too.
    OTP_SEND_LIMITS = Knob(_send_limits, (5, 5, 30, 3600))
    # The population registry the front asks (match / no match) over the signed wire: REGISTRY_PEER names the
    # exchange peer whose keys sign the question (empty: the central peer); REGISTRY_URL is the endpoint, empty
    # for that peer's own (central's /api/v1/registry/verify/, the demo). A deployment sets it to the city's
    # registry service. Seconds the front waits; then the person is asked to try again (never a silent pass).
    REGISTRY_PEER = Knob(env_str, "")
    REGISTRY_URL = Knob(env_str, "")
    REGISTRY_TIMEOUT = Knob(env_int, 5)
    # At central: the largest registry question taken (bytes); anything bigger is refused unread.
    REGISTRY_MAX_BODY = Knob(env_int, 4096)


accounts_conf = AccountsConf()
