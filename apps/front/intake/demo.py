"""Intake's demo rows for ``manage.py seed_demo`` (booking's demo hook): the demo citizen's evidence vault holds
the electronic ID card (电子身份证) the police issued, so that an online application (issue 15) shows what
government already holds as "no need to submit"."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from apps.shared.accounts.models import User

from .models import EvidenceItem, TrustLevel

if TYPE_CHECKING:
    from apps.front.booking.models import Hall

DEMO_CITIZEN = "citizen"
# A one-page PDF standing for the e-licence file (the demo has no real licence library).
DEMO_ID_CARD_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def vault_seed_demo(*, halls: Mapping[str, Hall]) -> dict[str, int]:
    """The demo citizen's A-level e-ID card in the vault (idempotent: one copy per citizen and file)."""
    citizen = User.objects.filter(username=DEMO_CITIZEN).first()
    if citizen is None:
        return {}
    digest = hashlib.sha256(DEMO_ID_CARD_PDF).hexdigest()
    if EvidenceItem.objects.filter(citizen=citizen, sha256=digest).exists():
        return {"vault items": 0}
    item = EvidenceItem(
        citizen=citizen,
        name="申请人居民身份证",
        trust_level=TrustLevel.A,
        issuer="公安机关（电子身份证）",
        content_type="application/pdf",
        size=len(DEMO_ID_CARD_PDF),
        sha256=digest,
    )
    item.file.save("demo-e-id-card.pdf", ContentFile(DEMO_ID_CARD_PDF), save=False)
    item.save()
    return {"vault items": 1}
