"""The catalog's two file formats, read into records that carry their line numbers.

Both formats carry the same thing: departments, and per matter its fields, materials and fee items.

* JSON: ``{"departments": [{code, name, credit_code}], "matters": [{code, department, …, "materials":
  [{…}], "fees": [{…}], "fields": [{…}]}]}`` (the demo catalog is such a file; ``fields`` is the online
  application form, optional).
* CSV (UTF-8, a BOM is fine; GB18030 as Excel writes it is read too): one record per line, its kind in the
  ``record`` column — ``department``, ``matter``, ``material``, ``fee`` or ``field``. Material, fee and form
  field records name their matter in ``code`` and use the ``material_*`` / ``fee_item_*`` / ``form_field_*``
  columns; lists (channels, life events, receiving halls, a field's choices) are separated by ``|``.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from govservice.lib.csvexport import spreadsheet_unescape

from .versions import FEE_FIELDS, FORM_FIELD_FIELDS, MATERIAL_FIELDS, MATTER_FIELDS

Format = Literal["json", "csv"]
DEPARTMENT_FIELDS = ("code", "name", "credit_code")
CSV_COLUMNS = (
    "record",
    "code",
    "department",
    *MATTER_FIELDS,
    "credit_code",
    *(f"material_{name}" for name in MATERIAL_FIELDS),
    *(f"fee_item_{name}" for name in FEE_FIELDS),
    *(f"form_field_{name}" for name in FORM_FIELD_FIELDS),
)
LIST_SEPARATOR = "|"
TRUE_WORDS = {"true", "1", "yes", "y", "t", "是", "有", "√"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "否", "无", ""}


class ImportRefused(Exception):
    """The file had bad records: ``errors`` holds one message per problem, each with its line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Record:
    line: int
    values: dict[str, Any]


@dataclass
class MatterRecord(Record):
    materials: list[Record] = field(default_factory=list)
    fees: list[Record] = field(default_factory=list)
    fields: list[Record] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ImportRefused([_("文件编码无法识别，请保存为 UTF-8 编码。")]) from exc


class _Located(dict):
    line = 0


class _LocatedList(list):
    line = 0


def _json_located(text: str) -> Any:
    """Parse JSON keeping the line where each object and array starts (json.loads forgets it)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [_("第 %(line)s 行：JSON 格式错误（%(msg)s）。") % {"line": exc.lineno, "msg": exc.msg}]
        ) from exc
    decoder = json.JSONDecoder()
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int) -> tuple[Any, int]:
        i = skip(i)
        if text[i] == "{":
            obj = _Located()
            obj.line = line_of(i)
            i = skip(i + 1)
            if text[i] == "}":
                return obj, i + 1
            while True:
                key, i = decoder.raw_decode(text, skip(i))
                i = skip(i) + 1  # ":"
                obj[key], i = value(i)
                i = skip(i)
                if text[i] == "}":
                    return obj, i + 1
                i += 1  # ","
        if text[i] == "[":
            arr = _LocatedList()
            arr.line = line_of(i)
            i = skip(i + 1)
            if text[i] == "]":
                return arr, i + 1
            while True:
                item, i = value(i)
                arr.append(item)
                i = skip(i)
                if text[i] == "]":
                    return arr, i + 1
                i += 1
        return decoder.raw_decode(text, i)

    return value(0)[0]


def _line(obj: Any) -> int:
    return getattr(obj, "line", 0)


def read_json(text: str) -> tuple[list[Record], list[MatterRecord], list[str]]:
    data: Any = _json_located(text)
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("matters", []), list):
        raise ImportRefused([_("第 1 行：JSON 文件应为一个对象，含 departments 和 matters 两个列表。")])
    departments = []
    row: Any
    for row in data.get("departments", []) or []:
        if not isinstance(row, dict):
            errors.append(_("第 %(line)s 行：部门应为一个对象。") % {"line": _line(data.get("departments"))})
            continue
        departments.append(Record(_line(row), dict(row)))
    matters = []
    for row in data.get("matters", []):
        if not isinstance(row, dict):
            errors.append(_("第 %(line)s 行：事项应为一个对象。") % {"line": _line(data.get("matters"))})
            continue
        values = {k: v for k, v in row.items() if k not in ("materials", "fees", "fields")}
        record = MatterRecord(_line(row), values)
        for key, target in (("materials", record.materials), ("fees", record.fees), ("fields", record.fields)):
            items = row.get(key, [])
            if not isinstance(items, list):
                errors.append(_("第 %(line)s 行：%(key)s 应为列表。") % {"line": _line(row), "key": key})
                continue
            item: Any
            for item in items:
                if not isinstance(item, dict):
                    errors.append(_("第 %(line)s 行：%(key)s 的每一项应为对象。") % {"line": _line(row), "key": key})
                    continue
                target.append(Record(_line(item), dict(item)))
        matters.append(record)
    return departments, matters, errors


def read_csv(text: str) -> tuple[list[Record], list[MatterRecord], list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[str] = []
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise ImportRefused([_("文件为空。")]) from exc
    except csv.Error as exc:
        raise ImportRefused([_("第 1 行：CSV 格式错误（%(msg)s）。") % {"msg": exc}]) from exc
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        errors.append(_("第 1 行：未知的列：%(cols)s。") % {"cols": "、".join(unknown)})
    if "record" not in header or "code" not in header:
        raise ImportRefused([*errors, _("第 1 行：缺少 record 或 code 列。")])
    departments: list[Record] = []
    matters: dict[str, MatterRecord] = {}
    children: list[tuple[str, Record]] = []
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(_("第 %(line)s 行：CSV 格式错误（%(msg)s）。") % {"line": start, "msg": exc})
            break
        line = start
        row = [spreadsheet_unescape(cell) for cell in row]
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(_("第 %(line)s 行：列数多于表头。") % {"line": line})
            continue
        cells = {h: c for h, c in zip(header, row, strict=False) if h in CSV_COLUMNS}
        kind = cells.pop("record", "").strip()
        code = cells.get("code", "").strip()
        if kind == "department":
            departments.append(Record(line, {k: cells.get(k, "") for k in DEPARTMENT_FIELDS if k in cells}))
        elif kind == "matter":
            values = {k: v for k, v in cells.items() if k in ("code", "department", *MATTER_FIELDS)}
            if code in matters:
                errors.append(
                    _("第 %(line)s 行：事项 %(code)s 在文件中重复（第 %(first)s 行已出现）。")
                    % {"line": line, "code": code, "first": matters[code].line}
                )
                continue
            matters[code] = MatterRecord(line, values)
        elif kind in ("material", "fee", "field"):
            prefix = {"material": "material_", "fee": "fee_item_", "field": "form_field_"}[kind]
            values = {k.removeprefix(prefix): v for k, v in cells.items() if k.startswith(prefix)}
            children.append((kind, Record(line, {"code": code, **values})))
        else:
            errors.append(
                _("第 %(line)s 行：record 列须为 department、matter、material、fee 或 field，而不是“%(kind)s”。")
                % {"line": line, "kind": kind}
            )
    for kind, record in children:
        parent = matters.get(record.values.pop("code"))
        if parent is None:
            errors.append(
                _("第 %(line)s 行：所属事项不在文件中（须有同一实施编码的 matter 记录）。") % {"line": record.line}
            )
        elif kind == "material":
            parent.materials.append(record)
        elif kind == "field":
            parent.fields.append(record)
        else:
            parent.fees.append(record)
    return departments, list(matters.values()), errors
