"""Fully online applications at intake (全程网办、网上预审, issue 15; DOMAIN.md §9).

The hall receives an online application when it is submitted: the case is RECEIVED then, so 行政许可法 Art. 32's
five working days run from submission and the acceptance by law (held.py's job) covers it like any case the
hall holds. A clerk pre-reviews it within PREREVIEW_WORKDAYS and answers online with a window's outcomes and
their legal effects: acceptance (its receipt issued electronically, the case handed to central), one written
notice of everything missing (the applicant completes the same application online and resubmits: the limits run
again), or refusal with reasons and remedies. Nobody has seen an original: the uploads stay C-level evidence,
and a matter that needs an original checked offers one booked visit.

Who applies is the caller's to say (``applicant``; ``actor`` is whoever acts for them): the online application
app resolves both, so that someone acting for another can be added there without touching these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Hall
from apps.front.intake.conf import intake_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from apps.shared.privacy.models import Channel
from apps.shared.workcalendar.selectors import add_workdays_or_none
from govservice.api import Conflict, DomainError
from govservice.lib.codes import digits

from ..models import Case, CaseChannel, CaseEvent, CaseMaterial, CaseStatus, TrustLevel
from ..selectors import case_get_for_staff
from .window import Reuse, _accept, _new_number, _reuse, intake_limit_check, notice_answer, notice_give, refusal_give


@dataclass(frozen=True)
class StoredUpload:
    """A file the applicant uploaded online, already checked (size, type sniffed, virus hook) and stored
    encrypted by the online application: the case names the same stored file."""

    material_id: int | None
    path: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    name: str = ""  # the case's name for a file of no catalogue material (the generated application form)


def _attach(case: Case, files: Sequence[StoredUpload], *, by: User) -> list[CaseMaterial]:
    """The files as the case's materials: C-level (uploaded, no original seen)."""
    materials = {m.id: m for m in case.matter.materials.all()}
    rows = []
    for stored in files:
        material = materials.get(stored.material_id) if stored.material_id is not None else None
        if stored.material_id is not None and material is None:
            raise DomainError(_("上传的材料不属于该事项。"), code="wrong_material")
        rows.append(
            CaseMaterial.objects.create(
                case=case,
                material=material,
                name=material.name if material else (stored.name or stored.original_name)[:200],
                file=stored.path,
                original_name=stored.original_name[:200],
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=by,
                trust_level=TrustLevel.C,
            )
        )
    return rows


@transaction.atomic
def case_receive_online(
    *,
    applicant: User,
    actor: User,
    matter: Matter,
    hall: Hall,
    files: Sequence[StoredUpload],
    reuses: Sequence[Reuse] = (),
    vault_consent: bool = False,
    consent_channel: str = Channel.WEB,
    agent: User | None = None,
) -> tuple[Case, str]:
    """网上申报: the application submitted online is received by the hall now. The intake limit (five working
    days, Art. 32) and the pre-review limit start today; evidence government already holds (A, or B: verified by a
    clerk before) is taken from the vault with the applicant's consent. ``agent``: the person who applied for the
    applicant (their authority checked by the caller). Returns the case and its query password, shown only this
    once. Received at a window (``consent_channel`` WINDOW: a 一件事 visit's parts, which the clerk answers at once):
    a window's case, with no online pre-review limit."""
    now = timezone.now()
    today = timezone.localdate()
    at_window = consent_channel == Channel.WINDOW
    password = digits(6)
    case = Case.objects.create(
        number=_new_number(hall.case_prefix),
        query_password_hash=make_password(password),
        citizen=applicant,
        agent=agent,
        matter=matter,
        hall=hall,
        status=CaseStatus.RECEIVED,
        channel=CaseChannel.WINDOW if at_window else CaseChannel.ONLINE,
        received_at=now,
        intake_started_at=now,
        # None while the limit reaches a year whose holidays are unpublished: counted once they are.
        intake_deadline=add_workdays_or_none(today, intake_conf.INTAKE_NOTICE_DAYS),
        prereview_deadline=None if at_window else add_workdays_or_none(today, intake_conf.PREREVIEW_WORKDAYS),
    )
    note = f"{hall.name} 收件（一件事预约到大厅一次办）" if at_window else "网上申报（全程网办），等待网上预审"
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        to_status=CaseStatus.RECEIVED,
        note=note + (f"（代办人 {agent.real_name}）" if agent is not None else ""),
    )
    _attach(case, files, by=actor)
    _reuse(case, list(reuses), by=actor, vault_consent=vault_consent, channel=consent_channel)
    if not at_window:
        # At a window the applicant is there, and the clerk's outcome is what they are told.
        notify(recipient=applicant, event="case.submitted_online", case=case)
    return case, password


@transaction.atomic
def case_online_resubmit(*, applicant: User, actor: User, number: str, files: Sequence[StoredUpload]) -> Case:
    """The applicant answers the one-time notice online, on the same application: what they add goes into the
    same case, and the intake and pre-review limits run again from today (never a second case)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("matter", "hall", "citizen")
        .filter(number=number, citizen=applicant, channel=CaseChannel.ONLINE)
        .first()
    )
    if case is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    if not (case.awaits_intake and case.notice_outstanding):
        raise Conflict(_("该申请当前无需补正。"), code="invalid_state")
    if not files:
        raise DomainError(_("请按一次性告知书补正后再提交。"), code="materials_missing")
    _attach(case, files, by=actor)
    notice_answer(case, actor=actor, note="申请人在网上补正后重新提交（答复一次性告知），受理和预审期限重新起算")
    return case


def _queued(*, clerk: User, number: str) -> Case:
    """An online application of the clerk's hall awaiting pre-review, locked (404 for another hall's)."""
    found = case_get_for_staff(user=clerk, number=number)
    if not found.online:
        raise DomainError(_("该办件不是网上申报的申请。"), code="not_found")
    case = Case.objects.select_for_update(of=("self",)).select_related("matter", "hall", "citizen").get(id=found.id)
    if not case.awaits_intake:
        raise Conflict(_("该申请不在待预审状态。"), code="invalid_state")
    return case


def _handled_by(case: Case, clerk: User) -> None:
    """The clerk who pre-reviewed it is the case's clerk, as the window's who received it."""
    Case.objects.filter(id=case.id).update(clerk=clerk)
    case.clerk = clerk


@transaction.atomic
def case_prereview_accept(*, clerk: User, number: str) -> Case:
    """Pre-review passed: accepted, as at a window (行政许可法 Art. 32): the receipt is issued and sent
    electronically, the case leaves for central. The uploads stay C-level: no original was seen."""
    case = _queued(clerk=clerk, number=number)
    if case.notice_outstanding:
        raise Conflict(_("已一次性告知，须待申请人补正后重新提交。"), code="notice_outstanding")
    intake_limit_check(case)
    _handled_by(case, clerk)
    _accept(clerk=clerk, case=case, commitment_items=[], commitment_signed=False, originals_seen=False)
    return case


@transaction.atomic
def case_prereview_notice(*, clerk: User, number: str, items: list[str]) -> Case:
    """一次性告知 online: every missing or defective item in one written notice; the applicant completes the same
    application online."""
    items = [item.strip() for item in items if item.strip()]
    if not items:
        raise DomainError(_("请列出需要补正的全部事项。"), code="items_required")
    case = _queued(clerk=clerk, number=number)
    notice_give(case, clerk=clerk, items=items)
    _handled_by(case, clerk)
    return case


@transaction.atomic
def case_prereview_refuse(*, clerk: User, number: str, reason: str, refer_to: str = "") -> Case:
    """不予受理 online, with the reason, where to apply instead, and the remedies (a dated notice)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写不予受理的理由。"), code="reason_required")
    case = _queued(clerk=clerk, number=number)
    refusal_give(case, clerk=clerk, reason=reason, refer_to=refer_to)
    _handled_by(case, clerk)
    return case
