"""Intake (受理) at the window, and the front's mirror of a case's life at central (DOMAIN.md §4–§5)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from apps.front.booking.models import Appointment, AppointmentStatus, GroupMatter, StaffPost
from apps.front.booking.selectors import hall_supervisors
from apps.front.booking.services import appointment_transition
from apps.front.floor.models import TicketStatus
from apps.front.floor.services import daily_counter_next, ticket_get_for_clerk, ticket_transition
from apps.front.intake.conf import intake_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.models import Matter
from apps.shared.exchange import contract
from apps.shared.exchange.selectors import peer_central
from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
from apps.shared.workcalendar.selectors import add_workdays_or_none, calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib import idcard, lifecycle
from govservice.lib.codes import digits
from govservice.lib.filetypes import EXTENSIONS, sniff
from govservice.lib.workdays import WorkCalendar

from . import hooks
from .documents import document_issue
from .models import Case, CaseEvent, CaseMaterial, CaseStatus, DocumentKind, EvidenceItem, TrustLevel
from .selectors import case_get_for_staff, intake_near_limit_q


@dataclass(frozen=True)
class Upload:
    material_id: int | None
    file: UploadedFile


@dataclass(frozen=True)
class Reuse:
    """Evidence from the citizen's vault used for a material instead of a new scan."""

    material_id: int
    evidence_id: int
    original_checked: bool = False


def upload_check(upload: UploadedFile) -> tuple[bytes, str]:
    """Read and vet one upload: size, and the real type from its first bytes (a renamed .exe is refused)."""
    if upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
        raise DomainError(
            _("文件“%(name)s”超过%(mb)sMB上限。") % {"name": upload.name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    content = upload.read()
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise DomainError(_("文件“%(name)s”过大。") % {"name": upload.name}, code="file_too_large")
    content_type = sniff(content[:16])
    if content_type is None:
        raise DomainError(_("文件“%(name)s”不是PDF、JPEG或PNG格式。") % {"name": upload.name}, code="file_type")
    if settings.UPLOAD_SCANNER:
        # The hook point for a virus scanner: a callable that raises ValueError with the finding.
        try:
            import_string(settings.UPLOAD_SCANNER)(content, upload.name)
        except ValueError as exc:
            raise DomainError(
                _("文件“%(name)s”未通过安全检查：%(finding)s。") % {"name": upload.name, "finding": exc}, code="file_rejected"
            ) from None
    return content, content_type


def case_transition(*, case: Case, to_status: str, actor: User | None, note: str = "", actor_label: str = "", **fields: Any) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with an event row."""
    lifecycle.move(
        case, to_status, fields=fields, event={"actor": actor, "actor_label": actor_label, "note": note},
        refused=_("办件状态不能从“%(status)s”变更。") % {"status": case.get_status_display()},
        stale=_("办件状态已被他人更改，请刷新。"),
    )


def _vet(matter, uploads: Sequence[Upload]) -> list[tuple[Upload, bytes, str]]:
    materials = {m.id for m in matter.materials.all()}
    vetted = []
    for upload in uploads:
        if upload.material_id is not None and upload.material_id not in materials:
            raise DomainError(_("上传的材料不属于该事项。"), code="wrong_material")
        content, content_type = upload_check(upload.file)
        vetted.append((upload, content, content_type))
    return vetted


def _called_ticket(*, clerk: User, ticket_id: int):
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id, lock=True)
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise Conflict(_("请先叫号再受理。"), code="invalid_state")
    if ticket.citizen is None:
        raise DomainError(_("现场号未关联实名账户，请先为申请人登记。"), code="no_applicant")
    return ticket


def _new_number(prefix: str) -> str:
    today = timezone.localdate()
    return f"{prefix}{today:%Y%m%d}{daily_counter_next(scope=f'case:{prefix}', day=today):05d}"


def _store_materials(case: Case, vetted, *, by: User, trust_level: str = "B") -> None:
    materials = {m.id: m for m in case.matter.materials.all()}
    for upload, content, content_type in vetted:
        digest = hashlib.sha256(content).hexdigest()
        material = materials.get(upload.material_id) if upload.material_id else None
        row = CaseMaterial(
            case=case,
            material=material,
            name=material.name if material else upload.file.name,
            original_name=upload.file.name[:200],
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=by,
            trust_level=trust_level,
        )
        row.file.save(f"{case.number}-{digest[:12]}{EXTENSIONS[content_type]}", ContentFile(content), save=False)
        row.save()


def _reuse(case: Case, reuses: Sequence[Reuse], *, by: User, commitment_signed: bool) -> None:
    """Take vault evidence instead of asking again (国办函〔2016〕108号): A and B as they are; C only once
    the clerk has checked the original (which makes it B); D only on the applicant's commitment."""
    materials = {m.id: m for m in case.matter.materials.all()}
    for reuse in reuses:
        material = materials.get(reuse.material_id)
        evidence = EvidenceItem.objects.filter(id=reuse.evidence_id, citizen=case.citizen).first()
        if material is None or evidence is None:
            raise DomainError(_("所选的已有材料不属于该申请人或该事项。"), code="wrong_evidence")
        if evidence.valid_until and evidence.valid_until < timezone.localdate():
            raise DomainError(_("“%(name)s”已过有效期，请重新提交。") % {"name": evidence.name}, code="evidence_expired")
        level = evidence.trust_level
        if level == TrustLevel.C:
            if not reuse.original_checked:
                raise DomainError(_("“%(name)s”为申请人上传件，须核验原件后使用。") % {"name": evidence.name}, code="original_unchecked")
            EvidenceItem.objects.filter(id=evidence.id).update(trust_level=TrustLevel.B, verified_by=by)
            level = TrustLevel.B
        elif level == TrustLevel.D and not commitment_signed:
            raise DomainError(_("“%(name)s”须凭申请人承诺使用。") % {"name": evidence.name}, code="commitment_unsigned")
        CaseMaterial.objects.create(
            case=case, material=material, name=material.name, file=evidence.file.name, original_name=evidence.name,
            content_type=evidence.content_type, size=evidence.size, sha256=evidence.sha256, uploaded_by=by,
            trust_level=level, reused_from=evidence,
        )


def _keep_in_vault(case: Case, *, by: User) -> None:
    """Materials whose originals a clerk has seen become B-level evidence for the citizen's next case."""
    for row in case.materials.filter(reused_from__isnull=True):
        EvidenceItem.objects.get_or_create(
            citizen=case.citizen,
            sha256=row.sha256,
            defaults={
                "name": row.name, "trust_level": TrustLevel.B, "file": row.file.name, "content_type": row.content_type,
                "size": row.size, "origin_case": case, "verified_by": by,
            },
        )


def _receive(*, clerk: User, ticket, vetted) -> tuple[Case, str]:
    """收件: the hall holds the materials; the 5-working-day intake clock starts (行政许可法 Art. 32).
    A case the citizen pre-filed online is received as it is (its password was given then: "")."""
    today = timezone.localdate()
    found = prefiled_for_ticket(ticket)
    prefiled = Case.objects.select_for_update().get(id=found.id) if found is not None else None
    if prefiled is not None and prefiled.status == CaseStatus.SUBMITTED:
        case_transition(
            case=prefiled, to_status=CaseStatus.RECEIVED, actor=clerk, note=f"{ticket.hall.name} 收件（在线预填）",
            clerk=clerk, received_at=timezone.now(),
            intake_deadline=add_workdays_or_none(today, intake_conf.INTAKE_NOTICE_DAYS),
        )
        _store_materials(prefiled, vetted, by=clerk)
        return prefiled, ""
    password = digits(6)
    case = Case.objects.create(
        number=_new_number(ticket.hall.case_prefix),
        query_password_hash=make_password(password),
        citizen=ticket.citizen,
        matter=ticket.matter,
        hall=ticket.hall,
        appointment=ticket.appointment,
        clerk=clerk,
        status=CaseStatus.RECEIVED,
        received_at=timezone.now(),
        intake_deadline=add_workdays_or_none(today, intake_conf.INTAKE_NOTICE_DAYS),
    )
    CaseEvent.objects.create(case=case, actor=clerk, to_status=CaseStatus.RECEIVED, note=f"{ticket.hall.name} 收件")
    _store_materials(case, vetted, by=clerk)
    return case, password


def _finish_ticket(*, clerk: User, ticket) -> None:
    if ticket.status == TicketStatus.CALLED:
        ticket_transition(ticket=ticket, to_status=TicketStatus.SERVING, actor=clerk)
    ticket_transition(ticket=ticket, to_status=TicketStatus.DONE, actor=clerk)
    if ticket.appointment is not None:
        appointment = ticket.appointment
        if appointment.status == AppointmentStatus.CALLED:
            appointment_transition(appointment=appointment, to_status=AppointmentStatus.IN_SERVICE, actor=clerk)
        appointment_transition(appointment=appointment, to_status=AppointmentStatus.COMPLETED, actor=clerk)


def _missing_required(case: Case, *, deferred: Sequence[str] = ()) -> list[str]:
    provided = set(case.materials.values_list("material_id", flat=True))
    return [m.name for m in case.matter.materials.all() if m.required and m.id not in provided and m.name not in deferred]


def _accept(*, clerk: User, case: Case, commitment_items: list[str], commitment_signed: bool) -> None:
    """Accept a received case and put it on the wire to central, in the caller's transaction."""
    matter = case.matter
    if commitment_items:
        # 容缺受理: always the applicant's choice, never for a restricted credit record, key items complete.
        if case.citizen.credit_restricted:
            raise DomainError(_("申请人存在失信记录，不适用容缺受理。"), code="commitment_refused")
        if not commitment_signed:
            raise DomainError(_("容缺受理须申请人签署承诺书。"), code="commitment_unsigned")
        required_names = {m.name for m in matter.materials.all() if m.required}
        unknown = [item for item in commitment_items if item not in required_names]
        if unknown:
            raise DomainError(_("容缺事项应为本事项的申请材料：%(items)s") % {"items": "、".join(unknown)}, code="commitment_invalid")
        if not case.materials.filter(material__required=True).exists():
            raise DomainError(_("主要材料不齐全，不能容缺受理。"), code="commitment_invalid")
    missing = _missing_required(case, deferred=commitment_items)
    if missing:
        # 行政许可法 Art. 32: every missing item is named at once.
        raise DomainError(_("以下必要材料尚未提供：%(items)s。") % {"items": "、".join(missing)}, code="materials_missing")
    today = timezone.localdate()
    now = timezone.now()
    # None while the limit reaches a year whose holidays nobody has published: filled in once it is.
    promised = add_workdays_or_none(today, matter.promised_days)
    extra: dict[str, Any] = {}
    if commitment_items:
        extra = {"commitment_items": list(commitment_items), "commitment_deadline": today + dt.timedelta(days=intake_conf.COMMITMENT_DAYS)}
    case_transition(case=case, to_status=CaseStatus.ACCEPTED, actor=clerk, accepted_at=now, promised_date=promised, **extra)
    # Accepting at the window means the clerk has seen the originals of what the citizen uploaded.
    case.materials.filter(trust_level=TrustLevel.C).update(trust_level=TrustLevel.B)
    _keep_in_vault(case, by=clerk)
    document_issue(case=case, kind=DocumentKind.RECEIPT, by=clerk)
    if commitment_items:
        document_issue(case=case, kind=DocumentKind.COMMITMENT, by=clerk)
    citizen = case.citizen
    # The result delivery chosen so far (pickup, post with the city and district only, electronic), told
    # by the delivery app, which owns that choice.
    chosen: dict[str, Any] = {}
    for fields in hooks.submission_fields.receivers():
        chosen |= fields(case=case)
    outbox_enqueue(
        peer=peer_central(),
        payload=contract.CaseSubmitted(
            number=case.number,
            matter_code=matter.code,
            matter_version=matter.version,
            hall=case.hall.name,
            applicant=contract.Applicant(name=citizen.real_name, id_number=citizen.id_number),
            accepted_at=now,
            promised_date=promised,
            commitment_items=list(commitment_items),
            **chosen,
        ),
        actor=clerk.audit_label,
        files=[
            OutgoingFile(name=m.name, path=str(m.file.name), sha256=m.sha256, content_type=m.content_type)
            for m in case.materials.all()
        ],
    )
    notify(recipient=citizen, event="case.accepted", case=case)


@transaction.atomic
def case_accept(
    *,
    clerk: User,
    ticket_id: int,
    uploads: list[Upload],
    reuses: Sequence[Reuse] = (),
    commitment_items: Sequence[str] = (),
    commitment_signed: bool = False,
) -> tuple[Case, str]:
    """Receive the materials of a called ticket and accept the case; it leaves for central through the
    outbox in this same transaction. Returns the case and its query password, shown only this once."""
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    vetted = _vet(ticket.matter, uploads)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=vetted)
    _reuse(case, list(reuses), by=clerk, commitment_signed=commitment_signed)
    _accept(clerk=clerk, case=case, commitment_items=list(commitment_items), commitment_signed=commitment_signed)
    _finish_ticket(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_receive(*, clerk: User, ticket_id: int, uploads: list[Upload]) -> tuple[Case, str]:
    """收件 only: the hall keeps the materials to examine them; it must accept, refuse or send a one-time
    notice within 5 working days (the clock is watched, supervisors are warned)."""
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=_vet(ticket.matter, uploads))
    _finish_ticket(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_refuse(*, clerk: User, ticket_id: int, reason: str, refer_to: str = "", uploads: Sequence[Upload] = ()) -> tuple[Case, str]:
    """不予受理: a dated notice with the reason, where to apply instead, and the remedies."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写不予受理的理由。"), code="reason_required")
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=_vet(ticket.matter, list(uploads)))
    case_transition(
        case=case, to_status=CaseStatus.REJECTED_AT_INTAKE, actor=clerk, note=reason,
        refusal_reason=reason, refer_to=refer_to.strip()[:200],
    )
    document_issue(case=case, kind=DocumentKind.REFUSAL, by=clerk)
    notify(recipient=case.citizen, event="case.refused", case=case)
    _finish_ticket(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_notify_missing(*, clerk: User, ticket_id: int, items: list[str], uploads: Sequence[Upload] = ()) -> tuple[Case, str]:
    """一次性告知: every missing or defective item in one written notice, on the spot; the case waits
    (RECEIVED) for the applicant to bring them."""
    items = [item.strip() for item in items if item.strip()]
    if not items:
        raise DomainError(_("请列出需要补正的全部事项。"), code="items_required")
    ticket = _called_ticket(clerk=clerk, ticket_id=ticket_id)
    case, password = _receive(clerk=clerk, ticket=ticket, vetted=_vet(ticket.matter, list(uploads)))
    now = timezone.now()
    Case.objects.filter(id=case.id).update(notice_items=items, notice_sent_at=now)
    case.notice_items, case.notice_sent_at = items, now
    CaseEvent.objects.create(case=case, actor=clerk, from_status=case.status, to_status=case.status, note="一次性告知：" + "；".join(items))
    document_issue(case=case, kind=DocumentKind.ONE_TIME_NOTICE, by=clerk)
    notify(recipient=case.citizen, event="case.one_time_notice", case=case)
    _finish_ticket(clerk=clerk, ticket=ticket)
    return case, password


@transaction.atomic
def case_accept_received(
    *,
    clerk: User,
    number: str,
    uploads: list[Upload],
    reuses: Sequence[Reuse] = (),
    commitment_items: Sequence[str] = (),
    commitment_signed: bool = False,
) -> Case:
    """Accept a case the hall already holds (after a one-time notice, or a later examination)."""
    case = case_get_for_staff(user=clerk, number=number)
    case = Case.objects.select_for_update(of=("self",)).select_related("matter", "hall", "citizen").get(id=case.id)
    if not case.awaits_intake:
        raise Conflict(_("该办件不在待受理状态。"), code="invalid_state")
    _store_materials(case, _vet(case.matter, uploads), by=clerk)
    _reuse(case, list(reuses), by=clerk, commitment_signed=commitment_signed)
    _accept(clerk=clerk, case=case, commitment_items=list(commitment_items), commitment_signed=commitment_signed)
    return case


@transaction.atomic
def case_prefile(*, citizen: User, appointment_code: str, uploads: list[Upload]) -> tuple[Case, str]:
    """在线预填: the citizen files the application and uploads materials before the visit; at the window
    the clerk starts from it. Uploads are C-level evidence until a clerk sees the originals. Returns the
    case and, on the first filing only, its query password."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("matter", "hall").filter(code=appointment_code, citizen=citizen).first()
    )
    if appointment is None:
        raise DomainError(_("未找到该预约。"), code="not_found")
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_("该预约已不能在线预填。"), code="invalid_state")
    if not uploads:
        raise DomainError(_("请至少上传一份材料。"), code="materials_missing")
    vetted = _vet(appointment.matter, uploads)
    case = Case.objects.select_for_update().filter(appointment=appointment).first()
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
def case_start_assisted(*, helper: User, terminal, id_number: str, matter_code: str, uploads: Sequence[Upload]) -> tuple[Case, str]:
    """帮办: a hall helper at a smart terminal starts the application for a registered citizen (their ID
    card read at the kiosk) and scans the materials; at the window the clerk starts from it."""
    if not StaffPost.objects.filter(user=helper, hall=terminal.hall).exists():
        raise DomainError(_("只有本大厅工作人员可以帮办。"), code="forbidden")
    try:
        parsed = idcard.parse(id_number)
    except idcard.InvalidIdNumber as exc:
        # The reason is govservice.lib.idcard's own sentence.
        raise DomainError(str(exc), code="invalid_id_number") from None
    citizen = citizen_verified_by_id_number(parsed.value)
    if citizen is None:
        raise DomainError(_("申请人尚未实名注册，请先协助其注册。"), code="not_registered")
    matter = Matter.objects.filter(code=matter_code, is_current=True).first()
    if matter is None or not GroupMatter.objects.filter(group__hall=terminal.hall, matter_code=matter_code).exists():
        raise DomainError(_("本大厅不办理该事项。"), code="wrong_hall")
    if not uploads:
        raise DomainError(_("请至少扫描一份材料。"), code="materials_missing")
    vetted = _vet(matter, uploads)
    case = Case.objects.select_for_update().filter(
        citizen=citizen, matter__code=matter_code, hall=terminal.hall, status=CaseStatus.SUBMITTED
    ).first()
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
        CaseEvent.objects.create(case=case, actor=helper, to_status=CaseStatus.SUBMITTED, note=f"{terminal.name} 帮办申报")
    _store_materials(case, vetted, by=helper, trust_level=TrustLevel.C)
    return case, password


def prefiled_for_ticket(ticket) -> Case | None:
    """The case the citizen (or a helper for them) filed before reaching the window, if any."""
    if ticket.appointment_id:
        return Case.objects.filter(appointment_id=ticket.appointment_id, status=CaseStatus.SUBMITTED).first()
    if ticket.citizen_id:
        return Case.objects.filter(
            citizen_id=ticket.citizen_id, matter__code=ticket.matter.code, hall_id=ticket.hall_id,
            appointment__isnull=True, status=CaseStatus.SUBMITTED,
        ).first()
    return None


@transaction.atomic
def case_supplement(*, citizen: User, number: str, uploads: list[Upload]) -> Case:
    """The applicant answers central's correction request online: the corrected materials travel to
    central as a supplement, and the case is back under review (the clock resumes there)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("matter").filter(number=number, citizen=citizen).first()
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
        peer=peer_central(),
        payload=contract.CaseSupplement(number=case.number),
        actor=citizen.audit_label,
        files=[OutgoingFile(name=m.name, path=str(m.file.name), sha256=m.sha256, content_type=m.content_type) for m in added],
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
    CaseEvent.objects.create(case=case, actor=citizen, from_status=case.status, to_status=case.status, note=note + "（待审批总后台确认）")
    outbox_enqueue(
        peer=peer_central(), payload=contract.CaseWithdrawRequested(number=case.number, reason=reason.strip()[:500]),
        actor=citizen.audit_label,
    )
    return case


# Cases waiting on central: a missed event would leave them here forever without reconciliation.
WAITING_ON_CENTRAL = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.SPECIAL_PROCEDURE)


def cases_reconcile(*, batch: int = 200) -> int:
    """Ask central for the state of cases that have been quiet too long; central re-sends their latest
    event and the idempotent handlers heal whatever was missed. Safe to run twice."""
    cutoff = timezone.now() - dt.timedelta(hours=intake_conf.RECONCILE_QUIET_HOURS)
    with transaction.atomic():
        quiet = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(status__in=WAITING_ON_CENTRAL, updated_at__lt=cutoff)
            .filter(Q(resync_requested_at__isnull=True) | Q(resync_requested_at__lt=cutoff))
            .order_by("updated_at")
            .values_list("id", "number")[:batch]
        )
        if not quiet:
            return 0
        # .update() leaves updated_at alone: asking is not news about the case.
        Case.objects.filter(id__in=[pk for pk, _ in quiet]).update(resync_requested_at=timezone.now())
        outbox_enqueue(peer=peer_central(), payload=contract.CaseResync(numbers=[number for _, number in quiet]))
    return len(quiet)


def cases_intake_deadline_warn(*, today: dt.date | None = None) -> int:
    """Warn hall supervisors about received cases nobody has decided on whose 5-working-day limit is
    near (行政许可法 Art. 32: past it, the application counts as accepted from the day of receipt)."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    cases_fill_open_dates(calendar=calendar)
    due = Case.objects.filter(
        intake_near_limit_q(today=today, calendar=calendar),
        status=CaseStatus.RECEIVED,
        notice_sent_at__isnull=True,
        intake_warning_sent_at__isnull=True,
    ).select_related("hall", "matter")
    warned = 0
    for case in due:
        with transaction.atomic():
            # Claim the warning first: a second run of the periodic job sends nothing twice.
            if not Case.objects.filter(id=case.id, intake_warning_sent_at__isnull=True).update(intake_warning_sent_at=timezone.now()):
                continue
            for supervisor in hall_supervisors(case.hall_id):
                notify(recipient=supervisor, event="intake.deadline_near", case=case)
            warned += 1
    return warned


def cases_fill_open_dates(*, calendar: WorkCalendar | None = None) -> int:
    """Fill in the intake limits and promised dates left open while their year's holidays were not
    published, counted from the day of receipt and of acceptance as they would have been."""
    calendar = calendar or calendar_get()
    filled = 0
    for case_id, received_at in Case.objects.filter(
        status=CaseStatus.RECEIVED, intake_deadline__isnull=True, received_at__isnull=False
    ).values_list("id", "received_at"):
        limit = add_workdays_or_none(timezone.localdate(received_at), intake_conf.INTAKE_NOTICE_DAYS, calendar)
        if limit is not None:
            # The warning about the open limit does not count for the real one: it is due again before it.
            filled += Case.objects.filter(id=case_id, intake_deadline__isnull=True).update(
                intake_deadline=limit, intake_warning_sent_at=None
            )
    # Only cases whose clock has run without a pause, restart or extension: for them the promise is the day
    # of acceptance plus the matter's days. Any other case's date comes from central with its next event.
    open_promises = Case.objects.filter(
        status__in=(CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW),
        promised_date__isnull=True,
        accepted_at__isnull=False,
        correction_deadline__isnull=True,
        procedure_note="",
    )
    for case in open_promises.select_related("citizen", "matter"):
        promised = add_workdays_or_none(timezone.localdate(case.accepted_at), case.matter.promised_days, calendar)
        if promised is None:
            continue
        with transaction.atomic():
            # The conditional UPDATE decides who tells the citizen: two runs at once never send it twice.
            if Case.objects.filter(id=case.id, promised_date__isnull=True).update(promised_date=promised):
                case.promised_date = promised
                notify(recipient=case.citizen, event="case.promised_date_set", case=case)
                filled += 1
    return filled
