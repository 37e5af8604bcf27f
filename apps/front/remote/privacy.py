"""What the hall's remote-window record holds about people, for the personal-information lifecycle
(apps/shared/privacy): a session names its applicant and the clerk or kiosk that asked, what was typed in the
shared form (a phone, an address), its log and the scans the hall uploaded. It is a record of processing (the
applicant consented to it): kept RETENTION_REMOTE_SESSIONS_DAYS from its end, then deleted with its scans. A case
it led to is a case file of its own (intake's, with its own copies of the materials and the session's log in
its timeline), which this does not touch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import HallScan, HallSession, HallSessionEvent, SessionStatus

PROCESSING_RECORD = _("个人信息保护法第五十六条：处理情况记录至少保存三年")


def sessions_due(cutoff: dt.datetime) -> QuerySet[HallSession]:
    return HallSession.objects.filter(status=SessionStatus.ENDED, ended_at__lt=cutoff)


def sessions_delete(pks: list[Any]) -> int:
    # The scans are the hall's own copies (a case's materials were saved apart): they leave storage with them.
    for scan in HallScan.objects.filter(session_id__in=pks):
        if scan.file.name:
            scan.file.storage.delete(scan.file.name)
    return HallSession.objects.filter(pk__in=pks).delete()[1].get(HallSession._meta.label, 0)


registry.register_kind(
    RecordKind(
        "remote.sessions",
        _("远程会话记录"),
        "RETENTION_REMOTE_SESSIONS_DAYS",
        Action.DELETE,
        sessions_due,
        PROCESSING_RECORD,
        apply=sessions_delete,
        minimum_days=3 * 365,
        covers=(HallSessionEvent, HallScan),
    )
)


def export_sessions(user: User) -> list[dict[str, Any]]:
    sessions = (
        HallSession.objects.filter(citizen=user).select_related("matter", "hall", "case").prefetch_related("events")
    )
    return [
        {
            "session": str(s.id),
            "matter": s.matter.name,
            "hall": s.hall.name,
            "device": s.device_label,
            "started_at": s.started_at,
            "consent_at": s.consent_at,
            "answered_at": s.answered_at,
            "ended_at": s.ended_at,
            "staff": s.staff_label,
            "outcome": str(s.get_outcome_display()) if s.outcome else "",
            "case": s.case.number if s.case else "",
            "form": s.form,
            "log": [{"at": e.at, "note": e.note} for e in s.events.all()],
        }
        for s in sessions
    ]


def erase(user: User) -> dict[str, int]:
    """What the applicant typed into the shared form leaves their sessions; the log of what was done stays with
    the emptied account until its period ends."""
    return {"sessions": HallSession.objects.filter(citizen=user).update(form={}, query_password=None)}


registry.register_export("remote_sessions", export_sessions)
registry.register_eraser("remote", erase)
