"""A case keeps the matter version it was accepted under when the catalog changes (the catalog's own
versioning is tested under both roles in tests/shared/catalog/test_versions.py)."""

from __future__ import annotations

import pytest

from apps.front.intake.models import Case, CaseStatus
from apps.shared.catalog.models import Material
from apps.shared.catalog.services import matter_draft_from, matter_save
from tests.shared.catalog import conftest as catalog_fixtures

pytestmark = pytest.mark.django_db

# The catalog's own builders (tests/shared/catalog/conftest.py), shared rather than copied.
department = catalog_fixtures.department
make = catalog_fixtures.make


def test_a_case_keeps_its_version_after_an_edit(make, citizen, hall, clerk):
    v1 = make()
    material = v1.materials.get(key="id-card")
    case = Case.objects.create(
        number="TZ202612010001",
        query_password_hash="x",
        citizen=citizen,
        matter=v1,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.ACCEPTED,
    )
    case.materials.create(
        material=material,
        name=material.name,
        file="cases/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=clerk,
    )
    draft = matter_draft_from(v1)
    draft.matter.legal_days, draft.matter.promised_days = 30, 15
    draft.materials = [m for m in draft.materials if m.key != "photo"]
    v2, _ = matter_save(draft=draft)

    case.refresh_from_db()
    assert case.matter_id == v1.pk and case.matter.version == 1 and case.matter.promised_days == 10
    assert case.materials.get().material_id == material.pk
    assert Material.objects.filter(matter=v1).count() == 2
    assert v2.materials.count() == 1
