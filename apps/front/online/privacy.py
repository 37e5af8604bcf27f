"""What online applications hold about people, for the personal-information lifecycle (apps/shared/privacy).

* **Drafts** never submitted: the answers, the recipient's address and phone, the uploads. Deleted with their
  files RETENTION_ONLINE_DRAFTS_DAYS after their last change, and with the account.
* **Submitted applications**: the case file keeps what was submitted (the generated application form and the
  uploads are the case's materials, the same stored files). The application's working copy — its answers, the
  recipient's address, its file rows — is anonymised RETENTION_ONLINE_APPLICATIONS_DAYS after its case ended, and
  when the account is deleted; the row stays, linking the case to the way it was applied for.

A stored file leaves storage only when no case material (or other upload) names it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.front.intake.models import CASE_TRANSITIONS
from apps.shared.accounts.models import User
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, ExportFile, RecordKind, final_statuses

from .models import ApplicationFile, OnlineApplication
from .services import file_remove_stored


def drafts_due(cutoff: dt.datetime) -> QuerySet[OnlineApplication]:
    return OnlineApplication.objects.filter(case__isnull=True, updated_at__lt=cutoff)


def drafts_delete(pks: list[Any]) -> int:
    for row in ApplicationFile.objects.filter(application_id__in=pks):
        file_remove_stored(row)
    ApplicationFile.objects.filter(application_id__in=pks).delete()
    return OnlineApplication.objects.filter(pk__in=pks).delete()[1].get(OnlineApplication._meta.label, 0)


def _personal_left() -> Q:
    return ~Q(form_values={}) | ~Q(form_values_sent={}) | ~Q(recipient_name="") | Q(files__isnull=False)


def submitted_due(cutoff: dt.datetime) -> QuerySet[OnlineApplication]:
    """Applications whose case ended before the cutoff and that still hold a working copy."""
    ended = OnlineApplication.objects.filter(
        case__status__in=final_statuses(CASE_TRANSITIONS), case__updated_at__lt=cutoff
    ).filter(_personal_left())
    return OnlineApplication.objects.filter(pk__in=ended.values("pk"))


def submitted_anonymise(pks: list[Any]) -> int:
    for row in ApplicationFile.objects.filter(application_id__in=pks):
        file_remove_stored(row)
    ApplicationFile.objects.filter(application_id__in=pks).delete()
    return OnlineApplication.objects.filter(pk__in=pks).update(
        form_values={}, form_values_sent={}, recipient_name="", recipient_phone="", address=""
    )


registry.register_kind(
    RecordKind(
        "online.drafts",
        _("网上申报草稿（含上传材料）"),
        "RETENTION_ONLINE_DRAFTS_DAYS",
        Action.DELETE,
        drafts_due,
        _("无法定期限，按本地做法设定（可配置）"),
        apply=drafts_delete,
        covers=(ApplicationFile,),
    )
)
registry.register_kind(
    RecordKind(
        "online.applications",
        _("已提交网上申请的工作副本（申请表内容、邮寄信息）"),
        "RETENTION_ONLINE_APPLICATIONS_DAYS",
        Action.ANONYMISE,
        submitted_due,
        _("提交的内容已归入办件档案（申请表与材料），工作副本按本地做法设定（可配置）"),
        apply=submitted_anonymise,
    )
)


def export_applications(user: User) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "matter": a.matter.name,
            "matter_code": a.matter_code,
            "hall": a.hall.name,
            "case": a.case.number if a.case else "",
            "form_values": a.form_values,
            "delivery_method": a.delivery_method,
            "recipient_name": a.recipient_name,
            "recipient_phone": a.recipient_phone or "",
            "address": a.address or "",
            "created_at": a.created_at,
            "submitted_at": a.submitted_at,
            "files": [
                {"material": f.material_key, "name": f.original_name, "size": f.size, "sha256": f.sha256}
                for f in a.files.all()
            ],
        }
        for a in OnlineApplication.objects.filter(applicant=user)
        .select_related("matter", "hall", "case")
        .prefetch_related("files")
    ]


def _suffix(name: str | None) -> str:
    return PurePosixPath(name or "").suffix.lower()[:8]


def export_files(user: User) -> Iterable[ExportFile]:
    """Uploads not (yet) part of a case: those that are come with the case's materials (intake's export)."""
    for row in (
        ApplicationFile.objects.filter(application__applicant=user, case_material__isnull=True)
        .exclude(file="")
        .select_related("application")
    ):
        yield ExportFile(f"online/{row.application.code}-{row.pk}{_suffix(row.file.name)}", row.file)


def erase(user: User) -> dict[str, int]:
    """Drafts go with the account; a submitted application's working copy is emptied (its case stays, finished)."""
    drafts = drafts_delete(
        list(OnlineApplication.objects.filter(applicant=user, case__isnull=True).values_list("pk", flat=True))
    )
    submitted = submitted_anonymise(
        list(OnlineApplication.objects.filter(applicant=user, case__isnull=False).values_list("pk", flat=True))
    )
    return {"online_drafts": drafts, "online_applications": submitted}


registry.register_export("online", export_applications, export_files)
registry.register_eraser("online", erase)
