"""The hall's side of the remote window, against a real central (tests/registry_central.py: central's web server
on its own database, seeded with the demo data, which serves the demo matter 社会保障卡申领 remotely and whose
demo approver works for its department). The front under test relays to it over real signed HTTP."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from apps.front.booking.models import GroupMatter
from apps.shared.catalog.models import Department, Material, Matter, MatterField
from govservice.lib import signing
from govservice.lib.fieldcrypto import key_ring
from tests.personas_front import TERMINAL_TOKEN
from tests.registry_central import KEY_ID, SECRET, registry, registry_central  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[3]
DEMO_MATTER = "11011202000000000000-000201-01"  # 社会保障卡申领, served remotely in the demo catalog
DEMO_PASSWORD = "Demo-2026-pass"
INBOX = "/api/v1/exchange/messages/"
PDF = (  # one blank page that a PDF reader opens (an upload that does not open is refused)
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n176\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _demo_record(code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    catalog = json.loads((ROOT / "apps/shared/catalog/demo_catalog.json").read_text(encoding="utf-8"))
    matter = next(m for m in catalog["matters"] if m["code"] == code)
    department = next(d for d in catalog["departments"] if d["code"] == matter["department"])
    return matter, department


@pytest.fixture
def remote_matter(hall) -> Matter:
    """The demo matter as central knows it (same code and material keys), received at the hall."""
    record, dept = _demo_record(DEMO_MATTER)
    department, _ = Department.objects.get_or_create(code=dept["code"], defaults={"name": dept["name"]})
    matter = Matter.objects.create(
        code=record["code"],
        name=record["name"],
        department=department,
        promised_days=record["promised_days"],
        legal_days=record["legal_days"],
        remote_window=True,
    )
    for n, material in enumerate(record["materials"]):
        Material.objects.create(
            matter=matter,
            position=n,
            key=material["key"],
            name=material["name"],
            required=material["required"],
            originals=material["originals"],
            copies=material["copies"],
        )
    for n, field in enumerate(record.get("form_fields", [])):
        MatterField.objects.create(
            matter=matter,
            position=n,
            key=field["key"],
            label=field["label"],
            kind=field["kind"],
            required=field["required"],
            choices=field["choices"],
            help_text=field["help_text"],
        )
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    return matter


@pytest.fixture
def kiosk(client, terminal):
    """The test client as the hall's activated kiosk."""
    client.post("/terminal/", {"token": TERMINAL_TOKEN})
    return client


class CentralStaff:
    """A central staff member's browser, as plain HTTP: signed in, then the desk's and the session page's requests."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.get(f"{url}/accounts/login/", timeout=10)
        signed_in = self.http.post(
            f"{url}/accounts/login/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": self.csrf},
            timeout=10,
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.text[:500]

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def answer(self, session_id: str) -> requests.Response:
        return self.http.post(
            f"{self.url}/remote/{session_id}/answer/",
            data={"csrfmiddlewaretoken": self.csrf},
            timeout=10,
            allow_redirects=False,
        )

    def post(self, session_id: str, path: str, data: dict[str, Any]) -> requests.Response:
        return self.http.post(
            f"{self.url}/remote/{session_id}/{path}/",
            data=json.dumps(data, ensure_ascii=False),
            headers={"X-CSRFToken": self.csrf, "Content-Type": "application/json"},
            timeout=10,
        )

    def poll(self, session_id: str, **params: Any) -> dict[str, Any]:
        return self.http.get(f"{self.url}/remote/{session_id}/poll/", params=params, timeout=10).json()


@pytest.fixture
def approver(request) -> CentralStaff:
    """The demo approver (刘洋, of the demo matter's department) at the live central."""
    return CentralStaff(request.getfixturevalue("registry").url, "approver")


def deliver(client, central, kind: str, session_id: str) -> Any:
    """Deliver central's outbox message of ``kind`` for the session into this front's inbox, signed with central's
    key, as central's relay would (the test's central runs no worker)."""
    rows = [
        (message_id, json.loads(key_ring().decrypt(payload.encode())), actor)  # payloads are encrypted at rest
        for message_id, payload, actor in central.site.sql(
            "SELECT id, payload, actor FROM exchange_outboxmessage WHERE kind = %s ORDER BY created_at", (kind,)
        )
    ]
    found = [row for row in rows if row[1].get("session") == session_id]
    assert len(found) == 1, found
    message_id, payload, actor = found[0]
    envelope = {"id": str(message_id), "kind": kind, "actor": actor, "payload": payload, "files": []}
    body = json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    headers = signing.sign(
        key_id=KEY_ID, secret=SECRET, method="POST", path=INBOX, message_id=str(message_id), body=body
    )
    return client.post(INBOX, data=body, content_type="application/json", headers=headers)


def start_at_kiosk(kiosk, matter, citizen, **changes):
    return kiosk.post(
        "/terminal/remote/", {"matter": matter.code, "id_number": citizen.id_number, "consent": "1", **changes}
    )


def session_id_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:800]
    return response["Location"].strip("/").split("/")[-1]


def new_id() -> str:
    return str(uuid.uuid4())
