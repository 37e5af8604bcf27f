"""容缺受理 (DOMAIN.md §4, issue 13): a matter marks which of its materials the applicant may promise to bring later;
never the identity document or the application form, and only a required material. The rule is written once
(catalog/rules.py) and holds for the service, the importer and the admin alike."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from apps.shared.catalog.models import Material, Matter
from apps.shared.catalog.services import ImportRefused, catalog_export, catalog_import, matters_for_export
from apps.shared.catalog.services.versions import draft_problems

from .conftest import valid_draft
from .test_admin import _new_matter_form
from .test_transfer import GOOD_MATTER, _json

pytestmark = pytest.mark.django_db


def problems(draft) -> str:
    found = draft_problems(draft)
    return "\n".join([*found.matter, *(m for ms in found.materials.values() for m in ms)])


def test_a_minor_required_material_may_be_deferred(department):
    draft = valid_draft(department=department)
    draft.materials[1].required, draft.materials[1].deferrable = True, True  # the photo
    assert problems(draft) == ""


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("id-card", "居民身份证"),
        ("m1", "双方居民身份证"),
        ("m2", "监护人护照"),
        ("form", "不动产登记申请书"),
        ("m3", "参保登记表"),
        ("x", "营业执照"),
    ],
)
def test_an_identity_document_or_the_application_form_never(department, key, name):
    draft = valid_draft(department=department)
    draft.materials.append(Material(key=key, name=name, originals=1, copies=0, required=True, deferrable=True))
    assert f"材料“{name}”是身份证件或申请表，不能容缺" in problems(draft)


def test_an_optional_material_is_not_deferred(department):
    draft = valid_draft(department=department)
    draft.materials[1].required, draft.materials[1].deferrable = False, True
    assert "不是必要材料，无需设为可容缺" in problems(draft)


def test_the_importer_refuses_a_deferrable_id_card_and_keeps_the_flag_both_ways():
    bad = {**GOOD_MATTER, "materials": [{**GOOD_MATTER["materials"][0], "deferrable": True}]}
    with pytest.raises(ImportRefused) as refused:
        catalog_import(_json(bad), fmt="json")
    assert any("不能容缺" in error for error in refused.value.errors)
    photo = {"key": "photo", "name": "近期免冠照片", "required": True, "deferrable": True}
    catalog_import(_json({**GOOD_MATTER, "materials": [*GOOD_MATTER["materials"], photo]}), fmt="json")
    assert list(Matter.objects.get(code="IMP-001").materials.values_list("key", "deferrable")) == [
        ("id-card", False),
        ("photo", True),
    ]
    exported = json.loads(catalog_export(matters_for_export(), fmt="json"))
    assert [m["deferrable"] for m in exported["matters"][0]["materials"]] == [False, True]


def test_the_admin_says_why_when_the_id_card_is_marked(admin_client, department):
    response = admin_client.post(
        reverse("admin:catalog_matter_add"), _new_matter_form(department, **{"materials-0-deferrable": "on"})
    )
    assert response.status_code == 200 and not Matter.objects.exists()
    assert "是身份证件或申请表，不能容缺" in response.content.decode()
    # The field is on the material's inline, with its help text.
    assert "materials-__prefix__-deferrable" in admin_client.get(reverse("admin:catalog_matter_add")).content.decode()
