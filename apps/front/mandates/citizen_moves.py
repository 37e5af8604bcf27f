"""A takeover at the window (apps/shared/accounts/takeover.py): the frozen account was not the person whose ID
number it held, so the mandates it gave or received are not that person's will. They are revoked, never moved
to the verified person (who may give their own); registered in MandatesConfig.ready()."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from apps.shared.accounts.models import User

from .models import EventKind, Mandate, MandateEvent, MandateStatus


def move_citizen(old: User, new: User) -> dict[str, int]:
    now = timezone.now()
    open_ = Mandate.objects.filter(
        Q(principal=old) | Q(agent=old), status__in=[MandateStatus.PENDING, MandateStatus.ACTIVE]
    )
    ended = 0
    for mandate in open_.select_for_update():
        from_status = mandate.status
        Mandate.objects.filter(id=mandate.id, status=from_status).update(
            status=MandateStatus.REVOKED, revoked_at=now, revoke_reason="账户被窗口身份核验冻结", updated_at=now
        )
        MandateEvent.objects.create(
            mandate=mandate,
            kind=EventKind.REVOKED,
            actor=None,
            from_status=from_status,
            to_status=MandateStatus.REVOKED,
            note="账户被窗口身份核验冻结，授权终止",
        )
        ended += 1
    return {"mandates.revoked": ended}
