"""What guidance holds about people, for the personal-information lifecycle (apps/shared/privacy): personal
checklists keep a person's answers to the guided questions; they are deleted once their period ends (a
booking keeps what it needs on the appointment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import Checklist


def checklists_due(cutoff: dt.datetime) -> QuerySet[Checklist]:
    return Checklist.objects.filter(created_at__lt=cutoff)


registry.register_kind(
    RecordKind(
        "guidance.checklists",
        _("个人办事清单"),
        "RETENTION_CHECKLISTS_DAYS",
        Action.DELETE,
        checklists_due,
        _("无法定期限，按本地做法设定（可配置）"),
    )
)


def export_checklists(user: User) -> list[dict[str, Any]]:
    return [
        {"code": c.code, "matter": c.matter.name, "answers": c.answers, "items": c.items, "created_at": c.created_at}
        for c in Checklist.objects.filter(citizen=user).select_related("matter")
    ]


def erase(user: User) -> dict[str, int]:
    return {"checklists": Checklist.objects.filter(citizen=user).delete()[0]}


registry.register_export("checklists", export_checklists)
registry.register_eraser("guidance", erase)
