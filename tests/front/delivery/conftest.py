"""A case at the front with a known query password, moved along by central's signed events (the real
exchange inbox and intake handlers), and helpers for the courier's signed callback."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import subprocess
import time
import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.front.delivery.api import courier_signature
from apps.front.intake.models import Case, CaseEvent, CaseStatus
from tests.front.intake.test_wire_inbox import post_signed
from tests.journey_helpers import PDF

PASSWORD = "246810"
CERTIFICATE = PDF + b"%certificate of TZ2026120100007\n"
COURIER_KEY = "test-courier-key"


@pytest.fixture(autouse=True)
def _courier(settings, tmp_path):
    settings.COURIER_FILE_PATH = str(tmp_path / "courier.jsonl")
    settings.COURIER_BACKEND = "apps.front.delivery.couriers.FileCourierBackend"
    settings.COURIER_CALLBACK_KEYS = {"dev-express": COURIER_KEY}


@pytest.fixture
def case(citizen, hall, matter, clerk, central_peer):
    """Accepted at the hall, under review at central, promised for a date."""
    case = Case.objects.create(
        number="TZ2026120100007",
        query_password_hash=make_password(PASSWORD),
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
        promised_date=timezone.localdate() + dt.timedelta(days=7),
    )
    CaseEvent.objects.create(case=case, actor=clerk, to_status=CaseStatus.RECEIVED, note=f"{hall.name} 收件")
    CaseEvent.objects.create(case=case, actor=clerk, from_status=CaseStatus.RECEIVED, to_status=CaseStatus.ACCEPTED)
    CaseEvent.objects.create(
        case=case,
        actor_label="审批总后台",
        from_status=CaseStatus.ACCEPTED,
        to_status=CaseStatus.IN_REVIEW,
        note="初审：申请人王小明住址核实",
    )
    return case


def central_event(client, kind: str, payload: dict, files=()) -> dict:
    message_id = str(uuid.uuid4())
    body = json.dumps(
        {"id": message_id, "kind": kind, "payload": payload, "files": list(files)}, ensure_ascii=False
    ).encode()
    response = post_signed(client, body, message_id)
    assert response.status_code == 200, response.content
    return response.json()


def decide(client, case: Case) -> None:
    central_event(
        client,
        "case.decided",
        {
            "number": case.number,
            "decision": "approved",
            "reason": "",
            "remedies": "",
            "decided_at": timezone.now().isoformat(),
            "approver_label": "审批人员",
        },
    )


def issue_result(client, case: Case, *, code: str = "CERTCODE2345", content: bytes = CERTIFICATE) -> None:
    """Central's certificate arrives (case.result_issued), as the review app sends it."""
    payload = {
        "number": case.number,
        "title": "社会保障卡",
        "licence_number": f"RSJ-2026-{case.number}",
        "verification_code": code,
        "issued_on": "2026-12-01",
        "valid_until": "",
        "issuer": "区人力资源和社会保障局",
        "delivery_method": "electronic",
    }
    files = [
        {
            "name": "社会保障卡",
            "sha256": hashlib.sha256(content).hexdigest(),
            "content_type": "application/pdf",
            "content_b64": base64.b64encode(content).decode(),
        }
    ]
    central_event(client, "case.result_issued", payload, files)


def courier_push(
    client, body: dict, *, key: str = COURIER_KEY, courier: str = "dev-express", timestamp: int | None = None
):
    raw = json.dumps(body).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(
        f"/api/v1/courier/{courier}/callback/",
        data=raw,
        content_type="application/json",
        HTTP_X_COURIER_TIMESTAMP=stamp,
        HTTP_X_COURIER_SIGNATURE=courier_signature(key=key, timestamp=stamp, body=raw),
    )


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
