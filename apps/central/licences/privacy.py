"""What the licence library keeps about people, for the personal-information lifecycle (apps/shared/privacy):
the questions asked of it (a record of processing, PIPL Art. 56: at least three years), and the licences
themselves, kept while valid and RETENTION_LICENCES_DAYS after they expired or were revoked (a platform may
still have to check one it relied on)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import Licence, LicenceQuery


def queries_due(cutoff: dt.datetime) -> QuerySet[LicenceQuery]:
    return LicenceQuery.objects.filter(asked_at__lt=cutoff)


def licences_due(cutoff: dt.datetime) -> QuerySet[Licence]:
    return Licence.objects.filter(Q(revoked_at__lt=cutoff) | Q(valid_until__lt=cutoff.date()))


registry.register_kind(
    RecordKind(
        "licences.queries",
        _("证照调取记录"),
        "RETENTION_LICENCE_QUERIES_DAYS",
        Action.DELETE,
        queries_due,
        _("个人信息保护法第五十六条：处理情况记录至少保存三年"),
        minimum_days=3 * 365,
    )
)
registry.register_kind(
    RecordKind(
        "licences.ended",
        _("已失效的电子证照"),
        "RETENTION_LICENCES_DAYS",
        Action.DELETE,
        licences_due,
        _("证照失效（到期或撤销）后留存备查，期满删除"),
    )
)
