"""What the registry's service keeps about people, for the personal-information lifecycle (apps/shared/privacy):
each question asked (the asking platform, purpose, reference and the keyed hash of the number), a record of
processing kept RETENTION_REGISTRY_QUERIES_DAYS (PIPL Art. 56: at least three years). The registry's own
people are the population data it is loaded with (registry_load), not records of this site's processing."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import RegistryQuery


def queries_due(cutoff: dt.datetime) -> QuerySet[RegistryQuery]:
    return RegistryQuery.objects.filter(asked_at__lt=cutoff)


registry.register_kind(
    RecordKind(
        "registry.queries",
        _("人口信息核验记录"),
        "RETENTION_REGISTRY_QUERIES_DAYS",
        Action.DELETE,
        queries_due,
        _("个人信息保护法第五十六条：处理情况记录至少保存三年"),
        minimum_days=3 * 365,
    )
)
