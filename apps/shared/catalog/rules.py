"""The catalogue checker's consistency rules (DOMAIN.md §2), in one place.

Model ``clean()`` (admin forms), the services and the importer all ask these functions, so a matter is
refused with the same message wherever it comes from. The rules that one row can show are also database
constraints (``Matter.Meta.constraints``); "charged ⇒ fee items" spans two tables and "trips > 0 needs a
reason" is kept out of the database only because matters made by other code paths (factories, benchmarks)
rely on the model defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .prerequisites import prerequisites

if TYPE_CHECKING:
    from .models import BundleItem, FeeItem, Material, Matter, MatterField

HALL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def matter_errors(matter: Matter) -> dict[str, list[str]]:
    """Broken rules of one matter row, by field (``"__all__"`` when no single field is to blame)."""
    from .models import JOINT_LEGAL_DAYS_MAX, CaseKind, Channel, OnlineDepth

    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    legal, promised = matter.legal_days, matter.promised_days
    if legal is not None and promised is not None and promised > legal:
        add(
            "promised_days",
            _("承诺办结时限（%(promised)s 个工作日）不能超过法定办结时限（%(legal)s 个工作日）。")
            % {"promised": promised, "legal": legal},
        )
    if matter.joint_handling and legal is not None and legal > JOINT_LEGAL_DAYS_MAX:
        add(
            "legal_days",
            _("联合办理（并联审批）的事项法定办结时限不能超过%(max)s个工作日。") % {"max": JOINT_LEGAL_DAYS_MAX},
        )
    if matter.case_kind == CaseKind.INSTANT and promised not in (None, 0):
        add("promised_days", _("即办件应当场办结：承诺办结时限须为 0。"))
    if matter.case_kind == CaseKind.PROMISED and promised == 0:
        add("case_kind", _("承诺时限为 0（当场办结）的事项应为即办件。"))
    channels = list(matter.channels or [])
    if not channels:
        add("channels", _("至少选择一种办理渠道。"))
    unknown = sorted(set(channels) - set(Channel.values))
    if unknown:
        add("channels", _("未知的办理渠道：%(values)s。") % {"values": "、".join(unknown)})
    if matter.online_depth not in OnlineDepth.values:
        add("online_depth", _("网办深度须为 Ⅰ–Ⅳ 级（1–4）。"))
    if matter.trips is not None and matter.trips > 2:
        add("trips", _("到办事现场次数最多为 2 次。"))
    if matter.trips and not (matter.trips_reason or "").strip():
        add("trips_reason", _("到现场次数大于 0 时，须写明必须现场办理的原因。"))
    if matter.online_depth == OnlineDepth.FULLY_ONLINE:
        if matter.trips:
            add("trips", _("全程网办（Ⅳ 级）的事项到现场次数须为 0。"))
        if Channel.ONLINE not in channels:
            add("channels", _("全程网办（Ⅳ 级）的事项须提供网上办理渠道。"))
    elif matter.trips == 0 and Channel.MAIL not in channels:
        add("channels", _("零跑动但非全程网办的事项须支持邮寄办理。"))
    bad_halls = [code for code in matter.receiving_halls or [] if not HALL_CODE.match(code)]
    if bad_halls:
        add("receiving_halls", _("大厅编码格式有误：%(codes)s。") % {"codes": "、".join(bad_halls)})
    if len(set(matter.receiving_halls or [])) != len(matter.receiving_halls or []):
        add("receiving_halls", _("可收件大厅有重复。"))
    return errors


def fee_errors(*, charged: bool, fees: Sequence[FeeItem]) -> list[str]:
    """DOMAIN.md §2: a charged matter lists its fee items; a free one lists none."""
    if charged and not fees:
        return [_("收费事项须至少列出一个收费项目（名称和金额）。")]
    if not charged and fees:
        return [_("不收费的事项不应列出收费项目；如需收费请勾选“是否收费”。")]
    return []


def material_errors(materials: Iterable[Material]) -> list[str]:
    """Rules across the materials of one matter: keys unique (other apps refer to them), names unique."""
    errors = []
    seen_keys: set[str] = set()
    seen_names: set[str] = set()
    for material in materials:
        if material.key in seen_keys:
            errors.append(_("材料标识“%(key)s”重复：同一事项内每份材料的标识须唯一。") % {"key": material.key})
        if material.name in seen_names:
            errors.append(_("材料“%(name)s”重复列出。") % {"name": material.name})
        seen_keys.add(material.key)
        seen_names.add(material.name)
    return errors


# 容缺受理 defers minor items only: the applicant's identity and the application itself are what a case is
# (DOMAIN.md §4). GB/T 39046 gives materials no type, so they are known by their key (the catalogue's own
# loaders give readable keys) or by the words of their name.
NEVER_DEFERRED_KEYS = frozenset({"id-card", "guardian-id-card", "application-form", "business-licence"})
# The catalogue's key of a matter's application form (申请书, 申请表): a matter's own form, filled in online or in a
# remote session, replaces it.
APPLICATION_FORM_KEY = "application-form"
NEVER_DEFERRED_WORDS = ("身份证", "护照", "营业执照", "申请书", "申请表", "登记表")


def never_deferred(material: Material) -> bool:
    """An identity document or the application form: 容缺受理 never defers it."""
    name = material.name or ""
    return material.key in NEVER_DEFERRED_KEYS or any(word in name for word in NEVER_DEFERRED_WORDS)


def one_material_errors(material: Material) -> list[str]:
    from .models import MaterialSource

    errors = []
    if material.deferrable and never_deferred(material):
        errors.append(_("材料“%(name)s”是身份证件或申请表，不能容缺。") % {"name": material.name})
    if material.deferrable and not material.required:
        errors.append(_("材料“%(name)s”不是必要材料，无需设为可容缺。") % {"name": material.name})
    if not material.originals and not material.copies:
        errors.append(_("材料“%(name)s”的原件和复印件份数不能都为 0。") % {"name": material.name})
    if material.source == MaterialSource.GOVERNMENT and not (material.issuer or "").strip():
        errors.append(_("材料“%(name)s”由政府部门核发，须写明出具单位。") % {"name": material.name})
    return errors


def one_field_errors(field: MatterField) -> list[str]:
    """One application form field: a choice offers at least two distinct options, other kinds none."""
    from .models import FieldKind

    errors = []
    choices = [c.strip() for c in field.choices or []]
    label = field.label or field.key
    if field.kind not in FieldKind.values:
        errors.append(_("字段“%(label)s”的类型未知。") % {"label": label})
    elif field.kind == FieldKind.CHOICE:
        if len(set(choices)) < 2 or any(not c for c in choices):
            errors.append(_("单项选择字段“%(label)s”须至少列出两个不同的可选项。") % {"label": label})
        elif len(set(choices)) != len(choices):
            errors.append(_("字段“%(label)s”的可选项有重复。") % {"label": label})
    elif choices:
        errors.append(_("只有单项选择字段才列出可选项（字段“%(label)s”）。") % {"label": label})
    return errors


def field_errors(fields: Iterable[MatterField]) -> list[str]:
    """Rules across the fields of one form: keys unique (a draft's answers are kept by key), labels unique."""
    errors = []
    seen_keys: set[str] = set()
    seen_labels: set[str] = set()
    for form_field in fields:
        if form_field.key in seen_keys:
            errors.append(_("申请表字段标识“%(key)s”重复：同一事项内每个字段的标识须唯一。") % {"key": form_field.key})
        if form_field.label in seen_labels:
            errors.append(_("申请表字段“%(label)s”重复列出。") % {"label": form_field.label})
        seen_keys.add(form_field.key)
        seen_labels.add(form_field.label)
    return errors


def bundle_errors(items: Sequence[BundleItem], *, online: bool = True, visit: bool = False) -> list[str]:
    """一件事: every matter current, each once; applied for by at least one road: ``online`` (one online
    submission: every matter online-capable, depth Ⅲ/Ⅳ) and/or ``visit`` (one booked hall visit: the windows
    receive every matter, so a window-only matter is allowed when the bundle is not also offered online); an
    item waits only for another item of the bundle, never in a circle; a form field asked by two matters under
    one key asks the same thing (the merged form asks it once)."""
    from .models import FieldKind, Matter, OnlineDepth

    errors: list[str] = []
    if not online and not visit:
        errors.append(_("一件事须至少开放一种办理方式（网上一次提交或预约到大厅一次办）。"))
    codes = [item.matter_code for item in items]
    if not codes:
        return [*errors, _("一件事至少包含两个事项。")]
    if len(codes) < 2:
        errors.append(_("一件事至少包含两个事项。"))
    if len(set(codes)) != len(codes):
        errors.append(_("同一事项在一件事中只能出现一次。"))
    matters = {
        m.code: m for m in Matter.objects.filter(code__in=codes, is_current=True).prefetch_related("form_fields")
    }
    for code in codes:
        matter = matters.get(code)
        if matter is None:
            errors.append(_("没有实施编码为“%(code)s”的现行事项。") % {"code": code})
        elif online and matter.online_depth < OnlineDepth.ONLINE_ACCEPTANCE:
            errors.append(_("事项“%(name)s”不支持网上申报（网办深度须为 Ⅲ 或 Ⅳ 级）。") % {"name": matter.name})
    after = {item.matter_code: item.after for item in items if item.after}
    for before in after.values():
        if before not in codes:
            errors.append(_("前置事项“%(code)s”不在本一件事中。") % {"code": before})
    for start in after:
        chain = [start, *prerequisites(start, after.get)]
        if after.get(chain[-1]):  # the walk ended before a matter it had passed, not at one waiting for none
            errors.append(_("前置事项形成循环，请检查事项“%(code)s”。") % {"code": start})
    asked: dict[str, tuple[str, str, list[str]]] = {}
    for code in codes:
        matter = matters.get(code)
        for form_field in matter.form_fields.all() if matter else ():
            shape = (
                form_field.kind,
                form_field.label,
                list(form_field.choices) if form_field.kind == FieldKind.CHOICE else [],
            )
            if asked.setdefault(form_field.key, shape) != shape:
                errors.append(
                    _("申请表字段“%(key)s”在多个事项中含义不同（名称、类型或可选项不一致），合并申请表无法只问一次。")
                    % {"key": form_field.key}
                )
    return list(dict.fromkeys(errors))
