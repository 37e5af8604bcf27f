"""What central tells the hall about remote sessions, applied exactly once (the exchange inbox dedupes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.shared.exchange import contract, registry
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import Peer
from govservice.api import DomainError

from .services import session_concluded, session_ended


@registry.handles(MessageKind.REMOTE_CONCLUDED)
def remote_concluded(peer: Peer, message_id: str, payload: contract.RemoteConcluded, files) -> dict[str, Any]:
    try:
        session = session_concluded(peer=peer, payload=payload)
    except DomainError as exc:
        # The same rules as central checked (materials, items, reason): a refusal here is recorded and dead-lettered
        # at central with this reason, for an operator; the session shows no case.
        raise registry.Rejected(exc.detail, code=exc.code) from None
    if session is None:
        raise registry.Rejected(_("前台无此远程会话 %(session)s。") % {"session": payload.session})
    return {"session": str(session.id), "number": session.case.number if session.case else ""}


@registry.handles(MessageKind.REMOTE_ENDED)
def remote_ended(peer: Peer, message_id: str, payload: contract.RemoteEnded, files) -> dict[str, Any]:
    session = session_ended(payload=payload)
    if session is None:
        raise registry.Rejected(_("前台无此远程会话 %(session)s。") % {"session": payload.session})
    session.refresh_from_db(fields=["status", "consult_ticket"])
    return {
        "session": str(session.id),
        "status": session.status,
        "callback": session.consult_ticket.code if session.consult_ticket else "",
    }
