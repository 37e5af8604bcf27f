"""Loading the registries (people, legal persons) and answering questions about them."""

from __future__ import annotations

import csv
import hmac
import io
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from apps.shared.accounts.selectors import id_number_index
from apps.shared.exchange.models import Peer
from govservice.lib import creditcode, idcard
from govservice.lib.errors import DomainError

from .models import RegistryCompany, RegistryLoad, RegistryPerson, RegistryQuery


def normalize_name(value: str) -> str:
    """Names compare after NFKC (full-width letters, compatibility forms) and without spaces; the middle
    dot of minority and foreign names comes in several code points."""
    value = unicodedata.normalize("NFKC", value)
    for dot in ("•", "‧", "∙", "・", "･"):
        value = value.replace(dot, "·")
    return "".join(value.split())


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    errors: list[str]


def read_rows(path: Path) -> list[dict[str, str]]:
    """A JSON list of {"name", "id_number"} or a CSV with those two columns (UTF-8, a BOM allowed)."""
    return rows_of(path.read_text(encoding="utf-8-sig"), json_file=path.suffix.lower() == ".json")


def rows_of(text: str, *, json_file: bool) -> list[dict[str, str]]:
    """People from a file's text (read_rows)."""
    if json_file:
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("the JSON file must hold a list of {name, id_number}")
        return [{"name": str(row.get("name", "")), "id_number": str(row.get("id_number", ""))} for row in data]
    return [
        {"name": row.get("name", ""), "id_number": row.get("id_number", "")}
        for row in csv.DictReader(io.StringIO(text))
    ]


@transaction.atomic
def registry_load(rows: Iterable[dict[str, str]]) -> LoadResult:
    """Insert or update people by ID number; a row with a bad number or no name is reported, not loaded
    (the file's line number, never its content: it is personal data)."""
    created = updated = 0
    errors: list[str] = []
    now = timezone.now()
    for line, row in enumerate(rows, start=1):
        name = normalize_name(row.get("name", ""))
        try:
            value = idcard.parse(row.get("id_number", "")).value
        except idcard.InvalidIdNumber:
            errors.append(f"row {line}: invalid ID number")
            continue
        if not name:
            errors.append(f"row {line}: no name")
            continue
        _person, was_created = RegistryPerson.objects.update_or_create(
            id_number_index=id_number_index(value), defaults={"id_number": value, "name": name, "loaded_at": now}
        )
        created += int(was_created)
        updated += int(not was_created)
    return LoadResult(created=created, updated=updated, errors=errors)


def read_company_rows(path: Path) -> list[dict[str, str]]:
    """A JSON list or a CSV of companies: credit_code, name, representative_name, representative_id_number
    and optionally active (false for a deregistered company)."""
    return company_rows_of(path.read_text(encoding="utf-8-sig"), json_file=path.suffix.lower() == ".json")


def company_rows_of(text: str, *, json_file: bool) -> list[dict[str, str]]:
    """Companies from a file's text (read_company_rows)."""
    columns = ("credit_code", "name", "representative_name", "representative_id_number", "active")
    if json_file:
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("the JSON file must hold a list of companies")
        return [{column: str(row.get(column, "")) for column in columns} for row in data]
    return [{column: row.get(column, "") or "" for column in columns} for row in csv.DictReader(io.StringIO(text))]


@transaction.atomic
def registry_load_companies(rows: Iterable[dict[str, str]]) -> LoadResult:
    """Insert or update legal persons by credit code; a row with a bad code, a bad ID number of its
    representative or no name is reported by its line number only."""
    created = updated = 0
    errors: list[str] = []
    now = timezone.now()
    for line, row in enumerate(rows, start=1):
        try:
            code = creditcode.parse(row.get("credit_code", "")).value
        except creditcode.InvalidCreditCode:
            errors.append(f"row {line}: invalid credit code")
            continue
        try:
            representative = idcard.parse(row.get("representative_id_number", "")).value
        except idcard.InvalidIdNumber:
            errors.append(f"row {line}: invalid ID number of the representative")
            continue
        name, person = normalize_name(row.get("name", "")), normalize_name(row.get("representative_name", ""))
        if not name or not person:
            errors.append(f"row {line}: no name")
            continue
        active = str(row.get("active", "")).strip().lower() not in ("false", "0", "no", "注销", "吊销")
        _company, was_created = RegistryCompany.objects.update_or_create(
            credit_code=code,
            defaults={
                "name": name,
                "representative_name": person,
                "representative_id_index": id_number_index(representative),
                "active": active,
                "loaded_at": now,
            },
        )
        created += int(was_created)
        updated += int(not was_created)
    return LoadResult(created=created, updated=updated, errors=errors)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(normalize_name(a).encode(), normalize_name(b).encode())


def registry_verify_company(
    *,
    peer: Peer,
    credit_code: str,
    name: str,
    representative_name: str,
    representative_id_number: str,
    purpose: str,
    reference: str = "",
) -> bool:
    """Match / no match: the company exists (存续) under this code and name, and this person is its legal
    representative. Recorded with the asking platform, the purpose and the code asked about."""
    try:
        code = creditcode.parse(credit_code).value
    except creditcode.InvalidCreditCode:
        code = ""
    try:
        index = id_number_index(idcard.parse(representative_id_number).value)
    except idcard.InvalidIdNumber:
        index = ""
    company = RegistryCompany.objects.filter(credit_code=code, active=True).first() if code else None
    matched = (
        company is not None
        and bool(index)
        and hmac.compare_digest(company.representative_id_index.encode(), index.encode())
        and _same(company.name, name)
        and _same(company.representative_name, representative_name)
    )
    RegistryQuery.objects.create(
        peer=peer,
        purpose=purpose[:100],
        reference=reference[:150],
        id_number_index=index,
        credit_code=code,
        matched=matched,
    )
    return matched


def registry_verify(*, peer: Peer, name: str, id_number: str, purpose: str, reference: str = "") -> bool:
    """Match / no match for a name and ID number, recorded with the asking platform and its purpose."""
    try:
        value = idcard.parse(id_number).value
    except idcard.InvalidIdNumber:
        value = ""
    index = id_number_index(value) if value else ""
    person = RegistryPerson.objects.filter(id_number_index=index).first() if index else None
    matched = person is not None and hmac.compare_digest(
        normalize_name(person.name).encode(), normalize_name(name).encode()
    )
    RegistryQuery.objects.create(
        peer=peer, purpose=purpose[:100], reference=reference[:150], id_number_index=index, matched=matched
    )
    return matched


def registry_file_load(*, actor: User, kind: str, file_name: str, content: bytes) -> RegistryLoad:
    """A file uploaded on the supervisors' page, loaded like ``manage.py registry_load`` (all its good rows; the
    bad ones named by line) and recorded with who loaded it. An unreadable file loads nothing."""
    if actor.role not in (Role.CENTRAL_SUPERVISOR, Role.ADMIN):
        raise DomainError(_("只有后台主管可以导入登记信息。"), code="forbidden")
    if kind not in RegistryLoad.Kind.values:
        raise DomainError(_("请选择导入人口信息还是企业登记信息。"), code="invalid")
    json_file = file_name.lower().endswith(".json")
    if not (json_file or file_name.lower().endswith(".csv")):
        raise DomainError(_("请上传 JSON 或 CSV 文件。"), code="file_type")
    try:
        text = content.decode("utf-8-sig")
        if kind == RegistryLoad.Kind.COMPANIES:
            result = registry_load_companies(company_rows_of(text, json_file=json_file))
        else:
            result = registry_load(rows_of(text, json_file=json_file))
    except (ValueError, AttributeError, TypeError, csv.Error):
        # Undecodable, not JSON, a JSON that is not a list of objects, a broken CSV: the message never repeats
        # the file's content (personal data).
        raise DomainError(
            _("无法读取该文件：请上传 UTF-8 编码的 JSON 列表或带表头的 CSV。"), code="file_unreadable"
        ) from None
    return RegistryLoad.objects.create(
        kind=kind,
        file_name=file_name[:200],
        loaded_by=actor,
        created=result.created,
        updated=result.updated,
        errors=result.errors,
    )
