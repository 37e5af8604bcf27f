"""The licence library: the offices' signing keys, licences recorded as central issues them or imported from
a file of another department's system, revocation told to every platform that holds the licence, and the
answers to the platforms' signed questions (what a case's matter needs, with the citizen's consent)."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.selectors import id_number_index
from apps.shared.catalog.models import Department, Material, MaterialSource, Matter
from apps.shared.exchange import contract
from apps.shared.exchange.models import Peer
from apps.shared.exchange.services import outbox_enqueue
from apps.shared.privacy.models import ConsentPurpose
from govservice.lib import idcard, pades
from govservice.lib.codes import human_code
from govservice.lib.errors import DomainError
from govservice.lib.pdf import qr_data_uri, render_pdf

from .conf import licences_conf
from .models import Licence, LicenceQuery, LicenceSource, OfficeKey

# --- The offices' keys ------------------------------------------------------------------------------------


def office_key_ensure(*, office: str, name: str) -> OfficeKey:
    """The office's signing key, generated with its self-signed certificate the first time it is needed."""
    found = OfficeKey.objects.filter(office=office).first()
    if found is not None:
        return found
    pair = pades.office_key_generate(name=name)
    key, _created = OfficeKey.objects.get_or_create(
        office=office, defaults={"name": name, "key_pem": pair.key_pem, "certificate_pem": pair.certificate_pem}
    )
    return key


def office_keys_seed() -> int:
    """A key for every department of the catalog and for the library itself; returns how many were made."""
    before = OfficeKey.objects.count()
    for department in Department.objects.all():
        office_key_ensure(office=department.code, name=department.name)
    office_key_ensure(office=licences_conf.LICENCES_LIBRARY_OFFICE, name=_("电子证照库"))
    return OfficeKey.objects.count() - before


def pdf_seal(pdf: bytes, *, office: OfficeKey) -> bytes:
    """The PDF with the office's PAdES signature: any PDF reader can check it offline."""
    return pades.pdf_sign(pdf, keys=pades.OfficeKeyPair(office.key_pem, office.certificate_pem), office=office.name)


# --- Recording and importing -------------------------------------------------------------------------------


def _matches(a: str, b: str) -> bool:
    return hmac.compare_digest("".join(a.split()).encode(), "".join(b.split()).encode())


def licence_record_issued(
    *,
    number: str,
    verification_code: str,
    title: str,
    holder_name: str,
    holder_id_number: str,
    office: OfficeKey,
    issued_on: dt.date,
    valid_until: dt.date | None,
    platform: Peer,
    case_number: str,
    pdf: bytes,
    material_key: str = "",
) -> Licence:
    """A certificate central issued enters the library (in the issuing service's transaction): the signed
    PDF as it was issued, its holder by the keyed hash of the ID number."""
    licence = Licence(
        number=number,
        verification_code=verification_code,
        title=title,
        material_key=material_key,
        holder_name=holder_name,
        holder_id_index=id_number_index(holder_id_number),
        issuer=office.name,
        office=office,
        issued_on=issued_on,
        valid_until=valid_until,
        source=LicenceSource.ISSUED,
        platform=platform,
        case_number=case_number,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    licence.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
    licence.save()
    return licence


@dataclass(frozen=True)
class ImportResult:
    created: int
    errors: list[str]


COLUMNS = ("number", "title", "material_key", "holder_name", "holder_id_number", "issuer", "issued_on", "valid_until")


def read_licence_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """A JSON list of licences or a CSV with a header (UTF-8, a BOM allowed); the columns are ``COLUMNS``
    (valid_until may be empty: without end). Raises ValueError for a file that is neither."""
    text = content.decode("utf-8-sig")
    if Path(name).suffix.lower() == ".json":
        data = json.loads(text)
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise ValueError("the JSON file must hold a list of licences")
        return [{column: str(row.get(column) or "") for column in COLUMNS} for row in data]
    return [
        {column: (row.get(column) or "").strip() for column in COLUMNS} for row in csv.DictReader(io.StringIO(text))
    ]


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value.strip()) if value.strip() else None


def licences_import(rows: Iterable[dict[str, str]]) -> ImportResult:
    """Licences issued elsewhere (another department's system) enter the library: each gets a PDF of its
    record sealed with the library's key and a verification code. A row already in the library (its
    number), or with a bad ID number, date or missing field, is reported by its line, never its content."""
    library = office_key_ensure(office=licences_conf.LICENCES_LIBRARY_OFFICE, name=_("电子证照库"))
    created, errors = 0, []
    for line, row in enumerate(rows, start=1):
        missing = [
            c
            for c in ("number", "title", "holder_name", "holder_id_number", "issuer", "issued_on")
            if not row.get(c, "").strip()
        ]
        if missing:
            errors.append(f"row {line}: missing {', '.join(missing)}")
            continue
        try:
            holder_id = idcard.parse(row["holder_id_number"]).value
        except idcard.InvalidIdNumber:
            errors.append(f"row {line}: invalid ID number")
            continue
        try:
            issued_on, valid_until = dt.date.fromisoformat(row["issued_on"].strip()), _date(row.get("valid_until", ""))
        except ValueError:
            errors.append(f"row {line}: invalid date")
            continue
        number = row["number"].strip()[:64]
        if Licence.objects.filter(number=number).exists():
            errors.append(f"row {line}: number already in the library")
            continue
        code = human_code(12)
        pdf = pdf_seal(
            render_pdf(
                "documents/licence.html",
                {
                    "row": row,
                    "number": number,
                    "issued_on": issued_on,
                    "valid_until": valid_until,
                    "code": code,
                    "qr": qr_data_uri(code),
                    "library": library.name,
                },
            ),
            office=library,
        )
        with transaction.atomic():
            licence = Licence(
                number=number,
                verification_code=code,
                title=row["title"].strip()[:100],
                material_key=row.get("material_key", "").strip()[:64],
                holder_name=row["holder_name"].strip()[:64],
                holder_id_index=id_number_index(holder_id),
                issuer=row["issuer"].strip()[:100],
                office=library,
                issued_on=issued_on,
                valid_until=valid_until,
                source=LicenceSource.IMPORTED,
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
            licence.file.save(f"{number}.pdf", ContentFile(pdf), save=False)
            licence.save()
        created += 1
    return ImportResult(created=created, errors=errors)


# --- Revocation ---------------------------------------------------------------------------------------------


def licence_revoke(*, number: str, reason: str, actor: str = "") -> Licence:
    """Revoke a licence (撤销、注销) and tell, through the outbox, every platform it was given to and the one
    whose case it was issued for: they stop offering it at once (a platform that missed the message learns
    it at its next status check)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写撤销原因。"), code="reason_required")
    with transaction.atomic():
        licence = Licence.objects.select_for_update().filter(number=number).first()
        if licence is None:
            raise DomainError(_("证照库中没有该证照。"), code="not_found")
        if licence.revoked_at is not None:
            raise DomainError(_("该证照已撤销。"), code="invalid_state")
        licence.revoked_at, licence.revoke_reason = timezone.now(), reason[:200]
        licence.save(update_fields=["revoked_at", "revoke_reason"])
        told = set(LicenceQuery.objects.filter(returned__contains=[licence.number]).values_list("peer_id", flat=True))
        if licence.platform_id:
            told.add(licence.platform_id)
        payload = contract.LicenceRevoked(
            number=licence.number,
            verification_code=licence.verification_code,
            revoked_on=timezone.localdate(licence.revoked_at),
            reason=licence.revoke_reason,
        )
        for peer in Peer.objects.filter(id__in=told, active=True):
            outbox_enqueue(peer=peer, payload=payload, actor=actor)
    return licence


# --- The platforms' questions ------------------------------------------------------------------------------


class Refused(DomainError):
    """A question the library will not answer; recorded with its code."""


def _needed(matter: Matter, keys: list[str]) -> list[Material]:
    """The materials of the matter among ``keys`` that a government body issues: what the case needs."""
    return [m for m in matter.materials.all() if m.key in keys and m.source == MaterialSource.GOVERNMENT]


def licences_answer(*, peer: Peer, question: contract.LicenceQuestion) -> contract.LicenceAnswer:
    """The holder's valid licences for what the case's matter needs, one per material key asked about.
    Refused (and recorded) without a case, without the citizen's consent, or for a material the matter
    does not need from government (a platform with no case for that licence)."""
    try:
        index = id_number_index(idcard.parse(question.person.id_number).value)
    except idcard.InvalidIdNumber:
        index = ""
    record = LicenceQuery(
        peer=peer,
        purpose=question.purpose.strip()[:100],
        reference=question.reference.strip()[:150],
        matter_code=question.matter_code[:64],
        id_number_index=index,
        keys=sorted(set(question.material_keys))[:50],
    )
    matter = Matter.objects.filter(code=question.matter_code, is_current=True).prefetch_related("materials").first()
    refusal: Refused | None = None
    if not record.purpose:
        refusal = Refused(_("须说明调取用途。"), code="purpose_required")
    elif not record.reference:
        refusal = Refused(_("调取证照须说明所办的办件。"), code="no_case")
    elif question.consent is None or question.consent.purpose != ConsentPurpose.VAULT_REUSE:
        refusal = Refused(_("调取证照须经持证人同意。"), code="consent_required")
    elif matter is None:
        refusal = Refused(_("事项不存在。"), code="no_case")
    elif len(_needed(matter, record.keys)) != len(record.keys):
        refusal = Refused(_("所调取的证照不是该事项所需的材料。"), code="not_needed")
    elif not index:
        refusal = Refused(_("证件号码无效。"), code="invalid")
    if refusal is not None:
        record.refused = refusal.code
        record.save()
        raise refusal
    assert matter is not None
    given: list[contract.LicenceGiven] = []
    today = timezone.localdate()
    for material in _needed(matter, record.keys):
        for licence in Licence.objects.filter(holder_id_index=index, revoked_at__isnull=True).order_by(
            "-issued_on", "-id"
        ):
            if licence.state(today) != "valid" or not _matches(licence.holder_name, question.person.name):
                continue
            if licence.material_key == material.key or (not licence.material_key and licence.title == material.name):
                with licence.file.open("rb") as f:
                    pdf = f.read()
                given.append(
                    contract.LicenceGiven(
                        number=licence.number,
                        verification_code=licence.verification_code,
                        title=licence.title,
                        material_key=material.key,
                        issuer=licence.issuer,
                        issued_on=licence.issued_on,
                        valid_until=licence.valid_until,
                        sha256=licence.sha256,
                        pdf=base64.b64encode(pdf).decode(),
                    )
                )
                break
    record.returned = [g.number for g in given]
    record.save()
    return contract.LicenceAnswer(licences=given)


def licences_status(question: contract.LicenceStatusQuestion) -> contract.LicenceStatusAnswer:
    """Whether each licence is still valid, by number (what a platform holding it re-checks), and what a
    verification page may show of it, by code. A licence's state is public, so no person is named or
    recorded."""
    today = timezone.localdate()
    numbers = list(dict.fromkeys(question.numbers))
    found = {licence.number: licence for licence in Licence.objects.filter(number__in=numbers)}
    states = {
        number: contract.LicenceState(found[number].state(today)) if number in found else contract.LicenceState.UNKNOWN
        for number in numbers
    }
    codes = [code.strip().upper() for code in question.codes]
    by_code = {
        licence.verification_code: contract.LicencePublic(
            number=licence.number,
            title=licence.title,
            issuer=licence.issuer,
            issued_on=licence.issued_on,
            valid_until=licence.valid_until,
            state=contract.LicenceState(licence.state(today)),
            sha256=licence.sha256,
            certificate=licence.office.certificate_pem,
        )
        for licence in Licence.objects.select_related("office").filter(verification_code__in=codes)
    }
    return contract.LicenceStatusAnswer(states=states, by_code=by_code)


def licence_for_code(code: str) -> Licence | None:
    return Licence.objects.select_related("office").filter(verification_code=code.strip().upper()).first()
