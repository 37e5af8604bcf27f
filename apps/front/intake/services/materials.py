"""The materials of a case: an upload checked (type, size, a PDF that opens), the matter's materials vetted,
stored as case materials, evidence reused from the vault with the applicant's consent, kept in the vault."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from apps.shared.privacy.consents import consent_record, consent_require
from apps.shared.privacy.models import Channel, ConsentPurpose
from govservice.api import DomainError
from govservice.lib.filetypes import EXTENSIONS, content_check

from ..models import Case, CaseMaterial, EvidenceItem, TrustLevel
from ..selectors import licence_stale_q


@dataclass(frozen=True)
class Upload:
    material_id: int | None
    file: UploadedFile
    name: str = ""  # the case's name for a file no material of the matter is (else the file's own name)


@dataclass(frozen=True)
class Reuse:
    """Evidence from the citizen's vault used for a material instead of a new scan."""

    material_id: int
    evidence_id: int
    original_checked: bool = False


def upload_check(upload: UploadedFile) -> tuple[bytes, str]:
    """Read and vet one upload: size, and the real type from its first bytes (a renamed .exe is refused)."""
    if upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
        raise DomainError(
            _("文件“%(name)s”超过%(mb)sMB上限。")
            % {"name": upload.name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    content = upload.read()
    return content, content_check(content, upload.name or "")


def _vet(matter, uploads: Sequence[Upload]) -> list[tuple[Upload, bytes, str]]:
    materials = {m.id for m in matter.materials.all()}
    vetted = []
    for upload in uploads:
        if upload.material_id is not None and upload.material_id not in materials:
            raise DomainError(_("上传的材料不属于该事项。"), code="wrong_material")
        content, content_type = upload_check(upload.file)
        vetted.append((upload, content, content_type))
    return vetted


def _store_materials(case: Case, vetted, *, by: User, trust_level: str = "B") -> None:
    materials = {m.id: m for m in case.matter.materials.all()}
    for upload, content, content_type in vetted:
        digest = hashlib.sha256(content).hexdigest()
        material = materials.get(upload.material_id) if upload.material_id else None
        row = CaseMaterial(
            case=case,
            material=material,
            name=material.name if material else (upload.name or upload.file.name),
            original_name=upload.file.name[:200],
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=by,
            trust_level=trust_level,
        )
        row.file.save(f"{case.number}-{digest[:12]}{EXTENSIONS[content_type]}", ContentFile(content), save=False)
        row.save()


def _reuse(
    case: Case, reuses: Sequence[Reuse], *, by: User, vault_consent: bool, channel: str = Channel.WINDOW
) -> None:
    """Take vault evidence instead of asking again (国办函〔2016〕108号): A and B as they are; C only once
    the clerk has checked the original (which makes it B). Only with the applicant's consent, which the clerk
    records at a window, or the applicant gives online (DOMAIN.md §9 数据共享; apps/shared/privacy)."""
    if not reuses:
        return
    consent_require(given=vault_consent, purpose=ConsentPurpose.VAULT_REUSE)
    consent_record(
        user=case.citizen,
        purpose=ConsentPurpose.VAULT_REUSE,
        channel=channel,
        reference=case.number,
        recorded_by=by if by.id != case.citizen_id else None,
    )
    materials = {m.id: m for m in case.matter.materials.all()}
    for reuse in reuses:
        material = materials.get(reuse.material_id)
        evidence = EvidenceItem.objects.filter(id=reuse.evidence_id, citizen=case.citizen).first()
        if material is None or evidence is None:
            raise DomainError(_("所选的已有材料不属于该申请人或该事项。"), code="wrong_evidence")
        if evidence.revoked_at is not None or EvidenceItem.objects.filter(licence_stale_q(), id=evidence.id).exists():
            raise DomainError(
                _("“%(name)s”已撤销或暂无法确认有效，请重新调取或提交。") % {"name": evidence.name},
                code="evidence_expired",
            )
        if evidence.valid_until and evidence.valid_until < timezone.localdate():
            raise DomainError(
                _("“%(name)s”已过有效期，请重新提交。") % {"name": evidence.name}, code="evidence_expired"
            )
        level = evidence.trust_level
        if level == TrustLevel.C:
            if not reuse.original_checked:
                raise DomainError(
                    _("“%(name)s”为申请人上传件，须核验原件后使用。") % {"name": evidence.name},
                    code="original_unchecked",
                )
            EvidenceItem.objects.filter(id=evidence.id).update(trust_level=TrustLevel.B, verified_by=by)
            level = TrustLevel.B
        CaseMaterial.objects.create(
            case=case,
            material=material,
            name=material.name,
            file=evidence.file.name,
            original_name=evidence.name,
            content_type=evidence.content_type,
            size=evidence.size,
            sha256=evidence.sha256,
            uploaded_by=by,
            trust_level=level,
            reused_from=evidence,
        )


def _keep_in_vault(case: Case, *, by: User) -> None:
    """Materials whose originals a clerk has seen become B-level evidence for the citizen's next case."""
    for row in case.materials.filter(reused_from__isnull=True):
        EvidenceItem.objects.get_or_create(
            citizen=case.citizen,
            sha256=row.sha256,
            defaults={
                "name": row.name,
                "trust_level": TrustLevel.B,
                "file": row.file.name,
                "content_type": row.content_type,
                "size": row.size,
                "origin_case": case,
                "verified_by": by,
            },
        )
