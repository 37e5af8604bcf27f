"""The values of a matter's application form (issue 15): what each field kind accepts, checked on the server
whatever sent them (the page's form, the API's JSON). A draft may leave fields empty; a submission may not
leave a required one empty. Values are stored as JSON: text and dates as strings (ISO dates), numbers as
integers, yes/no as booleans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from govservice.api import DomainError

from .models import FieldKind, MatterField

TEXT_MAX = 200
LONG_TEXT_MAX = 2000
NUMBER_MAX = 10**12
TRUE_WORDS = frozenset({"true", "1", "yes", "on", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", "否"})


@dataclass
class FormCheck:
    """The cleaned values (by key) and the problems, by key, each a sentence that names the field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def messages(self) -> list[str]:
        return list(self.errors.values())


class FormInvalid(DomainError):
    """Answers of the application form that are not what their field takes; ``errors`` by field key (the plain
    JSON views' error body carries them beside the sentence, govservice.api.error_json)."""

    default_code = "form_invalid"

    def __init__(self, message: str, *, code: str, errors: dict[str, str]):
        super().__init__(message, code=code)
        self.errors = errors


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _one(form_field: MatterField, raw: Any) -> Any:
    """The stored value of one answer, or ValueError with the reason (the caller names the field)."""
    kind = form_field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ValueError(_("应为文字"))
        text = str(raw).strip()
        limit = TEXT_MAX if kind == FieldKind.TEXT else LONG_TEXT_MAX
        if len(text) > limit:
            raise ValueError(_("不能超过%(n)s个字") % {"n": limit})
        if "\x00" in text:
            raise ValueError(_("含有无效字符"))
        return text
    if kind == FieldKind.NUMBER:
        if isinstance(raw, bool):
            raise ValueError(_("应为整数"))
        if isinstance(raw, int):
            number = raw
        else:
            text = str(raw).strip()
            if not text.lstrip("-").isdigit() or not text.isascii():
                raise ValueError(_("应为整数"))
            number = int(text)
        if abs(number) > NUMBER_MAX:
            raise ValueError(_("数值过大"))
        return number
    if kind == FieldKind.DATE:
        if not isinstance(raw, str):
            raise ValueError(_("应为日期（年-月-日）"))
        try:
            return dt.date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            raise ValueError(_("应为日期（年-月-日）")) from None
    if kind == FieldKind.CHOICE:
        text = str(raw).strip() if isinstance(raw, str) else ""
        if text not in form_field.choices:
            raise ValueError(_("应为以下之一：%(choices)s") % {"choices": "、".join(form_field.choices)})
        return text
    if kind == FieldKind.YES_NO:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower() if isinstance(raw, str | int) else ""
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("应为“是”或“否”"))
    raise ValueError(_("字段类型未知"))


def form_values_check(fields: Iterable[MatterField], raw: Mapping[str, Any], *, complete: bool) -> FormCheck:
    """Check the answers ``raw`` (by field key) against the form. Unknown keys are refused; an empty answer
    is no answer. ``complete``: every required field must be answered (a submission), else a draft."""
    fields = list(fields)
    by_key = {f.key: f for f in fields}
    check = FormCheck()
    for key in raw:
        if key not in by_key:
            check.errors[str(key)] = _("申请表没有“%(key)s”这一项。") % {"key": str(key)[:64]}
    for form_field in fields:
        value = raw.get(form_field.key)
        if _empty(value):
            if complete and form_field.required:
                check.errors[form_field.key] = _("请填写“%(label)s”。") % {"label": form_field.label}
            continue
        try:
            check.values[form_field.key] = _one(form_field, value)
        except ValueError as exc:
            check.errors[form_field.key] = _("“%(label)s”%(reason)s。") % {"label": form_field.label, "reason": exc}
    return check


def form_values_display(fields: Iterable[MatterField], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, answer) in the form's order, answers as people read them (是/否 for yes/no)."""
    out = []
    for form_field in fields:
        value = values.get(form_field.key)
        if value is None or value == "":
            text = ""
        elif form_field.kind == FieldKind.YES_NO:
            text = _("是") if value else _("否")
        else:
            text = str(value)
        out.append((form_field.label, text))
    return out
