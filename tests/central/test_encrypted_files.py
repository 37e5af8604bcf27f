"""Materials received over the wire and issued certificates are encrypted on central's disk (issue 12, "Keys");
the viewer sniffs and serves the clear bytes, and the certificate travels clear with the digest of its PDF."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from apps.central.review.models import Certificate, ReviewCase
from apps.shared.exchange.models import OutboxMessage
from apps.shared.exchange.services import build_body
from govservice.lib.fieldcrypto import FILE_HEADER
from tests.central.reviewing import to_decision
from tests.central.test_review import package, send

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + "居民身份证 王小明".encode() + b"\x00" * 64 + b"\xff\xd9"


def on_disk(name: str) -> bytes:
    return Path(default_storage.path(name)).read_bytes()


def test_a_received_scan_is_no_jpeg_on_the_disk_and_the_viewer_serves_it_as_one(client, platform, matter, approver):
    assert send(client, *package(matter, content=JPEG)).status_code == 200
    case = ReviewCase.objects.get(front_number="TZ2026112400001")
    material = case.materials.get()
    stored = on_disk(material.file.name)
    assert stored.startswith(FILE_HEADER) and not stored.startswith(b"\xff\xd8\xff") and b"JFIF" not in stored
    assert material.content_type == "image/jpeg" and material.sha256 == hashlib.sha256(JPEG).hexdigest()

    viewer = Client()
    viewer.force_login(approver)
    served = viewer.get(f"/cases/{case.id}/materials/{material.id}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg" and served["Content-Disposition"].startswith("inline;")
    assert served["Content-Length"] == str(len(JPEG)) and b"".join(served.streaming_content) == JPEG


def test_a_certificate_is_encrypted_on_the_disk_and_sent_clear_with_its_digest(api, client, platform, matter, approver):
    send(client, *package(matter))
    case = ReviewCase.objects.get()
    to_decision(api, approver, case)
    for action, data in (("decide", {"decision": "approved", "reason": ""}), ("result", {"valid_years": 5})):
        assert api(approver).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json").status_code == 200
    certificate = Certificate.objects.get(case=case)
    stored = on_disk(certificate.file.name)
    assert stored.startswith(FILE_HEADER) and b"%PDF" not in stored
    clear = certificate.file.read()
    assert clear.startswith(b"%PDF") and hashlib.sha256(clear).hexdigest() == certificate.sha256
    [sent] = json.loads(build_body(OutboxMessage.objects.get(kind="case.result_issued")))["files"]
    assert base64.b64decode(sent["content_b64"]) == clear and sent["sha256"] == certificate.sha256
