"""Import and export of the catalog (formats: fileformats.py).

An import is all or nothing: every record is checked first and every bad one is reported with its line
number; if there is one, nothing is written. A matter whose text is unchanged is left alone; a changed
one becomes a new version (the old one stays for the cases made under it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from govservice.lib.csvexport import spreadsheet_safe

from ..models import Department, FeeItem, Material, Matter, MatterField
from .fileformats import (
    CSV_COLUMNS,
    DEPARTMENT_FIELDS,
    FALSE_WORDS,
    LIST_SEPARATOR,
    TRUE_WORDS,
    Format,
    ImportRefused,
    MatterRecord,
    Record,
    decode,
    read_csv,
    read_json,
)
from .versions import (
    FEE_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    MATTER_FIELDS,
    MatterDraft,
    draft_problems,
    draft_snapshot,
    matter_save,
    matter_snapshot,
)


@dataclass
class ImportReport:
    departments_created: int = 0
    departments_updated: int = 0
    created: list[str] = field(default_factory=list)
    versioned: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "导入完成：新增事项 %(created)s 个，生成新版本 %(versioned)s 个，未变化 %(unchanged)s 个；新增部门 %(depts)s 个。"
        ) % {
            "created": len(self.created),
            "versioned": len(self.versioned),
            "unchanged": len(self.unchanged),
            "depts": self.departments_created,
        }


__all__ = ["CSV_COLUMNS", "ImportRefused", "ImportReport", "catalog_export", "catalog_import", "matters_for_export"]


# --- Checking ---------------------------------------------------------------------------------------


def _coerce(model: type[models.Model], name: str, raw: Any) -> Any:
    """A value from JSON or CSV as the model field wants it; ValueError with a readable reason."""
    f = model._meta.get_field(name)
    if isinstance(f, ArrayField):
        if isinstance(raw, list):
            return [str(v).strip() for v in raw if str(v).strip()]
        if isinstance(raw, str):
            return [v.strip() for v in raw.split(LIST_SEPARATOR) if v.strip()]
        raise ValueError(_("应为列表"))
    if isinstance(f, models.BooleanField):
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("应为 是/否（true/false）"))
    if isinstance(f, models.DecimalField):
        try:
            return Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValueError(_("应为数字")) from exc
    if isinstance(f, models.IntegerField):
        if isinstance(raw, bool):
            raise ValueError(_("应为整数"))
        if isinstance(raw, int):
            return raw
        text = str(raw).strip()
        if not text.lstrip("-").isdigit():
            raise ValueError(_("应为整数"))
        return int(text)
    if raw is None:
        return ""
    if not isinstance(raw, str | int | float):
        raise ValueError(_("应为文本"))
    return str(raw).strip()


def _build(model: type[models.Model], allowed: Iterable[str], values: dict[str, Any], problems: list[str]) -> Any:
    obj = model()
    allowed = set(allowed)
    for name, raw in values.items():
        if name not in allowed:
            problems.append(_("未知字段 %(name)s") % {"name": name})
            continue
        model_field = model._meta.get_field(name)
        if raw == "" and (
            getattr(model_field, "has_default", lambda: False)()
            or not isinstance(model_field, models.CharField | models.TextField)
        ):
            continue  # an empty CSV cell: the field's default
        try:
            setattr(obj, name, _coerce(model, name, raw))
        except ValueError as exc:
            label = getattr(model._meta.get_field(name), "verbose_name", name)
            problems.append(
                _("%(label)s（%(name)s）%(reason)s，而不是“%(raw)s”")
                % {"label": label, "name": name, "reason": exc, "raw": raw}
            )
    return obj


def _check(
    departments: list[Record], matters: list[MatterRecord], errors: list[str]
) -> tuple[list[tuple[Record, Department]], list[tuple[MatterRecord, MatterDraft]]]:
    dept_rows: list[tuple[Record, Department]] = []
    known = {d.code: d for d in Department.objects.all()}
    in_file: dict[str, int] = {}
    for record in departments:
        problems: list[str] = []
        dept = _build(Department, DEPARTMENT_FIELDS, record.values, problems)
        if dept.code in in_file:
            problems.append(
                _("部门 %(code)s 在文件中重复（第 %(first)s 行已出现）")
                % {"code": dept.code, "first": in_file[dept.code]}
            )
        try:
            dept.full_clean(validate_unique=False)
        except ValidationError as exc:
            problems += [
                f"{getattr(Department._meta.get_field(k), 'verbose_name', k)}：{m}"
                for k, ms in exc.message_dict.items()
                for m in ms
            ]
        if problems:
            errors.append(
                _("第 %(line)s 行（部门 %(code)s）：%(problems)s。")
                % {"line": record.line, "code": dept.code, "problems": "；".join(problems)}
            )
            continue
        in_file[dept.code] = record.line
        dept_rows.append((record, dept))
    department_codes = set(known) | set(in_file)

    drafts: list[tuple[MatterRecord, MatterDraft]] = []
    seen: dict[str, int] = {}
    for record in matters:
        problems = []
        values = dict(record.values)
        department = str(values.pop("department", "") or "").strip()
        matter = _build(Matter, ("code", "change_note", *MATTER_FIELDS), values, problems)
        if not department:
            problems.append(_("缺少实施主体（department）"))
        elif department not in department_codes:
            problems.append(_("实施主体 %(code)s 不存在，请先在文件中列出该部门") % {"code": department})
        if matter.code in seen:
            problems.append(
                _("事项 %(code)s 在文件中重复（第 %(first)s 行已出现）")
                % {"code": matter.code, "first": seen[matter.code]}
            )
        seen.setdefault(matter.code, record.line)
        draft = MatterDraft(matter=matter)
        draft.matter._department_code = department  # type: ignore[attr-defined]  # resolved when applied
        if department in known:
            matter.department = known[department]
        lines: dict[tuple[str, int], int] = {}
        item_problems: dict[tuple[str, int], list[str]] = {}
        for kind, items, model, names, target in (
            ("material", record.materials, Material, MATERIAL_FIELDS, draft.materials),
            ("fee", record.fees, FeeItem, FEE_FIELDS, draft.fees),
            ("field", record.fields, MatterField, FORM_FIELD_FIELDS, draft.fields),
        ):
            for item in items:
                here: list[str] = []
                obj = _build(model, names, item.values, here)
                if kind == "material" and not str(item.values.get("key") or "").strip():
                    here.append(_("缺少材料标识（key）"))
                if kind == "field" and not str(item.values.get("key") or "").strip():
                    here.append(_("缺少字段标识（key）"))
                lines[kind, len(target)] = item.line
                if here:
                    item_problems[kind, len(target)] = here
                target.append(obj)
        found = draft_problems(draft)
        problems += found.matter
        for i, messages in found.materials.items():
            item_problems.setdefault(("material", i), []).extend(messages)
        for i, messages in found.fees.items():
            item_problems.setdefault(("fee", i), []).extend(messages)
        for i, messages in found.fields.items():
            item_problems.setdefault(("field", i), []).extend(messages)
        child_problems: list[tuple[int, str]] = []
        for (kind, i), messages in sorted(item_problems.items()):
            label = {"material": _("材料"), "fee": _("收费项目"), "field": _("申请表字段")}[kind]
            if kind == "field":
                name = draft.fields[i].label
            else:
                name = (draft.materials if kind == "material" else draft.fees)[i].name
            text = _("%(label)s %(n)s「%(name)s」：%(problems)s") % {
                "label": label,
                "n": i + 1,
                "name": name,
                "problems": "；".join(m.rstrip("。.") for m in messages),
            }
            if lines[kind, i] == record.line:
                problems.append(text)
            else:
                child_problems.append((lines[kind, i], text))
        if problems:
            errors.append(
                _("第 %(line)s 行（事项 %(code)s）：%(problems)s。")
                % {
                    "line": record.line,
                    "code": matter.code or "?",
                    "problems": "；".join(p.rstrip("。.") for p in problems),
                }
            )
        for line, message in child_problems:
            errors.append(
                _("第 %(line)s 行（事项 %(code)s）：%(problems)s。")
                % {"line": line, "code": matter.code or "?", "problems": message}
            )
        if not problems and not child_problems:
            drafts.append((record, draft))
    return dept_rows, drafts


# --- Applying ---------------------------------------------------------------------------------------


def catalog_import(
    data: bytes | str, *, fmt: Format, existing: Literal["version", "skip"] = "version", change_note: str = ""
) -> ImportReport:
    """Check the whole file, then write all of it in one transaction, or nothing (ImportRefused)."""
    text = decode(data)
    if fmt == "json":
        departments, matters, errors = read_json(text)
    elif fmt == "csv":
        departments, matters, errors = read_csv(text)
    else:
        raise ValueError(fmt)
    dept_rows, drafts = _check(departments, matters, errors)
    if errors:
        errors.sort(key=_line_of)
        raise ImportRefused(errors)
    if not matters and not departments:
        raise ImportRefused([_("文件中没有任何部门或事项。")])
    report = ImportReport()
    with transaction.atomic():
        for _record, dept in dept_rows:
            current = Department.objects.filter(code=dept.code).first()
            if current is None:
                dept.save()
                report.departments_created += 1
            elif existing == "version" and (current.name, current.credit_code) != (dept.name, dept.credit_code):
                Department.objects.filter(id=current.id).update(name=dept.name, credit_code=dept.credit_code)
                report.departments_updated += 1
        by_code = {d.code: d for d in Department.objects.all()}
        codes = [draft.code for _record, draft in drafts]
        known = set(Matter.objects.filter(code__in=codes).values_list("code", flat=True))
        # One query for every current version and its items: most rows of a re-import are unchanged.
        current_versions = {
            m.code: m
            for m in Matter.objects.filter(code__in=codes, is_current=True).prefetch_related(
                "materials", "fee_items", "form_fields"
            )
        }
        for _record, draft in drafts:
            draft.matter.department = by_code[draft.matter._department_code]  # type: ignore[attr-defined]
            if existing == "skip" and draft.code in known:
                report.unchanged.append(draft.code)
                continue
            if draft.code in current_versions and matter_snapshot(current_versions[draft.code]) == draft_snapshot(
                draft
            ):
                report.unchanged.append(draft.code)
                continue
            _matter, outcome = matter_save(draft=draft, change_note=change_note or draft.matter.change_note)
            getattr(report, outcome).append(draft.code)
    return report


def _line_of(message: str) -> int:
    digits = "".join(ch for ch in message.split("行", 1)[0] if ch.isdigit())
    return int(digits) if digits else 0


# --- Export -----------------------------------------------------------------------------------------


def _export_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return list(value) if isinstance(value, list | tuple) else value


def catalog_export(matters: Iterable[Matter], *, fmt: Format) -> str:
    """The given matter versions (with their departments) in a file the import reads back unchanged."""
    matters = list(matters)
    departments = sorted({m.department for m in matters}, key=lambda d: d.code)
    if fmt == "json":
        doc = {
            "departments": [{n: getattr(d, n) for n in DEPARTMENT_FIELDS} for d in departments],
            "matters": [
                {
                    "code": m.code,
                    "department": m.department.code,
                    **{n: _export_value(getattr(m, n)) for n in MATTER_FIELDS},
                    "materials": [{n: getattr(x, n) for n in MATERIAL_FIELDS} for x in m.materials.all()],
                    "fees": [{n: _export_value(getattr(x, n)) for n in FEE_FIELDS} for x in m.fee_items.all()],
                    "fields": [
                        {n: _export_value(getattr(x, n)) for n in FORM_FIELD_FIELDS} for x in m.form_fields.all()
                    ],
                }
                for m in matters
            ],
        }
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for d in departments:
        writer.writerow({"record": "department", **{n: _csv_scalar(getattr(d, n)) for n in DEPARTMENT_FIELDS}})
    for m in matters:
        row: dict[str, Any] = {
            "record": "matter",
            "code": _csv_scalar(m.code),
            "department": _csv_scalar(m.department.code),
        }
        for n in MATTER_FIELDS:
            value = _export_value(getattr(m, n))
            row[n] = _csv_scalar(LIST_SEPARATOR.join(value) if isinstance(value, list) else value)
        writer.writerow(row)
        for x in m.materials.all():
            writer.writerow(
                {
                    "record": "material",
                    "code": _csv_scalar(m.code),
                    **{f"material_{n}": _csv_scalar(getattr(x, n)) for n in MATERIAL_FIELDS},
                }
            )
        for fee in m.fee_items.all():
            writer.writerow(
                {
                    "record": "fee",
                    "code": _csv_scalar(m.code),
                    **{f"fee_item_{n}": _csv_scalar(_export_value(getattr(fee, n))) for n in FEE_FIELDS},
                }
            )
        for form_field in m.form_fields.all():
            writer.writerow(
                {
                    "record": "field",
                    "code": _csv_scalar(m.code),
                    **{
                        f"form_field_{n}": _csv_scalar(_csv_list(_export_value(getattr(form_field, n))))
                        for n in FORM_FIELD_FIELDS
                    },
                }
            )
    return out.getvalue()


def _csv_list(value: Any) -> Any:
    return LIST_SEPARATOR.join(value) if isinstance(value, list) else value


def _csv_scalar(value: Any) -> Any:
    # Names and notes are typed by people: escaped like every export (govservice.lib.csvexport), and the
    # import takes the escape off again (fileformats.read_csv), so the file still reads back unchanged.
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(value)


def matters_for_export(*, codes: Iterable[str] | None = None) -> models.QuerySet[Matter]:
    qs = (
        Matter.objects.filter(is_current=True)
        .select_related("department")
        .prefetch_related("materials", "fee_items", "form_fields")
    )
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return qs.order_by("department__code", "code")
