"""Writes for online applications (网上申报, issue 15): start or resume a draft, fill in the form, upload the
materials, choose how the result comes back, submit (intake receives it as a case), and complete it after a
one-time notice. Every write checks what it is given on the server; the legal effects are intake's."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.front.delivery.conf import delivery_conf
from apps.front.delivery.services import delivery_choose
from apps.front.intake.services import Reuse, StoredUpload, case_online_resubmit, case_receive_online
from apps.shared.accounts.models import User
from apps.shared.catalog.formfields import form_values_display
from apps.shared.catalog.models import Matter
from apps.shared.privacy.consents import consent_require
from apps.shared.privacy.models import Channel, ConsentPurpose
from govservice.api import Conflict, DomainError
from govservice.lib.codes import human_code

from ..form_pdf import application_form_pdf
from ..models import ApplicationFile, OnlineApplication
from ..selectors import (
    APPLICATION_FORM_KEY,
    HELD,
    MISSING,
    application_get_for_user,
    applications_of,
    checklist_for,
    form_fields_of,
    online_allowed,
    online_halls,
)
from .acting import acting_check, acting_record
from .drafts import (
    answers_merged,
    delivery_set,
    draft_discard,
    draft_start,
    file_add,
    file_take_back,
    hall_chosen,
    submission_check,
)

# What the applicant declares on submitting (申请人声明), printed in Chinese on the form they file; the page shows
# it in the reader's language (gettext(DECLARATION)), so it is marked for translation but kept Chinese here.
DECLARATION = gettext_noop("本人承诺所填写的信息和提交的材料真实、准确、完整，如有虚假，愿承担相应的法律责任。")


def _locked(*, actor: User, code: str) -> OnlineApplication:
    """The actor's application (404 otherwise), locked: one write at a time per application. Someone acting for
    the applicant does so within their authority now (a revocation counts at once)."""
    found = application_get_for_user(user=actor, code=code)
    application = (
        OnlineApplication.objects.select_for_update(of=("self",))
        .select_related("matter__department", "hall", "case__matter", "case__hall", "applicant")
        .get(id=found.id)
    )
    acting_check(applicant=application.applicant, actor=actor, matters=[application.matter], case=application.case)
    return application


def _rebase(application: OnlineApplication) -> None:
    """A draft whose matter got a new version moves to the current one: answers and files are kept by key (a key
    the new version no longer has drops its answer; its files stay, shown as extra)."""
    if application.case_id is not None or application.matter.is_current:
        return
    current = Matter.objects.select_related("department").filter(code=application.matter_code, is_current=True).first()
    if current is None:
        raise DomainError(_("该事项已停止办理。"), code="not_found")
    keys = {f.key for f in current.form_fields.all()}
    application.matter = current
    application.form_values = {k: v for k, v in application.form_values.items() if k in keys}
    application.save(update_fields=["matter", "form_values", "updated_at"])


def _editable(*, actor: User, code: str) -> OnlineApplication:
    application = _locked(actor=actor, code=code)
    if not application.editable:
        raise Conflict(_("申请已提交，当前不能修改。"), code="invalid_state")
    _rebase(application)
    return application


@transaction.atomic
def application_start(
    *, applicant: User, actor: User, matter_code: str, hall_id: int | None = None
) -> tuple[OnlineApplication, bool]:
    """Start an online application for a matter that allows it (online depth Ⅲ/Ⅳ), at a hall that receives it;
    or resume the applicant's draft for that matter. Returns the application and whether it is new."""
    if not applicant.is_real_name_verified:
        raise DomainError(_("请先完成实名认证再网上申报。"), code="forbidden")
    matter = Matter.objects.select_related("department").filter(code=str(matter_code)[:64], is_current=True).first()
    if matter is None:
        raise DomainError(_("未找到该事项。"), code="not_found")
    # Someone acting for the applicant: the mandates' rule, as at a window (scope, act, in force today).
    authority = acting_check(applicant=applicant, actor=actor, matters=[matter])
    if not online_allowed(matter):
        raise DomainError(_("该事项不支持网上申报，请预约到大厅办理。"), code="not_online")
    halls = online_halls(matter)
    if not halls:
        raise DomainError(_("目前没有大厅受理该事项的网上申请。"), code="matter_not_served")
    application, created = draft_start(
        OnlineApplication,
        draft={
            "applicant": applicant,
            "matter_code": matter.code,
            "case__isnull": True,
            "bundle_application__isnull": True,
        },
        actor=actor,
        visible=applications_of(actor),
        create=lambda: {
            "code": human_code(10),
            "filed_by": actor,
            "matter": matter,
            "hall": hall_chosen(halls, hall_id, wrong=_("所选大厅不受理该事项。")),
            "delivery_method": delivery_conf.DELIVERY_DEFAULT_METHOD,
        },
    )
    if not created:
        return application, False
    acting_record(authority, actor=actor, reference=application.code, note=f"{matter.name}：开始网上申报")
    return application, True


@transaction.atomic
def application_update(
    *,
    actor: User,
    code: str,
    form_values: Mapping[str, Any] | None = None,
    delivery: Mapping[str, str] | None = None,
    hall_id: int | None = None,
) -> OnlineApplication:
    """Save what the applicant filled in (a draft, or an application being completed after a one-time notice):
    the form's answers, how to receive the result, the hall. Nothing is saved if any of it is wrong."""
    application = _editable(actor=actor, code=code)
    changed: list[str] = []
    if form_values is not None:
        application.form_values = answers_merged(
            form_fields_of(application.matter), application.form_values, form_values
        )
        changed.append("form_values")
    submitted = application.case_id is not None
    if delivery is not None:
        if submitted:
            raise Conflict(_("申请已提交，领取方式请在办件页面变更。"), code="invalid_state")
        changed += delivery_set(application, delivery)
    if hall_id is not None and hall_id != application.hall_id:
        if submitted:
            raise Conflict(_("申请已提交，不能更换受理大厅。"), code="invalid_state")
        application.hall = hall_chosen(online_halls(application.matter), hall_id, wrong=_("所选大厅不受理该事项。"))
        changed.append("hall")
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
    return application


def application_upload(*, actor: User, code: str, material_key: str, upload: UploadedFile) -> ApplicationFile:
    """One file for one material of the application, checked like a window's scan (size, the real type from its
    first bytes, the virus-scanner hook) and stored encrypted (outside the application's lock: drafts.file_add)."""

    def load() -> tuple[OnlineApplication, set[str], str]:
        application = _editable(actor=actor, code=code)
        keys = set(application.matter.materials.values_list("key", flat=True))
        return application, keys, _("上传的材料不属于该事项。")

    return file_add(load, upload, material_key=material_key)


@transaction.atomic
def application_file_remove(*, actor: User, code: str, file_id: int) -> None:
    """Take back a file not yet sent with the application."""
    file_take_back(_editable(actor=actor, code=code), file_id)


@transaction.atomic
def application_discard(*, actor: User, code: str) -> None:
    """Delete a draft and its files (a submitted application is the case's; it is withdrawn, never deleted)."""
    draft_discard(_locked(actor=actor, code=code), refusal=_("申请已提交，不能删除；如需撤回请在办件页面操作。"))


def _form_pdf(application: OnlineApplication, *, items, resubmission: bool) -> StoredUpload | None:
    """The application form (申请表) as a PDF, from the answers: one of the case's materials, which central reads
    like any other. None for a matter without an online form."""
    fields = form_fields_of(application.matter)
    if not fields:
        return None
    matter = application.matter
    now = timezone.localtime()
    pdf = application_form_pdf(
        title="网上申请表（补正后）" if resubmission else "网上申请表",
        code=application.code,
        matter=matter,
        hall=application.hall,
        applicant=application.applicant,
        answers=form_values_display(fields, application.form_values),
        materials=[(item.material.name, item.state) for item in items],
        declaration=DECLARATION,
        at=now,
    )
    digest = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(f"online/{now:%Y/%m}/{application.code}-form-{digest[:12]}.pdf", ContentFile(pdf))
    form_material = matter.materials.filter(key=APPLICATION_FORM_KEY).first()
    return StoredUpload(
        material_id=form_material.id if form_material else None,
        path=name,
        original_name=f"{application.code}-申请表.pdf",
        content_type="application/pdf",
        size=len(pdf),
        sha256=digest,
        name="网上申请表",
    )


def _stored(application: OnlineApplication, rows: list[ApplicationFile]) -> list[StoredUpload]:
    by_key = {m.key: m.id for m in application.matter.materials.all()}
    return [
        StoredUpload(
            material_id=by_key.get(row.material_key),
            path=row.file.name or "",
            original_name=row.original_name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            name=row.original_name,
        )
        for row in rows
    ]


def _link_sent(application: OnlineApplication, rows: list[ApplicationFile]) -> None:
    """Each file sent is now one of the case's materials (the same stored file)."""
    assert application.case is not None
    by_file = {m.file.name: m for m in application.case.materials.all()}
    for row in rows:
        material = by_file.get(row.file.name)
        if material is not None:
            ApplicationFile.objects.filter(id=row.id).update(case_material=material)


@transaction.atomic
def application_submit(
    *, actor: User, code: str, declaration: bool, vault_consent: bool = False, channel: str = Channel.WEB
) -> tuple[OnlineApplication, str]:
    """Submit the application: every required answer and material there (what government holds is taken from
    the vault, with the applicant's consent), the declaration made. The hall receives it now as a case (intake:
    Art. 32's five working days and the pre-review limit start today), and the result's way home is chosen on
    it. After a one-time notice the same call sends what was completed into the same case. Returns the
    application and, on the first submission only, the case's query password."""
    application = _editable(actor=actor, code=code)
    if not declaration:
        raise DomainError(_("请阅读并确认申请人声明。"), code="declaration_required")
    password = submit_checked(application, actor=actor, vault_consent=vault_consent, channel=channel)
    return application, password


def submit_checked(
    application: OnlineApplication, *, actor: User, vault_consent: bool, channel: str, complete: bool = True
) -> str:
    """Check and send an application the caller has locked (and whose declaration was made): into a new case,
    or into its case after a one-time notice. Returns the new case's query password ("" on a resubmission).
    ``complete`` False: a 一件事 part received at a window as it is, for the clerk's notice or refusal.
    Someone acting for the applicant does so within their authority at this moment (a bundle's waiting part is
    sent later, and a revocation in between stops it); the case names them beside the applicant."""
    authority = acting_check(
        applicant=application.applicant, actor=actor, matters=[application.matter], case=application.case
    )
    items = checklist_for(application)
    resubmission = application.case_id is not None
    choice = submission_check(
        form_fields_of(application.matter),
        application.form_values,
        missing=[item.material.name for item in items if item.state == MISSING],
        application=None if resubmission else application,
        complete=complete,
    )
    unsent = [row for row in application.files.all() if not row.sent]
    now = timezone.now()
    if not resubmission:
        reuses = [Reuse(item.material.id, item.evidence.id) for item in items if item.state == HELD and item.evidence]
        if reuses:
            consent_require(given=vault_consent, purpose=ConsentPurpose.VAULT_REUSE)
    form = None
    if not resubmission or application.form_values != application.form_values_sent:
        form = _form_pdf(application, items=items, resubmission=resubmission)
    files = _stored(application, unsent) + ([form] if form else [])
    password = ""
    update: list[str]
    try:
        if not resubmission:
            case, password = case_receive_online(
                applicant=application.applicant,
                actor=actor,
                matter=application.matter,
                hall=application.hall,
                files=files,
                reuses=reuses,
                vault_consent=vault_consent,
                consent_channel=channel,
                agent=actor if authority is not None else None,
            )
            delivery_choose(
                citizen=application.applicant,
                number=case.number,
                method=choice["method"],
                recipient_name=choice["recipient_name"],
                recipient_phone=choice["recipient_phone"],
                address=choice["address"],
            )
            application.case, application.submitted_at = case, now
            update = ["case", "submitted_at"]
        else:
            assert application.case is not None
            case_online_resubmit(
                applicant=application.applicant, actor=actor, number=application.case.number, files=files
            )
            application.resubmitted_at = now
            update = ["resubmitted_at"]
    except Exception:
        # The transaction rolls back; the form's file, written to storage, goes with it.
        if form is not None:
            default_storage.delete(form.path)
        raise
    application.form_values_sent = dict(application.form_values)
    application.save(update_fields=[*update, "form_values_sent", "updated_at"])
    _link_sent(application, unsent)
    assert application.case is not None
    acting_record(
        authority,
        actor=actor,
        reference=application.case.number,
        note=f"{application.matter.name}：" + ("补正后重新提交" if resubmission else "提交网上申请"),
    )
    return password
