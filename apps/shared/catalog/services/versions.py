"""Matter versions: a matter is never edited in place. Saving a changed matter makes version n+1 current
and keeps version n (cases, appointments and tickets point at the version they were made under)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govservice.lib.errors import Conflict

from ..models import Department, FeeItem, Material, Matter, MatterField
from ..rules import fee_errors, field_errors, material_errors

MATTER_FIELDS = (
    "basic_code",
    "name",
    "matter_type",
    "level",
    "target",
    "agents_allowed",
    "case_kind",
    "legal_days",
    "promised_days",
    "channels",
    "online_depth",
    "trips",
    "trips_reason",
    "bookable",
    "remote_ok",
    "receiving_halls",
    "life_events",
    "charged",
    "fee_description",
    "fee_basis",
    "fee_waivable",
    "result_name",
    "result_kind",
    "e_licence",
    "correction_restarts_clock",
    "joint_handling",
    "description",
    "keywords",
    "remote_window",
)
MATERIAL_FIELDS = (
    "key",
    "name",
    "form",
    "originals",
    "copies",
    "required",
    "source",
    "issuer",
    "notes",
    "blank_form_url",
    "sample_url",
    "acceptance_standard",
    "deferrable",
)
FEE_FIELDS = ("name", "amount", "unit", "notes")
# The application form's fields (issue 15), part of the version like the materials.
FORM_FIELD_FIELDS = ("key", "label", "kind", "required", "choices", "help_text")

SaveOutcome = Literal["created", "versioned", "unchanged"]
# First key of the advisory lock that serialises the saves of one matter code (the second is its hash).
ADVISORY_LOCK_CLASS = 6001


@dataclass
class MatterDraft:
    """A matter as it should become: the row (unsaved), its materials, fee items and form fields in order."""

    matter: Matter
    materials: list[Material] = field(default_factory=list)
    fees: list[FeeItem] = field(default_factory=list)
    fields: list[MatterField] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.matter.code


@dataclass
class DraftProblems:
    """Problems of a draft: of the matter itself (and across its materials or fees), and per item."""

    matter: list[str] = field(default_factory=list)
    materials: dict[int, list[str]] = field(default_factory=dict)  # index in draft.materials -> messages
    fees: dict[int, list[str]] = field(default_factory=dict)
    fields: dict[int, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.matter or self.materials or self.fees or self.fields)

    def messages(self, draft: MatterDraft) -> list[str]:
        out = list(self.matter)
        for i, problems in sorted(self.materials.items()):
            name = draft.materials[i].name
            out += [
                _("材料 %(n)s「%(name)s」：%(message)s") % {"n": i + 1, "name": name, "message": m} for m in problems
            ]
        for i, problems in sorted(self.fees.items()):
            name = draft.fees[i].name
            out += [
                _("收费项目 %(n)s「%(name)s」：%(message)s") % {"n": i + 1, "name": name, "message": m}
                for m in problems
            ]
        for i, problems in sorted(self.fields.items()):
            name = draft.fields[i].label
            out += [
                _("申请表字段 %(n)s「%(name)s」：%(message)s") % {"n": i + 1, "name": name, "message": m}
                for m in problems
            ]
        return out


def draft_problems(draft: MatterDraft) -> DraftProblems:
    """Every problem of a draft, as messages ready to show (field label first)."""
    found = DraftProblems()
    matter = draft.matter
    try:
        # The department is checked by whoever resolved its code; uniqueness of versions by the save.
        matter.full_clean(
            exclude=["department", "version", "is_current"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        found.matter += _flatten(exc, Matter)
    if not matter.code:
        found.matter.append(_("缺少实施编码。"))
    for i, material in enumerate(draft.materials):
        try:
            material.full_clean(exclude=["matter"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            found.materials[i] = _flatten(exc, Material)
    found.matter += material_errors(draft.materials)
    for i, fee in enumerate(draft.fees):
        problems = []
        try:
            fee.full_clean(exclude=["matter"], validate_constraints=False)
        except ValidationError as exc:
            problems = _flatten(exc, FeeItem)
        if fee.amount is not None and fee.amount < 0:
            problems.append(_("金额不能为负数。"))
        if problems:
            found.fees[i] = problems
    found.matter += fee_errors(charged=bool(matter.charged), fees=draft.fees)
    for i, form_field in enumerate(draft.fields):
        try:
            form_field.full_clean(exclude=["matter"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            found.fields[i] = _flatten(exc, MatterField)
    found.matter += field_errors(draft.fields)
    return found


def draft_errors(draft: MatterDraft) -> list[str]:
    return draft_problems(draft).messages(draft)


def _flatten(exc: ValidationError, model: type[models.Model]) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    out = []
    for name, errors in exc.error_dict.items():
        label = "" if name == "__all__" else str(getattr(model._meta.get_field(name), "verbose_name", name))
        for error in errors:
            for message in error.messages:
                out.append(f"{label}：{message}" if label else message)
    return out


def draft_snapshot(draft: MatterDraft) -> dict[str, Any]:
    """What makes two versions the same matter text; the import compares these to skip unchanged rows."""
    return _snapshot(draft.matter, draft.matter.department_id, draft.materials, draft.fees, draft.fields)


def matter_snapshot(matter: Matter) -> dict[str, Any]:
    return _snapshot(
        matter,
        matter.department_id,
        list(matter.materials.all()),
        list(matter.fee_items.all()),
        list(matter.form_fields.all()),
    )


def _snapshot(
    matter: Matter,
    department_id: int | None,
    materials: Sequence[Material],
    fees: Sequence[FeeItem],
    fields: Sequence[MatterField],
) -> dict[str, Any]:
    return {
        "department": department_id,
        **{name: _plain(getattr(matter, name)) for name in MATTER_FIELDS},
        "materials": [{name: _plain(getattr(m, name)) for name in MATERIAL_FIELDS} for m in materials],
        "fees": [{name: _plain(getattr(f, name)) for name in FEE_FIELDS} for f in fees],
        "fields": [{name: _plain(getattr(f, name)) for name in FORM_FIELD_FIELDS} for f in fields],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    if isinstance(value, list | tuple):
        return list(value)
    return value


@transaction.atomic
def matter_save(
    *, draft: MatterDraft, change_note: str = "", skip_unchanged: bool = True
) -> tuple[Matter, SaveOutcome]:
    """Make the draft the current version of its code: version 1, or n+1 with version n kept as history."""
    errors = draft_errors(draft)
    if errors:
        raise ValidationError(errors)
    code = draft.matter.code
    # One writer per code at a time, until commit: two editors of one matter make versions n+1 and n+2,
    # never two n+1, and two first saves of a new code make version 1 and then 2 (or "unchanged"). A row
    # lock cannot cover the first save, where there is no row yet: a transaction-level advisory lock can.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [ADVISORY_LOCK_CLASS, code])
    current = Matter.objects.filter(code=code, is_current=True).first()
    if current is not None and skip_unchanged and matter_snapshot(current) == draft_snapshot(draft):
        return current, "unchanged"
    last = Matter.objects.filter(code=code).aggregate(last=Max("version"))["last"] or 0
    if current is not None:
        Matter.objects.filter(id=current.id).update(is_current=False)
    matter = Matter(
        code=code,
        version=last + 1,
        is_current=True,
        created_at=timezone.now(),
        change_note=change_note or draft.matter.change_note,
        department_id=draft.matter.department_id,
        **{name: getattr(draft.matter, name) for name in MATTER_FIELDS},
    )
    try:
        with transaction.atomic():
            matter.save(force_insert=True)
    except IntegrityError as exc:
        # A check constraint repeats a rule the draft passed, or another first version won the race.
        raise Conflict(
            _("事项 %(code)s 保存失败，可能已被他人同时修改，请刷新后重试。") % {"code": code}, code="concurrent_edit"
        ) from exc
    Material.objects.bulk_create(
        Material(matter=matter, position=position, **{name: getattr(m, name) for name in MATERIAL_FIELDS})
        for position, m in enumerate(draft.materials, start=1)
    )
    FeeItem.objects.bulk_create(
        FeeItem(matter=matter, position=position, **{name: getattr(f, name) for name in FEE_FIELDS})
        for position, f in enumerate(draft.fees, start=1)
    )
    MatterField.objects.bulk_create(
        MatterField(matter=matter, position=position, **{name: getattr(f, name) for name in FORM_FIELD_FIELDS})
        for position, f in enumerate(draft.fields, start=1)
    )
    return matter, "created" if current is None and last == 0 else "versioned"


def matter_draft_from(matter: Matter) -> MatterDraft:
    """A draft equal to an existing version (to edit a copy of it)."""
    draft = Matter(
        code=matter.code, department_id=matter.department_id, **{n: getattr(matter, n) for n in MATTER_FIELDS}
    )
    return MatterDraft(
        matter=draft,
        materials=[Material(**{n: getattr(m, n) for n in MATERIAL_FIELDS}) for m in matter.materials.all()],
        fees=[FeeItem(**{n: getattr(f, n) for n in FEE_FIELDS}) for f in matter.fee_items.all()],
        fields=[MatterField(**{n: getattr(f, n) for n in FORM_FIELD_FIELDS}) for f in matter.form_fields.all()],
    )


def department_resolve(code: str) -> Department | None:
    return Department.objects.filter(code=code).first()
