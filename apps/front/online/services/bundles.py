"""一件事一次办 (issue 15; DOMAIN.md §9): one application for a life event's matters.

The draft holds one merged form (a field asked once, by key, feeds every matter that asks it), one merged
checklist (a material uploaded once, by key, goes to every matter that needs it), one delivery choice and one
declaration. Submitting it makes one online application per matter — a *part* — each sent as its own case to the
hall, pre-reviewed and decided by its department like any online application, in parallel (并联审批). A part that
waits for another (户口 before 社保卡) is sent when that one is approved, and dropped with the reason when it is not
(the applicant — and the agent who filed the bundle — told at once, with what the refusal means for it). When every
part has its answer, one combined notice, to the same people, each in their own language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.front.delivery.conf import delivery_conf
from apps.front.intake.models import Case
from apps.front.mandates.selectors import company_for_account
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Bundle
from apps.shared.catalog.prerequisites import prerequisites, waiting_among
from apps.shared.privacy.consents import consent_require
from apps.shared.privacy.models import Channel, ConsentPurpose
from govservice.api import Conflict, DomainError
from govservice.lib.codes import human_code

from ..models import ApplicationFile, BundleApplication, OnlineApplication
from ..selectors import (
    HELD,
    MISSING,
    OUTCOME_APPROVED,
    OUTCOME_OPEN,
    bundle_application_get_for_user,
    bundle_applications_of,
    bundle_checklist,
    bundle_fields,
    bundle_get,
    bundle_halls,
    bundle_matters,
    online_allowed,
    part_outcome,
    part_outcome_label,
)
from .acting import acting_check, acting_record
from .applications import submit_checked
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

logger = logging.getLogger(__name__)


def _locked(*, actor: User, code: str) -> BundleApplication:
    """The actor's bundle application, locked; someone acting for the applicant within their authority now, in
    every matter of the bundle."""
    found = bundle_application_get_for_user(user=actor, code=code)
    application = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("bundle", "hall", "applicant")
        .get(id=found.id)
    )
    acting_check(
        applicant=application.applicant, actor=actor, matters=[m for _i, m in bundle_matters(application.bundle)]
    )
    return application


def _editable(*, actor: User, code: str) -> BundleApplication:
    application = _locked(actor=actor, code=code)
    if not application.editable:
        raise Conflict(_("申请已提交，当前不能修改。"), code="invalid_state")
    return application


@transaction.atomic
def bundle_application_start(
    *, applicant: User, actor: User, bundle_code: str, hall_id: int | None = None
) -> tuple[BundleApplication, bool]:
    """Start (or resume) the applicant's application for a bundle, at a hall that receives all its matters."""
    if not applicant.is_real_name_verified:
        raise DomainError(_("请先完成实名认证再网上申报。"), code="forbidden")
    bundle = bundle_get(bundle_code)
    matters = [m for _item, m in bundle_matters(bundle)]
    if len(matters) < bundle.items.count():
        raise DomainError(_("该一件事暂不能在网上申报。"), code="not_online")
    bundle_online_road_check(bundle)
    # Someone acting for the applicant: authorised in every matter of the bundle.
    authority = acting_check(applicant=applicant, actor=actor, matters=matters)
    halls = bundle_halls(matters)
    if not halls:
        raise DomainError(_("目前没有大厅受理该一件事的全部事项。"), code="matter_not_served")
    application, created = draft_start(
        BundleApplication,
        draft={"applicant": applicant, "bundle": bundle, "submitted_at__isnull": True},
        actor=actor,
        visible=bundle_applications_of(actor),
        create=lambda: {
            "code": human_code(10),
            "filed_by": actor,
            "hall": hall_chosen(halls, hall_id, wrong=_("所选大厅不受理该一件事的全部事项。")),
            "delivery_method": delivery_conf.DELIVERY_DEFAULT_METHOD,
        },
    )
    if not created:
        return application, False
    acting_record(authority, actor=actor, reference=application.code, note=f"{bundle.name}：开始网上申报")
    return application, True


@transaction.atomic
def bundle_application_update(
    *,
    actor: User,
    code: str,
    form_values: Mapping[str, Any] | None = None,
    delivery: Mapping[str, str] | None = None,
    hall_id: int | None = None,
) -> BundleApplication:
    """Save the merged form's answers, the delivery choice, the hall; nothing is saved if any of it is wrong."""
    application = _editable(actor=actor, code=code)
    matters = [m for _item, m in bundle_matters(application.bundle)]
    changed: list[str] = []
    if form_values is not None:
        application.form_values = answers_merged(bundle_fields(matters), application.form_values, form_values)
        changed.append("form_values")
    if delivery is not None:
        changed += delivery_set(application, delivery)
    if hall_id is not None and hall_id != application.hall_id:
        application.hall = hall_chosen(bundle_halls(matters), hall_id, wrong=_("所选大厅不受理该一件事的全部事项。"))
        changed.append("hall")
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
    return application


def bundle_upload(*, actor: User, code: str, material_key: str, upload: UploadedFile) -> ApplicationFile:
    """One file for one material of the merged checklist: it will go to every matter that needs that material
    (stored outside the application's lock: drafts.file_add)."""

    def load() -> tuple[BundleApplication, set[str], str]:
        application = _editable(actor=actor, code=code)
        keys = {m.key for _item, matter in bundle_matters(application.bundle) for m in matter.materials.all()}
        return application, keys, _("上传的材料不属于该一件事。")

    return file_add(load, upload, material_key=material_key)


@transaction.atomic
def bundle_file_remove(*, actor: User, code: str, file_id: int) -> None:
    file_take_back(_editable(actor=actor, code=code), file_id)


@transaction.atomic
def bundle_application_discard(*, actor: User, code: str) -> None:
    draft_discard(
        _locked(actor=actor, code=code), refusal=_("申请已提交，不能删除；如需撤回请在各事项的办件页面操作。")
    )


def _make_parts(application: BundleApplication, *, actor: User) -> list[OnlineApplication]:
    """One online application per matter, with the answers its form asks and the files its materials need (the
    same stored files), waiting for its prerequisite where the bundle says so."""
    files = list(application.files.all())
    parts: dict[str, OnlineApplication] = {}
    items = bundle_matters(application.bundle)
    for _item, matter in items:
        keys = {f.key for f in matter.form_fields.all()}
        part = OnlineApplication.objects.create(
            code=human_code(10),
            applicant=application.applicant,
            filed_by=actor,
            matter=matter,
            matter_code=matter.code,
            hall=application.hall,
            form_values={k: v for k, v in application.form_values.items() if k in keys},
            delivery_method=application.delivery_method,
            recipient_name=application.recipient_name,
            recipient_phone=application.recipient_phone,
            address=application.address,
            bundle_application=application,
        )
        materials = {m.key for m in matter.materials.all()}
        ApplicationFile.objects.bulk_create(
            ApplicationFile(
                application=part,
                material_key=f.material_key,
                file=f.file.name,
                original_name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                uploaded_at=f.uploaded_at,
            )
            for f in files
            if f.material_key in materials
        )
        parts[matter.code] = part
    for code, before in waiting_among(item for item, _matter in items).items():
        OnlineApplication.objects.filter(id=parts[code].id).update(waits_for=parts[before])
        parts[code].waits_for = parts[before]
    return list(parts.values())


def bundle_online_road_check(bundle: Bundle) -> None:
    """The online road (一次提交): offered for the bundle and every matter online-capable. A bundle offered only by
    a hall visit may hold window-only matters: its draft is submitted at the window (services/bundle_visits.py)."""
    matters = [m for _item, m in bundle_matters(bundle)]
    if not bundle.online_submission or not all(online_allowed(m) for m in matters):
        raise DomainError(_("该一件事暂不能在网上申报。"), code="not_online")


def held_with_waiting(bundle: Bundle, held: Collection[str]) -> set[str]:
    """The matters (codes) received at a window as they are — ``held``, for the clerk's one-time notice or refusal —
    and those waiting for them (sent only once those are approved): none of them is checked complete now."""
    after = {item.matter_code: item.after for item, _matter in bundle_matters(bundle)}
    return {*held, *(code for code in after if any(step in held for step in prerequisites(code, after.get)))}


@transaction.atomic
def bundle_application_submit(
    *,
    actor: User,
    code: str,
    declaration: bool,
    vault_consent: bool = False,
    channel: str = Channel.WEB,
    held: Collection[str] = (),
) -> BundleApplication:
    """Submit the bundle: the merged form complete, every material there once, the declaration made, consent to
    what is taken from the vault. Each matter becomes its own application; those with no prerequisite are sent
    to the hall now (a case each), the others when their prerequisite is approved. ``held`` (the window only):
    matters received as they are, for the clerk's one-time notice or refusal (行政许可法 Art. 32: the hall receives
    what is brought and tells what is missing); neither they nor the parts waiting for them are checked complete."""
    application = _editable(actor=actor, code=code)
    if not declaration:
        raise DomainError(_("请阅读并确认申请人声明。"), code="declaration_required")
    if channel == Channel.WINDOW:
        # The hall road: submitted at the window of the visit booked for the bundle (bundle_visits.py).
        if application.appointment_id is None:
            raise DomainError(_("该一件事申请未预约到大厅办理。"), code="no_visit")
    else:
        bundle_online_road_check(application.bundle)
    if held and channel != Channel.WINDOW:
        raise DomainError(_("只有窗口可以按原样收件。"), code="invalid")
    unchecked = held_with_waiting(application.bundle, held)
    matters = [m for _item, m in bundle_matters(application.bundle) if m.code not in unchecked]
    required = {material.key for m in matters for material in m.materials.all() if material.required}
    items = bundle_checklist(application)
    fields = bundle_fields(matters)
    asked = {f.key for f in fields}
    submission_check(
        fields,
        # Answers only the parts received as they are ask for were checked when given (answers_merged).
        {key: value for key, value in application.form_values.items() if key in asked},
        missing=[item.name for item in items if item.state == MISSING and item.key in required],
        application=application,
    )
    if any(item.state == HELD for item in items):
        consent_require(given=vault_consent, purpose=ConsentPurpose.VAULT_REUSE)
    application.submitted_at = timezone.now()
    application.vault_consent = vault_consent
    application.save(update_fields=["submitted_at", "vault_consent", "updated_at"])
    for part in _make_parts(application, actor=actor):
        if part.waits_for_id is None:
            submit_checked(
                part, actor=actor, vault_consent=vault_consent, channel=channel, complete=part.matter_code not in held
            )
    return application


def _in_language(text: Callable[[], str]) -> str:
    """A text read in its reader's language when it is read (notify renders each recipient's)."""
    return cast(str, lazy(text, str)())


def _tell(bundle: BundleApplication, *, event: str, context: dict[str, object]) -> None:
    """A bundle's message to its applicant and, when an agent filed it, to the agent too (``<event>_agent``, naming
    whom they applied for) while they may still see the bundle (a revoked mandate: not); each recipient reads it in
    their own language."""
    notify(
        recipient=bundle.applicant, event=event, context={"bundle": bundle.bundle.name, "code": bundle.code, **context}
    )
    filer = bundle.filed_by
    if filer.pk != bundle.applicant_id and bundle_applications_of(filer).filter(id=bundle.id).exists():
        company = company_for_account(bundle.applicant)
        principal = company.name if company is not None else bundle.applicant.masked_name
        notify(
            recipient=filer,
            event=f"{event}_agent",
            context={"bundle": bundle.bundle.name, "code": bundle.code, "principal": principal, **context},
        )


def _drop(part: OnlineApplication, *, reason: str) -> None:
    """The part is not submitted, with the reason (``reason`` may be lazy: the page keeps it as read now, the
    message is read in each recipient's language); the applicant (and the agent who filed) are told now, and the
    parts waiting for it are dropped in turn."""
    kept = str(reason)[:300]
    OnlineApplication.objects.filter(id=part.id).update(cancelled_at=timezone.now(), cancel_reason=kept)
    part.cancelled_at = timezone.now()
    part.cancel_reason = kept
    bundle = part.bundle_application
    if bundle is not None:
        _tell(bundle, event="bundle.part_dropped", context={"matter": part.matter.name, "reason": reason})
    # A part dropped in turn drops those waiting for it.
    for waiting in part.dependents.select_related("matter").filter(case__isnull=True, cancelled_at__isnull=True):
        waiting.bundle_application = bundle
        _drop(
            waiting,
            reason=_in_language(lambda: _("前置事项“%(matter)s”未提交，本事项未提交。") % {"matter": part.matter.name}),
        )


def bundle_part_settled(*, case: Case) -> None:
    """Intake's ``case_settled`` hook: a part of a bundle got its answer (in the transaction of that move). The
    parts waiting for it are sent now if it was approved, or dropped with the reason; and when every part has
    its answer the applicant gets the one combined notice."""
    part = (
        OnlineApplication.objects.select_related("bundle_application", "matter")
        .filter(case=case, bundle_application__isnull=False)
        .first()
    )
    if part is None:
        return
    part.case = case
    assert part.bundle_application is not None
    bundle = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("bundle", "applicant", "filed_by")
        .get(id=part.bundle_application.id)
    )
    approved = part_outcome(part) == OUTCOME_APPROVED
    for waiting in part.dependents.select_related("matter", "hall", "applicant").filter(
        case__isnull=True, cancelled_at__isnull=True
    ):
        waiting.bundle_application = bundle
        if not approved:
            _drop(
                waiting,
                reason=_in_language(
                    lambda: (
                        _("前置事项“%(matter)s”未获准予（%(outcome)s），本事项不再提交；如仍需办理，请另行申请。")
                        % {"matter": part.matter.name, "outcome": part_outcome_label(part)}
                    )
                ),
            )
            continue
        try:
            with transaction.atomic():
                submit_checked(waiting, actor=waiting.filed_by, vault_consent=bundle.vault_consent, channel=Channel.WEB)
        except Exception as exc:
            # The decision being recorded must not fail for it: the part is dropped, the applicant told why.
            logger.warning(
                "bundle %s: part %s not sent after its prerequisite: %s", bundle.code, waiting.code, type(exc).__name__
            )
            _drop(
                waiting,
                reason=_("前置事项已准予，但本事项未能自动提交（%(reason)s），请另行申请。")
                % {"reason": str(exc)[:120]},
            )
    bundle_check_completed(bundle)


def bundle_check_completed(bundle: BundleApplication) -> bool:
    """Once every part has its answer: the one combined notice, sent once (the conditional update claims it)."""
    parts = list(bundle.parts.select_related("case", "matter").order_by("id"))
    if not parts or any(part_outcome(p) == OUTCOME_OPEN for p in parts):
        return False
    if not BundleApplication.objects.filter(id=bundle.id, completed_at__isnull=True).update(
        completed_at=timezone.now()
    ):
        return False
    _tell(bundle, event="bundle.completed", context={"summary": _in_language(lambda: outcomes_summary(parts))})
    return True


def outcomes_summary(parts: list[OnlineApplication]) -> str:
    """Each matter and what became of it, in the active language (the combined notice's ``summary``)."""
    separator = "；" if (get_language() or "zh").startswith("zh") else "; "
    return separator.join(
        _("%(matter)s：%(outcome)s") % {"matter": p.matter.name, "outcome": part_outcome_label(p)} for p in parts
    )
