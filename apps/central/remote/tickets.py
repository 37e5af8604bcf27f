"""Join tickets: what lets a hall take part in one remote session.

Central issues a ticket when the hall's front opens a session: signed with central's secret key (Django's
TimestampSigner, so SECRET_KEY_FALLBACKS keep working through a key rotation), bound to the session, to the hall
device or clerk that asked, and to the platform that signed the request, valid REMOTE_JOIN_TICKET_SECONDS. The
front keeps it in that device's or clerk's browser session (never in a page) and presents it, with the device
it is serving, on every request it relays; central refuses it for another session, another device, another
platform, or once it has expired. While the hall keeps asking, central hands out a fresh ticket once half of the
old one's life is used, so a long conversation never runs out, and a page left closed does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext as _

from govservice.api import DomainError

from .conf import remote_conf

SALT = "apps.central.remote.join-ticket"


class JoinRefused(DomainError):
    """The ticket does not open this session for this device (403, ``join_refused``)."""

    default_code = "join_refused"


@dataclass(frozen=True)
class Ticket:
    session_id: str
    device: str
    platform: str
    issued_at: int

    @property
    def wants_renewal(self) -> bool:
        return time.time() - self.issued_at > remote_conf.REMOTE_JOIN_TICKET_SECONDS / 2


def ticket_issue(*, session_id: str, device: str, platform: str) -> str:
    return signing.dumps(
        {"s": str(session_id), "d": device, "p": platform, "t": int(time.time())}, salt=SALT, compress=False
    )


def ticket_check(ticket: str, *, session_id: str, device: str, platform: str) -> Ticket:
    """The ticket, if it opens ``session_id`` for ``device`` of ``platform`` now; JoinRefused otherwise (the
    reason goes to the session log, the hall is told only that it was refused)."""
    try:
        data = signing.loads(ticket, salt=SALT, max_age=remote_conf.REMOTE_JOIN_TICKET_SECONDS)
    except signing.SignatureExpired:
        raise JoinRefused(_("远程会话凭证已过期，请重新发起。"), code="join_refused") from None
    except signing.BadSignature:
        raise JoinRefused(_("远程会话凭证无效。"), code="join_refused") from None
    if not isinstance(data, dict):
        raise JoinRefused(_("远程会话凭证无效。"), code="join_refused")
    if data.get("s") != str(session_id) or data.get("p") != platform:
        raise JoinRefused(_("该凭证不属于此远程会话。"), code="join_refused")
    if data.get("d") != device:
        raise JoinRefused(_("该凭证不属于此设备。"), code="join_refused")
    return Ticket(session_id=str(session_id), device=device, platform=platform, issued_at=int(data.get("t", 0)))
