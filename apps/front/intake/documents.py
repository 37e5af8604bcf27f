"""Written vouchers (受理凭证, 不予受理通知书, 一次性告知书, 容缺受理确认书): issued with fixed content inside
the intake transaction, rendered to PDF (WeasyPrint, CJK font) on first download, verifiable publicly."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from apps.shared.exchange import contract
from govservice.lib import pades
from govservice.lib.codes import human_code
from govservice.lib.masking import mask_id_public, mask_name
from govservice.lib.pdf import qr_data_uri, render_pdf

from .models import Case, Document, DocumentKind
from .shared import licence_public


def verification_url(code: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("verify", args=[code])


def document_issue(*, case: Case, kind: str, by: User | None) -> Document:
    """Fix what the document says now; later changes to the case never alter an issued document. ``by``
    None: issued by the system (the receipt of an acceptance by law, 行政许可法 Art. 32 (4))."""
    matter, hall, citizen = case.matter, case.hall, case.citizen
    content = {
        "number": case.number,
        "matter": matter.name,
        "matter_version": matter.version,
        "department": matter.department.name,
        "hall": hall.name,
        "hall_address": hall.address,
        # Paper shows the public mask of the ID number (DOMAIN.md §8).
        "applicant": citizen.real_name,
        "applicant_id": mask_id_public(citizen.id_number or ""),
        "issued_on": timezone.localdate().isoformat(),
        "received_at": timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M"),
        "materials": [{"name": m.name} for m in case.materials.all()],
        "clerk": (by.real_name or by.username) if by is not None else "",
    }
    if case.online:
        # 网上申报 (issue 15): received and decided online, the document sent electronically.
        content["online"] = True
    if kind == DocumentKind.RECEIPT:
        content |= {
            "promised_date": case.promised_date.isoformat() if case.promised_date else "",
            "promised_days": matter.promised_days,
        }
        if case.deemed_accepted_at is not None and case.accepted_at is not None:
            content |= {"deemed": True, "accepted_on": timezone.localdate(case.accepted_at).isoformat()}
        if case.needs_original_visit:
            # 最多跑一次: the one visit to have the originals checked, booked for this case (services/originals.py).
            book = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("original_visit", args=[case.number])
            content["visit"] = f"本事项须核验原件，请预约一次到{hall.name}（{hall.address}）办理，预约网址：{book}"
    elif kind == DocumentKind.REFUSAL:
        content |= {"reason": case.refusal_reason, "refer_to": case.refer_to, "remedies": settings.REMEDIES_TEXT}
    elif kind == DocumentKind.ONE_TIME_NOTICE:
        if case.online:
            note = "请登录网上办事大厅，在本申请中补齐上述全部内容后重新提交，无需到大厅办理。"
        else:
            note = "请补齐上述全部材料后再次到窗口办理，无需重新预约排队以外的其他手续。"
        content |= {"items": list(case.notice_items), "deadline_note": note}
    elif kind == DocumentKind.COMMITMENT:
        content |= {
            "items": list(case.commitment_items),
            "deadline": case.commitment_deadline.isoformat() if case.commitment_deadline else "",
        }
    return document_record(case=case, kind=kind, content=content, by=by)


def document_record(*, case: Case, kind: str, content: dict, by: User | None) -> Document:
    """Issue a document whose content the caller fixed (delivery's 送达回执): intake writes every
    document row, and gives each its public verification code."""
    return Document.objects.create(
        case=case, kind=kind, verification_code=human_code(12), content=content, issued_by=by
    )


def document_render(document: Document) -> bytes:
    url = verification_url(document.verification_code)
    return render_pdf(
        f"documents/{document.kind}.html",
        {
            "doc": document,
            "c": document.content,
            "title": document.get_kind_display(),
            "verify_url": url,
            "qr": qr_data_uri(url),
        },
    )


def document_pdf(document: Document) -> bytes:
    """The document's PDF; rendered once, then the same bytes every time (their digest is what the
    verification page checks against)."""
    if document.file:
        with document.file.open("rb") as fh:
            return fh.read()
    pdf = document_render(document)
    digest = hashlib.sha256(pdf).hexdigest()
    name = document.file.storage.save(
        f"documents/{document.case.number}-{document.kind}-{document.verification_code}.pdf", ContentFile(pdf)
    )
    # First writer wins if two downloads render at once; the loser's file is discarded.
    if Document.objects.filter(id=document.id, sha256="").update(file=name, sha256=digest):
        document.file.name, document.sha256 = name, digest
        return pdf
    document.file.storage.delete(name)
    document.refresh_from_db()
    with document.file.open("rb") as fh:
        return fh.read()


STATE_LABELS = {
    contract.LicenceState.VALID: _("有效"),
    contract.LicenceState.REVOKED: _("已撤销"),
    contract.LicenceState.EXPIRED: _("已过有效期"),
}


def _state_here(document: Document) -> contract.LicenceState:
    """A certificate's state by this platform's own record (the revocation message, its end date)."""
    if document.content.get("revoked_on"):
        return contract.LicenceState.REVOKED
    until = document.content.get("valid_until") or ""
    if until and until < timezone.localdate().isoformat():
        return contract.LicenceState.EXPIRED
    return contract.LicenceState.VALID


def _licence_part(state: contract.LicenceState, *, from_library: bool) -> dict:
    return {
        "state": str(state),
        "label": STATE_LABELS.get(state, _("未知")),
        "valid": state == contract.LicenceState.VALID,
        "from_library": from_library,
    }


def _signature(pdf: bytes, certificate: str | None) -> dict:
    check = pades.pdf_signature_check(pdf, certificate_pem=certificate)
    return {"signed": check.signed, "intact": check.intact and check.covers_whole_file, "by_office": check.by_office}


def document_verify(*, code: str, pdf: bytes | None = None) -> dict:
    """What the public may know about a document: that it exists, its kind, issuer and date; and,
    given a copy, whether that copy is the genuine one. No personal data. A certificate or licence also
    says whether it is still valid (asked of central's library, else by this platform's record), and a
    copy's PAdES signature is checked against the issuing office's certificate."""
    code = code.strip().upper()
    document = Document.objects.select_related("case__hall").filter(verification_code=code).first()
    if document is None:
        licence = licence_public(code) if len(code) == 12 else None
        if licence is None:
            return {"found": False}
        result = {
            "found": True,
            "kind": _("电子证照"),
            "hall": licence.issuer,
            "issued_on": licence.issued_on.isoformat(),
            "number": licence.number,
            "matter": licence.title,
            "applicant": "",
            "licence": _licence_part(licence.state, from_library=True),
        }
        if pdf is not None:
            result["genuine"] = hmac.compare_digest(hashlib.sha256(pdf).hexdigest(), licence.sha256)
            result["signature"] = _signature(pdf, licence.certificate)
        return result
    result = {
        "found": True,
        "kind": document.get_kind_display(),
        "hall": document.case.hall.name,
        "issued_on": document.content.get("issued_on"),
        "number": document.case.number,
        "matter": document.content.get("matter"),
        "applicant": mask_name(document.content.get("applicant", "")),
    }
    licence = None
    if document.kind == DocumentKind.CERTIFICATE:
        licence = licence_public(code)
        state = licence.state if licence is not None else _state_here(document)
        if _state_here(document) == contract.LicenceState.REVOKED:
            state = contract.LicenceState.REVOKED
        result["licence"] = _licence_part(state, from_library=licence is not None)
    if pdf is not None:
        if not document.sha256:
            document_pdf(document)
            document.refresh_from_db()
        result["genuine"] = hashlib.sha256(pdf).hexdigest() == document.sha256
        if document.kind == DocumentKind.CERTIFICATE:
            result["signature"] = _signature(pdf, licence.certificate if licence is not None else None)
    return result
