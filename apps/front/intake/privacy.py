"""What intake holds about people, for the personal-information lifecycle (apps/shared/privacy).

* **Case files** (档案): the case, its events, documents, the materials received and their scans, its audit
  trail. Kept RETENTION_CASE_FILES_DAYS from the case's last change once it is finished; never deleted early,
  and an account's deletion only detaches them (the case points at the emptied account). At the end of the
  period they are anonymised: the case points at the anonymised account, the scans and rendered PDFs leave
  storage, the documents lose the applicant's name and masked number (their SHA-256 stays, so a copy someone
  holds can still be checked on /verify/), the case's facts stay.
* **The evidence vault** (证照库): copies kept for reuse, deleted after RETENTION_VAULT_DAYS or with the
  account. A vault item and a case material (or a certificate) may be one stored file: a file leaves storage
  only when nothing else names it.

An open case stops the account's deletion. The citizen's export lists cases, their statuses, events,
materials and documents, and the vault, with the citizen's own files (vault copies and what they uploaded)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.shared.accounts.models import User
from apps.shared.accounts.services import ANONYMISED_USERNAME, anonymised_account
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, ExportFile, RecordKind, final_statuses
from govservice.lib.errors import Conflict

from .models import (
    CASE_TRANSITIONS,
    Case,
    CaseEvent,
    CaseMaterial,
    CreditRecord,
    Document,
    EvidenceItem,
    OriginalsCheck,
    OriginalSeen,
)

ARCHIVES = gettext_lazy("档案法及《机关文件材料归档范围和文书档案保管期限规定》：办件档案定期30年，期满前不删除")
THIRTY_YEARS = 30 * 365
# What a document's content says of the person (intake's vouchers, delivery's 送达回执, the certificate).
PERSONAL_KEYS = frozenset(
    {"applicant", "applicant_id", "recipient_name", "recipient_phone", "address", "collector", "collector_id"}
)


def _case_audit():
    return apps.get_model("intake", "CaseAudit")


def _file_in_use(
    name: str,
    *,
    except_evidence: Sequence[int] = (),
    except_materials: Sequence[int] = (),
    except_documents: Sequence[int] = (),
) -> bool:
    return (
        CaseMaterial.objects.filter(file=name).exclude(pk__in=except_materials).exists()
        or EvidenceItem.objects.filter(file=name).exclude(pk__in=except_evidence).exists()
        or Document.objects.filter(file=name).exclude(pk__in=except_documents).exists()
    )


def _remove_file(field_file: Any, **going: Sequence[int]) -> None:
    """Delete a stored file unless a row that stays names it too (``going``: the rows that go with it)."""
    name = field_file.name
    if name and not _file_in_use(name, **going):
        field_file.storage.delete(name)


# --- Case files ------------------------------------------------------------------------------------------


def case_files_due(cutoff: dt.datetime) -> QuerySet[Case]:
    """Finished cases unchanged since the cutoff, not yet anonymised."""
    return Case.objects.filter(status__in=final_statuses(CASE_TRANSITIONS), updated_at__lt=cutoff).exclude(
        citizen__username=ANONYMISED_USERNAME
    )


def case_files_anonymise(pks: list[Any]) -> int:
    anonymous = anonymised_account()
    materials = list(CaseMaterial.objects.filter(case_id__in=pks))
    documents = list(Document.objects.filter(case_id__in=pks))
    going = {"except_materials": [m.pk for m in materials], "except_documents": [d.pk for d in documents]}
    for stored in [m.file for m in materials] + [d.file for d in documents]:
        _remove_file(stored, **going)
    CaseMaterial.objects.filter(pk__in=going["except_materials"]).update(file="", original_name="")
    # A mismatch's note may describe the person's document: it goes; who checked and when stay.
    OriginalSeen.objects.filter(originals_check__case_id__in=pks).update(note="")
    for document in documents:
        content = {key: ("" if key in PERSONAL_KEYS else value) for key, value in document.content.items()}
        Document.objects.filter(pk=document.pk).update(content=content, file="")
    # The person who acted for the applicant (代办) goes with the applicant.
    done = Case.objects.filter(pk__in=pks).update(citizen=anonymous, agent=None)
    _case_audit().objects.filter(pgh_obj_id__in=pks).update(citizen=anonymous, agent=None)
    return done


# --- The vault ---------------------------------------------------------------------------------------------


def vault_due(cutoff: dt.datetime) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(created_at__lt=cutoff)


def vault_delete(pks: list[Any]) -> int:
    items = list(EvidenceItem.objects.filter(pk__in=pks))
    for item in items:
        _remove_file(item.file, except_evidence=pks)
    return EvidenceItem.objects.filter(pk__in=pks).delete()[1].get(EvidenceItem._meta.label, 0)


registry.register_kind(
    RecordKind(
        "intake.case_files",
        gettext_lazy("办件档案（含材料扫描件）"),
        "RETENTION_CASE_FILES_DAYS",
        Action.ANONYMISE,
        case_files_due,
        ARCHIVES,
        apply=case_files_anonymise,
        covers=(CaseMaterial, CaseEvent, Document, OriginalsCheck, OriginalSeen),
        minimum_days=THIRTY_YEARS,
        audit_models=(_case_audit(),),
    )
)
registry.register_kind(
    RecordKind(
        "intake.vault",
        gettext_lazy("证照库材料"),
        "RETENTION_VAULT_DAYS",
        Action.DELETE,
        vault_due,
        gettext_lazy("无法定期限，按本地做法设定（可配置）"),
        apply=vault_delete,
    )
)
registry.register_kind(
    RecordKind(
        "intake.credit_records",
        gettext_lazy("失信记录（容缺承诺逾期）"),
        "RETENTION_CREDIT_RECORDS_DAYS",
        Action.DELETE,
        lambda cutoff: CreditRecord.objects.filter(recorded_at__lt=cutoff),
        gettext_lazy("国办发〔2020〕49号：失信信息公开期限最长不超过5年"),
    )
)


# --- The citizen's rights -----------------------------------------------------------------------------------


def open_cases_guard(user: User) -> None:
    numbers = list(
        Case.objects.filter(citizen=user)
        .exclude(status__in=final_statuses(CASE_TRANSITIONS))
        .values_list("number", flat=True)[:5]
    )
    if numbers:
        raise Conflict(
            _("您有尚未办结的办件（%(numbers)s），办结前不能注销账户。") % {"numbers": "、".join(numbers)},
            code="open_case",
        )


def export_cases(user: User) -> dict[str, Any]:
    cases = (
        Case.objects.filter(citizen=user)
        .select_related("matter", "hall")
        .prefetch_related("events", "materials", "documents")
        .order_by("-received_at")
    )
    return {
        "cases": [
            {
                "number": c.number,
                "matter": c.matter.name,
                "matter_code": c.matter.code,
                "hall": c.hall.name,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "sentence": c.sentence,
                "received_at": c.received_at,
                "accepted_at": c.accepted_at,
                "promised_date": c.promised_date,
                "decision": c.decision,
                "decision_reason": c.decision_reason,
                "decided_at": c.decided_at,
                "notice_items": c.notice_items,
                "correction_items": c.correction_items,
                "refusal_reason": c.refusal_reason,
                "events": [
                    {"at": e.at, "from": e.from_status, "to": e.to_status, "note": e.note} for e in c.events.all()
                ],
                "materials": [
                    {
                        "name": m.name,
                        "file_name": m.original_name,
                        "size": m.size,
                        "sha256": m.sha256,
                        "uploaded_at": m.uploaded_at,
                        "trust_level": m.trust_level,
                    }
                    for m in c.materials.all()
                ],
                "documents": [
                    {
                        "kind": d.kind,
                        "title": str(d.get_kind_display()),
                        "verification_code": d.verification_code,
                        "issued_at": d.issued_at,
                    }
                    for d in c.documents.all()
                ],
            }
            for c in cases
        ],
        "vault": [
            {
                "name": e.name,
                "trust_level": e.trust_level,
                "issuer": e.issuer,
                "size": e.size,
                "sha256": e.sha256,
                "created_at": e.created_at,
                "valid_until": e.valid_until,
            }
            for e in EvidenceItem.objects.filter(citizen=user)
        ],
    }


def _suffix(name: str | None) -> str:
    return PurePosixPath(name or "").suffix.lower()[:8]


def export_files(user: User) -> Iterable[ExportFile]:
    """The vault's copies and the files the citizen uploaded themselves (pre-filing, supplements)."""
    for item in EvidenceItem.objects.filter(citizen=user).exclude(file=""):
        yield ExportFile(f"vault/{item.pk}{_suffix(item.file.name)}", item.file)
    for material in (
        CaseMaterial.objects.filter(case__citizen=user, uploaded_by=user).exclude(file="").select_related("case")
    ):
        yield ExportFile(f"uploads/{material.case.number}-{material.pk}{_suffix(material.file.name)}", material.file)


def erase(user: User) -> dict[str, int]:
    """The vault goes with the account; the cases (all finished: the guard) stay, pointing at the emptied account."""
    return {"vault": vault_delete(list(EvidenceItem.objects.filter(citizen=user).values_list("pk", flat=True)))}


registry.register_guard(open_cases_guard)
registry.register_export("intake", export_cases, export_files)
registry.register_eraser("intake", erase)
