"""What the front holds about one citizen, made at a fixed moment (T0) so that periods can be crossed exactly:
a finished appointment and its ticket, a closed case with a scan, a voucher and a delivery by post, the vault
(one copy shared with the case's scan, one of its own), a closed consultation, a rated service, a message, a
checklist and the consent given at registration. Another citizen has an appointment of their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.consult.models import ConsultTicket, TicketMessage
from apps.front.delivery.models import Delivery, HandoverStatus
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.guidance.models import Checklist
from apps.front.intake.models import Case, CaseMaterial, CaseStatus, Document, DocumentKind, EvidenceItem, TrustLevel
from apps.front.notifications.models import Notification
from apps.front.ratings.models import Evaluation, ServiceKind
from apps.shared.privacy.consents import consent_record
from apps.shared.privacy.models import Channel, ConsentPurpose
from tests.journey_helpers import PDF, PNG
from tests.personas_front import make_slot

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


@dataclass
class Held:
    appointment: Appointment
    ticket: Ticket
    case: Case
    material: CaseMaterial
    document: Document
    delivery: Delivery
    shared_copy: EvidenceItem
    own_copy: EvidenceItem
    consultation: ConsultTicket
    evaluation: Evaluation
    notification: Notification
    checklist: Checklist
    other_appointment: Appointment


def stored(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


@pytest.fixture
def t0(time_machine):
    """Time stands at T0 from before the people exist (their password dates and tokens are of T0 too)."""
    time_machine.move_to(T0, tick=False)
    return T0


@pytest.fixture
def held(t0, citizen, other_citizen, clerk, hall, matter) -> Held:
    slot = make_slot(hall, days_ahead=1, capacity=5)
    appointment = Appointment.objects.create(
        code="A0000001",
        citizen=citizen,
        matter=matter,
        matter_code=matter.code,
        slot=slot,
        hall=hall,
        status=AppointmentStatus.COMPLETED,
        idempotency_key="form-key-1",
        cancel_reason="",
    )
    other = Appointment.objects.create(
        code="A0000002",
        citizen=other_citizen,
        matter=matter,
        matter_code=matter.code,
        slot=slot,
        hall=hall,
        status=AppointmentStatus.COMPLETED,
    )
    ticket = Ticket.objects.create(
        hall=hall,
        group=hall.groups.get(),
        service_date=T0.date(),
        number=7,
        prefix="A",
        matter=matter,
        citizen=citizen,
        display_name="王*",
        status=TicketStatus.DONE,
        appointment=appointment,
    )
    case = Case.objects.create(
        number="TZ2026030200001",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.CLOSED,
        appointment=appointment,
    )
    scan = stored("cases/2026/03/TZ2026030200001-id.png", PNG)
    material = CaseMaterial.objects.create(
        case=case,
        material=matter.materials.get(name="居民身份证"),
        name="居民身份证",
        file=scan,
        original_name="我的身份证.png",
        content_type="image/png",
        size=len(PNG),
        sha256="a" * 64,
        uploaded_by=citizen,
    )
    pdf = stored("documents/2026/03/receipt.pdf", PDF)
    document = Document.objects.create(
        case=case,
        kind=DocumentKind.RECEIPT,
        verification_code="VERIFY000001",
        issued_by=clerk,
        file=pdf,
        sha256="d" * 64,
        content={
            "number": case.number,
            "applicant": "王小明",
            "applicant_id": "1101**********002X",
            "matter": matter.name,
        },
    )
    delivery = Delivery.objects.create(
        case=case,
        method="post",
        status=HandoverStatus.DELIVERED,
        recipient_name="王小明",
        recipient_phone="13800001111",
        address="北京市通州区运河东大街1号",
        courier="dev-express",
        tracking_number="SF001",
        delivered_at=T0,
    )
    shared_copy = EvidenceItem.objects.create(
        citizen=citizen,
        name="居民身份证",
        trust_level=TrustLevel.B,
        file=scan,
        content_type="image/png",
        size=len(PNG),
        sha256="a" * 64,
        origin_case=case,
        verified_by=clerk,
    )
    own_copy = EvidenceItem.objects.create(
        citizen=citizen,
        name="户口簿",
        trust_level=TrustLevel.C,
        file=stored("vault/2026/03/hukou.pdf", PDF),
        content_type="application/pdf",
        size=len(PDF),
        sha256="b" * 64,
    )
    consultation = ConsultTicket.objects.create(
        code="ZX0001",
        citizen=citizen,
        contact_name="王小明",
        contact_phone="13800001111",
        matter=matter,
        hall=hall,
        department=matter.department,
        title="社保卡丢了怎么补办",
        status="closed",
        owner=clerk,
        closed_at=T0,
        rating=1,
        rating_comment="回答很清楚，谢谢王老师",
    )
    TicketMessage.objects.create(
        ticket=consultation, kind="question", author=citizen, body="我叫王小明，电话13800001111"
    )
    evaluation = Evaluation.objects.create(
        kind=ServiceKind.CASE,
        case=case,
        citizen=citizen,
        score=1,
        comment="李窗口服务很好",
        hall=hall,
        matter=matter,
        department=matter.department,
    )
    notification = Notification.objects.create(
        recipient=citizen,
        event="case.accepted",
        channel="sms",
        subject="您的办件已受理",
        body="王小明您好，您申请的社会保障卡申领已受理",
        status="delivered",
        case=case,
    )
    checklist = Checklist.objects.create(code="CL0001", citizen=citizen, matter=matter, answers={"photo": "kept"})
    consent_record(user=citizen, purpose=ConsentPurpose.REGISTRY_CHECK, channel=Channel.API, reference="registration")
    return Held(
        appointment,
        ticket,
        case,
        material,
        document,
        delivery,
        shared_copy,
        own_copy,
        consultation,
        evaluation,
        notification,
        checklist,
        other,
    )
