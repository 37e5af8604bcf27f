"""A matter with keyed materials like the demo 社会保障卡申领, with the demo guided questions."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client

from apps.front.booking.models import GroupMatter
from apps.front.guidance.demo import SOCIAL_CARD
from apps.front.guidance.services import guidance_load_demo
from apps.front.intake.models import EvidenceItem
from apps.shared.catalog.models import Department, Material, Matter


def make_social_card(code: str = SOCIAL_CARD, version: int = 1) -> Matter:
    department = Department.objects.get_or_create(code="RSJ", defaults={"name": "区人力资源和社会保障局"})[0]
    matter = Matter.objects.create(
        code=code,
        version=version,
        name="社会保障卡申领",
        department=department,
        promised_days=10,
        legal_days=20,
        matter_type="20",
        trips=1,
        trips_reason="需本人到场核验身份并领取实体社会保障卡",
        result_name="社会保障卡（第三代）",
        e_licence=True,
        keywords="社保卡,社会保障卡",
    )
    rows = [
        ("id-card", "申请人居民身份证", True, "government", "公安机关", "核验原件，不收取复印件"),
        ("photo", "近期一寸白底免冠彩色照片", True, "applicant", "", "白底彩色数码照片"),
        (
            "guardian-id-card",
            "监护人居民身份证",
            False,
            "government",
            "公安机关",
            "未满十六周岁人员由监护人代为申领时出示",
        ),
        ("power-of-attorney", "授权委托书及受托人居民身份证", False, "applicant", "", "委托他人代为办理时提供"),
    ]
    for position, (key, name, required, source, issuer, notes) in enumerate(rows, start=1):
        Material.objects.create(
            matter=matter,
            key=key,
            position=position,
            name=name,
            required=required,
            source=source,
            issuer=issuer,
            notes=notes,
            copies=0,
        )
    return matter


@pytest.fixture
def card_matter(db, hall):
    matter = make_social_card()
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    guidance_load_demo()
    return matter


def vault_item(citizen, name: str, level: str, **extra) -> EvidenceItem:
    return EvidenceItem.objects.create(
        citizen=citizen,
        name=name,
        trust_level=level,
        issuer="公安机关",
        file="vault/x.pdf",
        content_type="application/pdf",
        size=10,
        sha256=f"{level}{name}".encode().hex()[:64].ljust(64, "0"),
        **extra,
    )


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pdf_text(response) -> str:
    """The text of a PDF response, as poppler's pdftotext reads it, with the line breaks a table cell
    makes in a long name taken out (whitespace removed: the text is Chinese)."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    result = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    return "".join(result.stdout.decode("utf-8").split())
