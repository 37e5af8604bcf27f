"""Intake (受理) at the window, and the front's mirror of a case's life at central (DOMAIN.md §4–§5)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.booking.models import AppointmentStatus
from apps.booking.services import appointment_transition
from apps.exchange.selectors import peer_central
from apps.exchange.services import OutgoingFile, outbox_enqueue
from apps.feedback.services import notify
from apps.hall.models import TicketStatus
from apps.hall.services import daily_counter_next, ticket_get_for_clerk, ticket_transition
from apps.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib.codes import digits
from govservice.lib.filetypes import EXTENSIONS, sniff

from .models import CASE_TRANSITIONS, Case, CaseEvent, CaseMaterial, CaseStatus


@dataclass(frozen=True)
class Upload:
    material_id: int | None
    file: UploadedFile


def upload_check(upload: UploadedFile) -> tuple[bytes, str]:
    """Read and vet one upload: size, and the real type from its first bytes (a renamed .exe is refused)."""
    if upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
        raise DomainError(
            f"文件“{upload.name}”超过{settings.UPLOAD_MAX_BYTES // (1024 * 1024)}MB上限。 File too large.", code="file_too_large"
        )
    content = upload.read()
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise DomainError(f"文件“{upload.name}”过大。 File too large.", code="file_too_large")
    content_type = sniff(content[:16])
    if content_type is None:
        raise DomainError(f"文件“{upload.name}”不是PDF、JPEG或PNG格式。 Only PDF, JPEG and PNG are accepted.", code="file_type")
    return content, content_type


def case_transition(*, case: Case, to_status: str, actor: User | None, note: str = "", actor_label: str = "", **fields) -> None:
    """Lock-free compare-and-set on the status, checked against the lifecycle map, with an event row."""
    from_status = case.status
    if to_status not in CASE_TRANSITIONS[from_status]:
        raise Conflict(f"办件状态不能从“{case.get_status_display()}”变更。 Invalid case transition.", code="invalid_state")
    changed = Case.objects.filter(id=case.id, status=from_status).update(status=to_status, updated_at=timezone.now(), **fields)
    if not changed:
        raise Conflict("办件状态已被他人更改，请刷新。 Changed by someone else.", code="stale")
    case.status = to_status
    for name, value in fields.items():
        setattr(case, name, value)
    CaseEvent.objects.create(
        case=case, actor=actor, actor_label=actor_label, from_status=from_status, to_status=to_status, note=note
    )


@transaction.atomic
def case_accept(*, clerk: User, ticket_id: int, uploads: list[Upload]) -> tuple[Case, str]:
    """Receive the materials of a called ticket and accept the case; it leaves for central through the
    outbox in this same transaction. Returns the case and its query password, shown only this once."""
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id, lock=True)
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise Conflict("请先叫号再受理。 Call the ticket before intake.", code="invalid_state")
    if ticket.citizen is None:
        raise DomainError("现场号未关联实名账户，请先为申请人登记。 The ticket has no registered applicant.", code="no_applicant")
    matter = ticket.matter
    materials = {m.id: m for m in matter.materials.all()}
    vetted = []
    for upload in uploads:
        if upload.material_id is not None and upload.material_id not in materials:
            raise DomainError("上传的材料不属于该事项。 Material does not belong to the matter.", code="wrong_material")
        content, content_type = upload_check(upload.file)
        vetted.append((upload, content, content_type))
    provided = {u.material_id for u, _, _ in vetted}
    # 行政许可法 Art. 32: the applicant is told every missing item at once.
    missing = [m.name for m in materials.values() if m.required and m.id not in provided]
    if missing:
        raise DomainError("以下必要材料尚未提供：" + "、".join(missing) + "。 Required materials are missing.", code="materials_missing")

    today = timezone.localdate()
    number = f"{ticket.hall.case_prefix}{today:%Y%m%d}{daily_counter_next(scope=f'case:{ticket.hall.case_prefix}', day=today):05d}"
    password = digits(6)
    now = timezone.now()
    case = Case.objects.create(
        number=number,
        query_password_hash=make_password(password),
        citizen=ticket.citizen,
        matter=matter,
        hall=ticket.hall,
        appointment=ticket.appointment,
        clerk=clerk,
        status=CaseStatus.RECEIVED,
        received_at=now,
    )
    CaseEvent.objects.create(case=case, actor=clerk, to_status=CaseStatus.RECEIVED, note=f"{ticket.hall.name} 收件")
    outgoing = []
    for upload, content, content_type in vetted:
        digest = hashlib.sha256(content).hexdigest()
        material = materials.get(upload.material_id) if upload.material_id else None
        name = material.name if material else upload.file.name
        row = CaseMaterial(
            case=case,
            material=material,
            name=name,
            original_name=upload.file.name[:200],
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=clerk,
        )
        row.file.save(f"{number}-{digest[:12]}{EXTENSIONS[content_type]}", ContentFile(content), save=False)
        row.save()
        outgoing.append(OutgoingFile(name=name, path=row.file.name, sha256=digest, content_type=content_type))

    promised = calendar_get().add_workdays(today, matter.promised_days)
    case_transition(case=case, to_status=CaseStatus.ACCEPTED, actor=clerk, accepted_at=now, promised_date=promised)

    if ticket.status == TicketStatus.CALLED:
        ticket_transition(ticket=ticket, to_status=TicketStatus.SERVING, actor=clerk)
    ticket_transition(ticket=ticket, to_status=TicketStatus.DONE, actor=clerk)
    if ticket.appointment is not None:
        appointment = ticket.appointment
        if appointment.status == AppointmentStatus.CALLED:
            appointment_transition(appointment=appointment, to_status=AppointmentStatus.IN_SERVICE, actor=clerk)
        appointment_transition(appointment=appointment, to_status=AppointmentStatus.COMPLETED, actor=clerk)

    citizen = ticket.citizen
    outbox_enqueue(
        peer=peer_central(),
        kind="case.submitted",
        payload={
            "number": case.number,
            "matter_code": matter.code,
            "matter_version": matter.version,
            "hall": ticket.hall.name,
            "applicant": {"name": citizen.real_name, "id_number": citizen.id_number},
            "accepted_at": now.isoformat(),
            "promised_date": promised.isoformat(),
        },
        files=outgoing,
    )
    notify(recipient=citizen, event="case.accepted", case=case)
    return case, password
