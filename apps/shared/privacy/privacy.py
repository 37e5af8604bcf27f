"""This app's own records of processing, under its own rule like every app's: exports made and retention runs
(PIPL Art. 56: at least three years). Consents and account deletions stay: they are the proof of what was
agreed and done, and go only with the account row they belong to."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import registry
from .consents import consents_for
from .models import DataExport, RetentionRun

PIPL_56 = _("个人信息保护法第五十六条：处理情况记录至少保存三年")


def exports_due(cutoff: dt.datetime) -> QuerySet[DataExport]:
    return DataExport.objects.filter(at__lt=cutoff)


def runs_due(cutoff: dt.datetime) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.filter(started_at__lt=cutoff)


registry.register_kind(
    registry.RecordKind(
        "privacy.exports",
        _("个人信息导出记录"),
        "RETENTION_PRIVACY_RECORDS_DAYS",
        registry.Action.DELETE,
        exports_due,
        PIPL_56,
        minimum_days=3 * 365,
    )
)
registry.register_kind(
    registry.RecordKind(
        "privacy.retention_runs",
        _("保存期限清理记录"),
        "RETENTION_PRIVACY_RECORDS_DAYS",
        registry.Action.DELETE,
        runs_due,
        PIPL_56,
        minimum_days=3 * 365,
    )
)
registry.register_export("consents", consents_for)
registry.register_export(
    "exports",
    lambda user: [
        {"at": e.at, "format": e.format, "channel": e.channel, "size": e.size}
        for e in DataExport.objects.filter(user=user)
    ],
)
