"""Accepted cases at the front, in bulk, made the way intake makes them (apps/front/intake/services.py
``_receive`` + ``_accept``): each case in its own transaction with its events, a material, the move to
ACCEPTED through ``case_transition``, and the ``case.submitted`` message written by ``outbox_enqueue`` in
that same transaction, so every commit kicks the relay exactly as a clerk's accept does.

What it skips is the window around intake (ticket, appointment, receipt PDF, SMS): none of it touches the
wire, and driving it for thousands of cases would measure the hall, not the hand-off.

It runs inside the front site, never in the test process:

    manage.py shell -c "from tests.faults.casefactory import main; main(count=50, tag='A1B2C3')"

and prints one JSON line: {"numbers": [...], "message_ids": [...], "seconds": ...}.
"""

from __future__ import annotations

import hashlib
import json
import time

# A tiny but real PDF: central checks its SHA-256 and stores it.
PDF = (  # one blank page that a PDF reader opens (an upload that does not open is refused)
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n176\n%%EOF\n"
)
# The matter the demo approver's department decides (apps/central/review/management/commands/seed_demo.py).
MATTER_NAME = "社会保障卡申领"


def main(*, count: int, tag: str, hall_code: str = "TZ", pause: float = 0.0, matter_code: str = "") -> list[str]:
    """``pause`` seconds between cases: one at a time, to time a case that has the wire to itself. The matter:
    the demo approver's (``MATTER_NAME``), or the current one with ``matter_code``; each case goes to the central
    its matter is routed to."""
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from apps.front.booking.models import Hall
    from apps.front.intake.conf import intake_conf
    from apps.front.intake.models import Case, CaseEvent, CaseMaterial, CaseStatus, TrustLevel
    from apps.front.intake.services import case_transition
    from apps.shared.accounts.models import User
    from apps.shared.catalog.models import Matter
    from apps.shared.exchange import contract
    from apps.shared.exchange.peers import central_for
    from apps.shared.exchange.services import OutgoingFile, outbox_enqueue
    from apps.shared.workcalendar.selectors import calendar_get

    started = time.monotonic()
    if matter_code:
        matter = Matter.objects.get(code=matter_code, is_current=True)
    else:
        matter = Matter.objects.get(name=MATTER_NAME, is_current=True)
    hall = Hall.objects.get(code=hall_code)
    citizen = User.objects.get(username="citizen")
    # The hall's first clerk (the Sub-center's `clerk`, the municipal centre's `clerk_sz`).
    clerk = User.objects.filter(post__hall=hall, post__window__isnull=False).order_by("id").first()
    peer = central_for(matter.code)
    material = matter.materials.filter(required=True).first()
    today = timezone.localdate()
    calendar = calendar_get()
    intake_deadline = calendar.add_workdays(today, intake_conf.INTAKE_NOTICE_DAYS)
    promised = calendar.add_workdays(today, matter.promised_days)
    # No one queries these cases by password; an unusable hash spares a PBKDF2 run per case.
    password_hash = make_password(None)
    digest = hashlib.sha256(PDF).hexdigest()
    # One stored scan shared by every case of the batch, as a reused vault item is (intake ``_reuse``).
    path = default_storage.save(f"cases/bulk-{tag}-{digest[:12]}.pdf", ContentFile(PDF))
    name = material.name if material else "申请材料"

    numbers, message_ids = [], []
    for i in range(count):
        if pause and i:
            time.sleep(pause)
        number = f"{hall.case_prefix}{tag}{i:05d}"
        with transaction.atomic():
            now = timezone.now()
            case = Case.objects.create(
                number=number,
                query_password_hash=password_hash,
                citizen=citizen,
                matter=matter,
                hall=hall,
                clerk=clerk,
                status=CaseStatus.RECEIVED,
                received_at=now,
                intake_deadline=intake_deadline,
                central=peer,
            )
            CaseEvent.objects.create(case=case, actor=clerk, to_status=CaseStatus.RECEIVED, note=f"{hall.name} 收件")
            CaseMaterial.objects.create(
                case=case,
                material=material,
                name=name,
                file=path,
                original_name="scan.pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=digest,
                uploaded_by=clerk,
                trust_level=TrustLevel.B,
            )
            case_transition(
                case=case, to_status=CaseStatus.ACCEPTED, actor=clerk, accepted_at=now, promised_date=promised
            )
            message = outbox_enqueue(
                peer=peer,
                payload=contract.CaseSubmitted(
                    number=case.number,
                    matter_code=matter.code,
                    matter_version=matter.version,
                    hall=hall.name,
                    applicant=contract.Applicant(name=citizen.real_name, id_number=citizen.id_number),
                    accepted_at=now,
                    promised_date=promised,
                    commitment_items=[],
                ),
                files=[OutgoingFile(name=name, path=path, sha256=digest, content_type="application/pdf")],
            )
        numbers.append(number)
        message_ids.append(str(message.id))
    seconds = round(time.monotonic() - started, 3)
    print(json.dumps({"numbers": numbers, "message_ids": message_ids, "seconds": seconds}))
    return numbers
