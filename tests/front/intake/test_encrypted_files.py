"""Uploaded scans and issued documents are encrypted on the front's disk (issue 12, "Keys"): an ID card scanned
at the window is not a JPEG on the disk, yet the vault, the wire and the documents see the clear bytes, and
every digest is the digest of what was uploaded or issued."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from apps.front.intake.models import CaseMaterial, Document, EvidenceItem
from apps.shared.exchange.models import OutboxMessage
from apps.shared.exchange.services import build_body
from govservice.lib.fieldcrypto import FILE_HEADER
from tests.journey_helpers import shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + "居民身份证 王小明".encode() + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def accepted(api, citizen, clerk, slot, matter, terminal, central_peer):
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    shift_slot_to_now(slot.id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
    id_card = matter.materials.get(name="居民身份证")
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
        {f"material_{id_card.id}": upload("身份证.jpg", JPEG, "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def on_disk(name: str) -> bytes:
    return Path(default_storage.path(name)).read_bytes()


def test_an_id_card_scan_is_no_jpeg_on_the_disk_but_the_vault_and_the_wire_get_it_clear(accepted, citizen):
    material = CaseMaterial.objects.get(case__number=accepted["number"])
    stored = on_disk(material.file.name)
    assert stored.startswith(FILE_HEADER) and not stored.startswith(b"\xff\xd8\xff")
    assert b"JFIF" not in stored and "王小明".encode() not in stored
    assert material.content_type == "image/jpeg" and material.sha256 == hashlib.sha256(JPEG).hexdigest()
    with material.file.open("rb") as fh:
        assert fh.read() == JPEG
    # The vault keeps the same encrypted file for next time.
    evidence = EvidenceItem.objects.get(citizen=citizen)
    assert evidence.file.name == material.file.name and evidence.file.read() == JPEG
    # Central receives the clear scan, and its digest checks.
    envelope = json.loads(build_body(OutboxMessage.objects.get(kind="case.submitted")))
    [sent] = envelope["files"]
    assert base64.b64decode(sent["content_b64"]) == JPEG and sent["sha256"] == material.sha256


def test_a_receipt_is_encrypted_on_the_disk_served_clear_and_verified_against_the_clear_digest(accepted, clerk):
    [receipt] = accepted["documents"]
    page = Client()
    page.force_login(clerk)
    served = page.get(receipt["url"])
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    document = Document.objects.get(verification_code=receipt["verification_code"])
    stored = on_disk(document.file.name)
    assert stored.startswith(FILE_HEADER) and b"%PDF" not in stored
    assert document.sha256 == hashlib.sha256(served.content).hexdigest()
    assert page.get(receipt["url"]).content == served.content  # rendered once, read back the same
    copy = upload("copy.pdf", served.content, "application/pdf")
    assert 'id="genuine"' in Client().post(f"/verify/{receipt['verification_code']}/", {"copy": copy}).content.decode()
