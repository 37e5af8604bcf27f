"""What an online application and a bundle application (一件事) share, written once: starting or resuming the
applicant's one draft, the hall chosen among those that receive it, the form's answers merged and checked, the
result's delivery chosen, the files stored, taken back and discarded, and the checks made at submission (every
required answer, every required material named at once, the delivery still valid)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall
from apps.front.delivery.services import delivery_choice_check
from apps.front.intake.models import CaseMaterial
from apps.front.intake.services import upload_check
from apps.front.online.conf import online_conf
from apps.shared.accounts.models import User
from apps.shared.catalog.formfields import FormInvalid, form_values_check
from apps.shared.catalog.models import MatterField
from govservice.api import Conflict, DomainError
from govservice.lib.filetypes import EXTENSIONS

from ..models import ApplicationFile, BundleApplication, OnlineApplication

Draft = TypeVar("Draft", OnlineApplication, BundleApplication)


# --- Starting --------------------------------------------------------------------------------------------------


def hall_chosen(halls: Sequence[Hall], hall_id: int | None, *, wrong: str) -> Hall:
    """The hall asked for among those that receive the application (``wrong``: the refusal when it is not one of
    them), or the only one; several and none asked for: the applicant chooses."""
    if hall_id is not None:
        hall = next((h for h in halls if h.id == hall_id), None)
        if hall is None:
            raise DomainError(wrong, code="wrong_hall")
        return hall
    if len(halls) == 1:
        return halls[0]
    raise DomainError(_("请选择受理大厅。"), code="invalid_hall")


def draft_start(
    model: type[Draft],
    *,
    draft: Mapping[str, Any],
    actor: User,
    visible: models.QuerySet[Draft],
    create: Callable[[], Mapping[str, Any]],
) -> tuple[Draft, bool]:
    """The applicant's one draft (``draft``: what finds it) resumed, or made from ``create()``'s fields; and
    whether it is new. Two starts at once: the other one made it, and this one resumes it. An agent never opens a
    draft the principal (or another agent) keeps to themselves (``visible``: what the actor may see)."""
    found = model.objects.filter(**draft).first()
    if found is None:
        try:
            with transaction.atomic():
                return model.objects.create(**draft_fields(draft), **create()), True
        except IntegrityError:
            found = model.objects.get(**draft)
    if not visible.filter(id=found.id).exists():
        raise Conflict(
            _("委托人已有该事项尚未提交的网上申请，请委托人本人继续填写，或删除后再由您代为申报。"), code="draft_exists"
        )
    return found, False


def draft_fields(lookup: Mapping[str, Any]) -> dict[str, Any]:
    """The lookup's plain fields (not its ``__isnull`` conditions), for the new row."""
    return {k: v for k, v in lookup.items() if "__" not in k}


# --- Filling in ------------------------------------------------------------------------------------------------


def answers_merged(fields: Sequence[MatterField], saved: Mapping[str, Any], given: Any) -> dict[str, Any]:
    """The answers after this change (merged by key; an empty answer clears one), each checked."""
    if not isinstance(given, Mapping):
        raise FormInvalid(_("申请表应为“字段标识: 填写内容”的对象。"), code="form_invalid", errors={})
    check = form_values_check(fields, {**saved, **{str(k): v for k, v in given.items()}}, complete=False)
    if check.errors:
        raise FormInvalid(" ".join(check.messages()), code="form_invalid", errors=check.errors)
    return check.values


def delivery_set(application: OnlineApplication | BundleApplication, delivery: Mapping[str, Any]) -> list[str]:
    """How the result is to come back, checked (delivery's rule) and set on the application; the fields changed."""
    fields = delivery_choice_check(
        method=str(delivery.get("method", "")),
        recipient_name=str(delivery.get("recipient_name", "")),
        recipient_phone=str(delivery.get("recipient_phone", "")),
        address=str(delivery.get("address", "")),
    )
    application.delivery_method = fields["method"]
    application.recipient_name = fields["recipient_name"]
    application.recipient_phone = fields["recipient_phone"]
    application.address = fields["address"]
    return ["delivery_method", "recipient_name", "recipient_phone", "address"]


# --- Files -----------------------------------------------------------------------------------------------------


def file_add(
    load: Callable[[], tuple[OnlineApplication | BundleApplication, set[str], str]],
    upload: UploadedFile,
    *,
    material_key: str,
) -> ApplicationFile:
    """One file for one material of the application, checked like a window's scan (size, the real type from its
    first bytes, the virus-scanner hook) and stored encrypted. ``load`` reads the application locked, with its
    materials' keys and the refusal of another key; it is called twice: for the early refusals (before anything is
    written), then, once the file is stored outside any transaction, to name it under the lock (a refusal then
    deletes the file again)."""
    with transaction.atomic():
        application, keys, wrong = load()
        if material_key not in keys:
            raise DomainError(wrong, code="wrong_material")
        _room_check(application)
    staged = file_stage(upload, material_key=material_key, prefix=application.code)
    try:
        with transaction.atomic():
            application, keys, wrong = load()
            return file_staged_add(application, staged, keys=keys, wrong=wrong)
    except BaseException:
        staged_discard([staged])
        raise


def _room_check(application: OnlineApplication | BundleApplication) -> None:
    if application.files.count() >= online_conf.ONLINE_FILES_MAX:
        raise Conflict(_("本申请上传的文件已达上限，请删除不需要的文件后再上传。"), code="limit_reached")


@dataclass(frozen=True)
class StagedFile:
    """An upload checked and written to storage ahead of the transaction that names it (``file_staged_add``): the
    slow part (reading, sniffing, the virus hook, encrypting, writing) holds no row lock. The caller deletes it
    (``staged_discard``) if that transaction does not commit."""

    material_key: str
    name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def _file_field() -> models.FileField:
    field = ApplicationFile._meta.get_field("file")
    assert isinstance(field, models.FileField)
    return field


def file_stage(upload: UploadedFile, *, material_key: str, prefix: str) -> StagedFile:
    """Check one upload like a window's scan (size, the real type from its first bytes, the virus-scanner hook) and
    write it encrypted to storage, outside any transaction; no row names it yet."""
    content, content_type = upload_check(upload)
    digest = hashlib.sha256(content).hexdigest()
    field = _file_field()
    # The row's own naming (upload_to) and storage (encrypted), as ``row.file.save`` would.
    name = field.generate_filename(ApplicationFile(), f"{prefix}-{digest[:12]}{EXTENSIONS[content_type]}")
    return StagedFile(
        material_key=material_key,
        name=field.storage.save(name, ContentFile(content)),
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest,
    )


def staged_discard(staged: Sequence[StagedFile]) -> None:
    """Delete staged files their transaction did not keep (rolled back, or not needed): those no row names."""
    storage = _file_field().storage
    for row in staged:
        if not _file_in_use(row.name, except_file=0):
            storage.delete(row.name)


def file_staged_add(
    application: OnlineApplication | BundleApplication, staged: StagedFile, *, keys: set[str], wrong: str
) -> ApplicationFile:
    """A staged file as one of the application's (``keys``: its materials'; ``wrong``: the refusal of another key),
    in the caller's transaction."""
    if staged.material_key not in keys:
        raise DomainError(wrong, code="wrong_material")
    _room_check(application)
    owner = "bundle_application" if isinstance(application, BundleApplication) else "application"
    row = ApplicationFile.objects.create(
        material_key=staged.material_key,
        file=staged.name,
        original_name=staged.original_name,
        content_type=staged.content_type,
        size=staged.size,
        sha256=staged.sha256,
        **{owner: application},
    )
    type(application).objects.filter(id=application.id).update(updated_at=timezone.now())
    return row


def _file_in_use(name: str, *, except_file: int) -> bool:
    return (
        CaseMaterial.objects.filter(file=name).exists()
        or ApplicationFile.objects.filter(file=name).exclude(id=except_file).exists()
    )


def file_remove_stored(row: ApplicationFile) -> None:
    """Take a file out of storage unless a case's material (or another upload) names the same stored file."""
    if row.file.name and not _file_in_use(row.file.name, except_file=row.id):
        row.file.storage.delete(row.file.name)


def file_take_back(application: OnlineApplication | BundleApplication, file_id: int) -> None:
    """Take back a file of the application not yet sent with it."""
    row = application.files.filter(id=file_id).first()
    if row is None:
        raise DomainError(_("未找到该文件。"), code="not_found")
    if row.sent:
        raise Conflict(_("已提交的材料不能删除。"), code="invalid_state")
    file_remove_stored(row)
    row.delete()


def draft_discard(application: OnlineApplication | BundleApplication, *, refusal: str) -> None:
    """Delete a draft and its files (a submitted one is the cases'; ``refusal`` says where it is withdrawn)."""
    if not application.is_draft:
        raise Conflict(refusal, code="invalid_state")
    for row in application.files.all():
        file_remove_stored(row)
    application.delete()


# --- Submitting ------------------------------------------------------------------------------------------------


def submission_check(
    fields: Sequence[MatterField],
    values: Mapping[str, Any],
    *,
    missing: Sequence[str],
    application: OnlineApplication | BundleApplication | None = None,
    complete: bool = True,
) -> dict[str, str]:
    """Everything a submission needs, each shortfall named at once: every required answer (errors by key), every
    required material (行政许可法 Art. 32's spirit), and — for a first submission (``application``) — the delivery
    chosen, still valid. Returns the delivery's fields ({} without ``application``). ``complete`` False: received
    at a window as it is, for the clerk's one-time notice or refusal (the answers given are still checked)."""
    check = form_values_check(fields, values, complete=complete)
    if check.errors:
        raise FormInvalid(" ".join(check.messages()), code="form_incomplete", errors=check.errors)
    if missing and complete:
        raise DomainError(
            _("以下必要材料尚未提供：%(items)s。") % {"items": "、".join(missing)}, code="materials_missing"
        )
    if application is None:
        return {}
    return delivery_choice_check(
        method=application.delivery_method,
        recipient_name=application.recipient_name,
        recipient_phone=application.recipient_phone or "",
        address=application.address or "",
    )
