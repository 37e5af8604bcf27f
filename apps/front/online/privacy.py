"""What online applications hold about people, for the personal-information lifecycle (apps/shared/privacy).

* **Drafts** never submitted (an application, or a bundle's): the answers, the recipient's address and phone, the
  uploads. Deleted with their files RETENTION_ONLINE_DRAFTS_DAYS after their last change, and with the account.
* **Submitted applications**: the case file keeps what was submitted (the generated application form and the
  uploads are the case's materials, the same stored files). The application's working copy — its answers, the
  recipient's address, its file rows — is anonymised RETENTION_ONLINE_APPLICATIONS_DAYS after its case ended, and
  when the account is deleted; the row stays, linking the case to the way it was applied for.
* **Submitted bundles** (一件事): the same, counted from the bundle's last answer (its combined notice); with them
  the parts that never became a case (dropped).

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

from .models import ApplicationFile, BundleApplication, OnlineApplication
from .services import file_remove_stored

EMPTIED = {"form_values": {}, "recipient_name": "", "recipient_phone": "", "address": ""}


def _files_gone(rows: QuerySet[ApplicationFile]) -> None:
    for row in rows:
        file_remove_stored(row)
    rows.delete()


def drafts_due(cutoff: dt.datetime) -> QuerySet[OnlineApplication]:
    return OnlineApplication.objects.filter(case__isnull=True, bundle_application__isnull=True, updated_at__lt=cutoff)


def drafts_delete(pks: list[Any]) -> int:
    _files_gone(ApplicationFile.objects.filter(application_id__in=pks))
    return OnlineApplication.objects.filter(pk__in=pks).delete()[1].get(OnlineApplication._meta.label, 0)


def bundle_drafts_due(cutoff: dt.datetime) -> QuerySet[BundleApplication]:
    return BundleApplication.objects.filter(submitted_at__isnull=True, updated_at__lt=cutoff)


def bundle_drafts_delete(pks: list[Any]) -> int:
    _files_gone(ApplicationFile.objects.filter(bundle_application_id__in=pks))
    return BundleApplication.objects.filter(pk__in=pks).delete()[1].get(BundleApplication._meta.label, 0)


def _personal_left() -> Q:
    return ~Q(form_values={}) | ~Q(form_values_sent={}) | ~Q(recipient_name="") | Q(files__isnull=False)


def submitted_due(cutoff: dt.datetime) -> QuerySet[OnlineApplication]:
    """Applications whose case ended before the cutoff and that still hold a working copy."""
    ended = OnlineApplication.objects.filter(
        case__status__in=final_statuses(CASE_TRANSITIONS), case__updated_at__lt=cutoff
    ).filter(_personal_left())
    return OnlineApplication.objects.filter(pk__in=ended.values("pk"))


def submitted_anonymise(pks: list[Any]) -> int:
    _files_gone(ApplicationFile.objects.filter(application_id__in=pks))
    return OnlineApplication.objects.filter(pk__in=pks).update(form_values_sent={}, **EMPTIED)


def bundles_due(cutoff: dt.datetime) -> QuerySet[BundleApplication]:
    """Bundles whose last part got its answer before the cutoff and that still hold a working copy."""
    left = ~Q(form_values={}) | ~Q(recipient_name="") | Q(files__isnull=False)
    ended = BundleApplication.objects.filter(completed_at__lt=cutoff).filter(left)
    return BundleApplication.objects.filter(pk__in=ended.values("pk"))


def bundles_anonymise(pks: list[Any]) -> int:
    _files_gone(ApplicationFile.objects.filter(bundle_application_id__in=pks))
    # The parts that never became a case (dropped) have nothing in a case file: emptied with the bundle.
    dropped = list(
        OnlineApplication.objects.filter(bundle_application_id__in=pks, case__isnull=True).values_list("pk", flat=True)
    )
    submitted_anonymise(dropped)
    return BundleApplication.objects.filter(pk__in=pks).update(**EMPTIED)


BASIS = _("无法定期限，按本地做法设定（可配置）")
registry.register_kind(
    RecordKind(
        "online.drafts",
        _("网上申报草稿（含上传材料）"),
        "RETENTION_ONLINE_DRAFTS_DAYS",
        Action.DELETE,
        drafts_due,
        BASIS,
        apply=drafts_delete,
        covers=(ApplicationFile,),
    )
)
registry.register_kind(
    RecordKind(
        "online.bundle_drafts",
        _("一件事申请草稿（含上传材料）"),
        "RETENTION_ONLINE_DRAFTS_DAYS",
        Action.DELETE,
        bundle_drafts_due,
        BASIS,
        apply=bundle_drafts_delete,
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
registry.register_kind(
    RecordKind(
        "online.bundles",
        _("已提交一件事申请的工作副本"),
        "RETENTION_ONLINE_APPLICATIONS_DAYS",
        Action.ANONYMISE,
        bundles_due,
        _("提交的内容已归入各事项的办件档案，工作副本按本地做法设定（可配置）"),
        apply=bundles_anonymise,
    )
)


def _applications(user: User) -> list[dict[str, Any]]:
    return [
        {
            "code": a.code,
            "matter": a.matter.name,
            "matter_code": a.matter_code,
            "hall": a.hall.name,
            "case": a.case.number if a.case else "",
            "bundle": a.bundle_application.code if a.bundle_application else "",
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
        .select_related("matter", "hall", "case", "bundle_application")
        .prefetch_related("files")
    ]


def _bundles(user: User) -> list[dict[str, Any]]:
    return [
        {
            "code": b.code,
            "bundle": b.bundle.name,
            "hall": b.hall.name,
            "form_values": b.form_values,
            "delivery_method": b.delivery_method,
            "recipient_name": b.recipient_name,
            "recipient_phone": b.recipient_phone or "",
            "address": b.address or "",
            "created_at": b.created_at,
            "submitted_at": b.submitted_at,
            "completed_at": b.completed_at,
            "files": [
                {"material": f.material_key, "name": f.original_name, "size": f.size, "sha256": f.sha256}
                for f in b.files.all()
            ],
        }
        for b in BundleApplication.objects.filter(applicant=user)
        .select_related("bundle", "hall")
        .prefetch_related("files")
    ]


def _suffix(name: str | None) -> str:
    return PurePosixPath(name or "").suffix.lower()[:8]


def export_files(user: User) -> Iterable[ExportFile]:
    """Uploads not (yet) part of a case: those that are come with the case's materials (intake's export)."""
    rows = (
        ApplicationFile.objects.filter(
            Q(application__applicant=user, case_material__isnull=True) | Q(bundle_application__applicant=user)
        )
        .exclude(file="")
        .select_related("application", "bundle_application")
    )
    for row in rows:
        owner = row.application or row.bundle_application
        assert owner is not None  # application_file_has_one_owner
        yield ExportFile(f"online/{owner.code}-{row.pk}{_suffix(row.file.name)}", row.file)


def erase(user: User) -> dict[str, int]:
    """Drafts go with the account; a submitted application's working copy is emptied (its case stays, finished)."""
    drafts = drafts_delete(
        list(
            OnlineApplication.objects.filter(
                applicant=user, case__isnull=True, bundle_application__isnull=True
            ).values_list("pk", flat=True)
        )
    )
    bundle_drafts = bundle_drafts_delete(
        list(BundleApplication.objects.filter(applicant=user, submitted_at__isnull=True).values_list("pk", flat=True))
    )
    bundles = bundles_anonymise(
        list(BundleApplication.objects.filter(applicant=user, submitted_at__isnull=False).values_list("pk", flat=True))
    )
    submitted = submitted_anonymise(
        list(OnlineApplication.objects.filter(applicant=user, case__isnull=False).values_list("pk", flat=True))
    )
    return {"online_drafts": drafts + bundle_drafts, "online_applications": submitted + bundles}


registry.register_export("online", _applications, export_files)
registry.register_export("online_bundles", _bundles)
registry.register_eraser("online", erase)
