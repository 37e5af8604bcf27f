"""A takeover at the window moves the frozen account's consultation tickets to the verified person
(apps/shared/accounts/takeover.py); registered in ConsultConfig.ready()."""

from __future__ import annotations

from apps.shared.accounts.models import User

from .models import ConsultTicket


def move_citizen(old: User, new: User) -> dict[str, int]:
    return {"consult.tickets": ConsultTicket.objects.filter(citizen=old).update(citizen=new)}
