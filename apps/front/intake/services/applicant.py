"""What the applicant starts or changes outside the window's own work: the online pre-filing before a booked
visit, 帮办 at a kiosk, supplements during a correction, and withdrawal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Appointment, AppointmentStatus, GroupMatter, StaffPost
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.models import Matter
from apps.shared.exchange import contract
from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
from govservice.api import Conflict, DomainError
from govservice.lib import idcard
from govservice.lib.codes import digits

from ..models import Case, CaseEvent, CaseStatus, TrustLevel
from ..selectors import case_central
from .materials import Upload, _store_materials, _vet
from .window import WAITING_ON_CENTRAL, _new_number, appointment_lineage, case_transition


@transaction.atomic
def case_prefile(*, citizen: User, appointment_code: str, uploads: list[Upload]) -> tuple[Case, str]:
    """在线预填: the citizen files the application and uploads materials before the visit; at the window
    the clerk starts from it. Uploads are C-level evidence until a clerk sees the originals. Returns the
    case and, on the first filing only, its query password."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("matter", "hall")
        .filter(code=appointment_code, citizen=citizen)
        .first()
    )
    if appointment is None:
        raise DomainError(_("未找到该预约。"), code="not_found")
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_("该预约已不能在线预填。"), code="invalid_state")
    if not uploads:
        raise DomainError(_("请至少上传一份材料。"), code="materials_missing")
    vetted = _vet(appointment.matter, uploads)
    # One filing per visit: one made for an appointment since rescheduled goes on with this one.
    case = Case.objects.select_for_update().filter(appointment_id__in=appointment_lineage(appointment.id)).first()
    if case is not None and case.appointment_id != appointment.id and case.status == CaseStatus.SUBMITTED:
        Case.objects.filter(id=case.id).update(appointment=appointment)
        case.appointment = appointment
    password = ""
    if case is None:
        password = digits(6)
        case = Case.objects.create(
            number=_new_number(appointment.hall.case_prefix),
            query_password_hash=make_password(password),
            citizen=citizen,
            matter=appointment.matter,
            hall=appointment.hall,
            appointment=appointment,
            status=CaseStatus.SUBMITTED,
        )
        CaseEvent.objects.create(case=case, actor=citizen, to_status=CaseStatus.SUBMITTED, note="在线预填申报")
    elif case.status != CaseStatus.SUBMITTED:
        raise Conflict(_("办件已在大厅收件，不能再在线修改。"), code="invalid_state")
    _store_materials(case, vetted, by=citizen, trust_level=TrustLevel.C)
    return case, password


@transaction.atomic
def case_start_assisted(
    *, helper: User, terminal, id_number: str, matter_code: str, uploads: Sequence[Upload]
) -> tuple[Case, str]:
    """帮办: a hall helper at a smart terminal starts the application for a registered citizen (their ID
    card read at the kiosk) and scans the materials; at the window the clerk starts from it."""
    if not StaffPost.objects.filter(user=helper, hall=terminal.hall).exists():
        raise DomainError(_("只有本大厅工作人员可以帮办。"), code="forbidden")
    parsed = idcard.parse_or_refuse(id_number)
    citizen = citizen_verified_by_id_number(parsed.value)
    if citizen is None:
        raise DomainError(_("申请人尚未实名注册，请先协助其注册。"), code="not_registered")
    matter = Matter.objects.filter(code=matter_code, is_current=True).first()
    if matter is None or not GroupMatter.objects.filter(group__hall=terminal.hall, matter_code=matter_code).exists():
        raise DomainError(_("本大厅不办理该事项。"), code="wrong_hall")
    if not uploads:
        raise DomainError(_("请至少扫描一份材料。"), code="materials_missing")
    vetted = _vet(matter, uploads)
    case = (
        Case.objects.select_for_update()
        .filter(citizen=citizen, matter__code=matter_code, hall=terminal.hall, status=CaseStatus.SUBMITTED)
        .first()
    )
    password = ""
    if case is None:
        password = digits(6)
        case = Case.objects.create(
            number=_new_number(terminal.hall.case_prefix),
            query_password_hash=make_password(password),
            citizen=citizen,
            matter=matter,
            hall=terminal.hall,
            status=CaseStatus.SUBMITTED,
        )
        CaseEvent.objects.create(
            case=case, actor=helper, to_status=CaseStatus.SUBMITTED, note=f"{terminal.name} 帮办申报"
        )
    _store_materials(case, vetted, by=helper, trust_level=TrustLevel.C)
    return case, password


@transaction.atomic
def case_supplement(*, citizen: User, number: str, uploads: list[Upload]) -> Case:
    """The applicant answers central's correction request online: the corrected materials travel to
    central as a supplement, and the case is back under review (the clock resumes there)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("matter")
        .filter(number=number, citizen=citizen)
        .first()
    )
    if case is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    if not case.needs_correction:
        raise Conflict(_("该办件当前不需要补正。"), code="invalid_state")
    if not uploads:
        raise DomainError(_("请上传补正材料。"), code="materials_missing")
    before = set(case.materials.values_list("id", flat=True))
    _store_materials(case, _vet(case.matter, uploads), by=citizen, trust_level=TrustLevel.C)
    added = case.materials.exclude(id__in=before)
    case_transition(case=case, to_status=CaseStatus.IN_REVIEW, actor=citizen, note="已提交补正材料")
    outbox_enqueue(
        peer=case_central(case),
        payload=contract.CaseSupplement(number=case.number),
        actor=citizen.audit_label,
        files=[
            OutgoingFile(name=m.name, path=str(m.file.name), sha256=m.sha256, content_type=m.content_type)
            for m in added
        ],
    )
    return case


@transaction.atomic
def case_withdraw(*, citizen: User, number: str, reason: str = "") -> Case:
    """The citizen withdraws before a decision. A case still at the hall is withdrawn at once; one at
    central is withdrawn when central confirms no decision was made (the request may cross a decision)."""
    case = Case.objects.select_for_update().filter(number=number, citizen=citizen).first()
    if case is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    note = ("申请人撤回：" + reason.strip()).rstrip("：")
    if case.status in (CaseStatus.SUBMITTED, CaseStatus.RECEIVED):
        case_transition(case=case, to_status=CaseStatus.WITHDRAWN, actor=citizen, note=note)
        return case
    if case.status not in (*WAITING_ON_CENTRAL, CaseStatus.CORRECTION):
        raise Conflict(_("办件已作出决定或已办结，不能撤回。"), code="invalid_state")
    if case.withdraw_requested_at:
        return case
    now = timezone.now()
    Case.objects.filter(id=case.id).update(withdraw_requested_at=now)
    case.withdraw_requested_at = now
    CaseEvent.objects.create(
        case=case, actor=citizen, from_status=case.status, to_status=case.status, note=note + "（待审批总后台确认）"
    )
    outbox_enqueue(
        peer=case_central(case),
        payload=contract.CaseWithdrawRequested(number=case.number, reason=reason.strip()[:500]),
        actor=citizen.audit_label,
    )
    return case


# Cases waiting on central: a missed event would leave them here forever without reconciliation.


# The visit a pre-filing was made for can no longer take place: cancelled (by the citizen or the hall) without a
# new appointment replacing it, missed, or over without the case being received at the window.
VISIT_OVER = (
    AppointmentStatus.CANCELLED_BY_CITIZEN,
    AppointmentStatus.CANCELLED_BY_HALL,
    AppointmentStatus.NO_SHOW,
    AppointmentStatus.COMPLETED,
)


def cases_prefiling_lapse(*, batch: int = 200) -> int:
    """The periodic job for pre-filed cases (在线预填) whose visit is over: a filing lives on the visit it was
    made for, so it lapses — WITHDRAWN, with why, and the citizen told (the materials stay in the case's record
    for the retention period; what the hall verified never was). A filing whose appointment was rescheduled
    follows the new one instead (appointment_lineage). Each case moves once; safe beside the window."""
    due = list(
        Case.objects.filter(status=CaseStatus.SUBMITTED, appointment__status__in=VISIT_OVER)
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    return sum(1 for case_id in due if _prefiling_lapse(case_id))


@transaction.atomic
def _prefiling_lapse(case_id: int) -> bool:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("appointment", "citizen", "matter")
        .filter(id=case_id, status=CaseStatus.SUBMITTED)
        .first()
    )
    if case is None or case.appointment is None:
        return False
    latest = case.appointment
    while hasattr(latest, "rescheduled_to"):  # rescheduled: the filing goes on with the newest appointment
        latest = latest.rescheduled_to
    if latest.status not in VISIT_OVER:
        Case.objects.filter(id=case.id).update(appointment=latest)
        return False
    reasons: dict[str, str] = {
        AppointmentStatus.NO_SHOW: "预约未到场（爽约）",
        AppointmentStatus.COMPLETED: "预约已结束，大厅未以该预填收件",
    }
    why = reasons.get(latest.status, "预约已取消")
    moved: dict[str, Any] = {"appointment": latest} if latest.pk != case.appointment_id else {}
    case_transition(
        case=case, to_status=CaseStatus.WITHDRAWN, actor=None, actor_label="系统", note=f"在线预填失效：{why}", **moved
    )
    notify(recipient=case.citizen, event="case.prefiling_lapsed", case=case)
    return True
