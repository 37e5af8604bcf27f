"""What central's remote-window record holds about people, for the personal-information lifecycle
(apps/shared/privacy): a session names its applicant (encrypted), the staff member who answered, what was
typed in the shared form, its log, the scans the hall uploaded and, with REMOTE_RECORDING, the call's
recordings. A record of processing (the applicant consented to it): kept RETENTION_REMOTE_SESSIONS_DAYS from
its end, then deleted with its scans and recordings. The case it led to arrived as any case (review's case
file, with its own copies of the materials)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import RemoteSession, SessionEvent, SessionRecording, SessionScan, SessionSignal, SessionStatus


def sessions_due(cutoff: dt.datetime) -> QuerySet[RemoteSession]:
    return RemoteSession.objects.filter(status=SessionStatus.ENDED, ended_at__lt=cutoff)


def sessions_delete(pks: list[Any]) -> int:
    for scan in SessionScan.objects.filter(session_id__in=pks):
        if scan.file.name:
            scan.file.storage.delete(scan.file.name)
    for recording in SessionRecording.objects.filter(session_id__in=pks):
        if recording.file.name:
            recording.file.storage.delete(recording.file.name)
    return RemoteSession.objects.filter(pk__in=pks).delete()[1].get(RemoteSession._meta.label, 0)


registry.register_kind(
    RecordKind(
        "remote.sessions",
        _("远程会话记录"),
        "RETENTION_REMOTE_SESSIONS_DAYS",
        Action.DELETE,
        sessions_due,
        _("个人信息保护法第五十六条：处理情况记录至少保存三年"),
        apply=sessions_delete,
        minimum_days=3 * 365,
        covers=(SessionEvent, SessionRecording, SessionScan, SessionSignal),
    )
)
