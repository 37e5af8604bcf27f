"""What the fronts tell central about remote sessions, applied exactly once (the exchange inbox dedupes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from apps.shared.exchange import contract, registry
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import Peer

from .models import RemoteSession
from .services import case_opened


@registry.handles(MessageKind.REMOTE_CASE_OPENED)
def remote_case_opened(peer: Peer, message_id: str, payload: contract.RemoteCaseOpened, files) -> dict[str, Any]:
    session = RemoteSession.objects.filter(id=payload.session, platform=peer).first()
    if session is None:
        raise registry.Rejected(_("审批总后台无此远程会话 %(session)s。") % {"session": payload.session})
    case_opened(
        session=session,
        number=payload.number,
        status=payload.status,
        documents=[(d.kind, d.verification_code) for d in payload.documents],
    )
    return {"session": str(session.id), "number": payload.number}
