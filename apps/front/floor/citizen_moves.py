"""A takeover at the window moves the frozen account's hall tickets to the verified person
(apps/shared/accounts/takeover.py); registered in FloorConfig.ready()."""

from __future__ import annotations

from apps.shared.accounts.models import User

from .models import Ticket


def move_citizen(old: User, new: User) -> dict[str, int]:
    return {"hall.tickets": Ticket.objects.filter(citizen=old).update(citizen=new)}
