"""Who a matter serves (服务对象: persons, companies or both) and whether others may act for the applicant
(允许代办): fields of a matter version, edited in the admin, carried by import and export, shown by the API;
a department's credit code is checked in full (GB 32100)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Matter, Target
from apps.shared.catalog.services import ImportRefused, catalog_export, catalog_import, matters_for_export
from tests.factories import make_user

from .test_transfer import GOOD_MATTER, _json

pytestmark = pytest.mark.django_db


def test_it_says_whom_a_matter_serves(make):
    person, company, both = make("P-1"), make("C-1", target=Target.ORGANISATION), make("B-1", target=Target.BOTH)
    assert (person.serves_persons, person.serves_companies) == (True, False)
    assert (company.serves_persons, company.serves_companies) == (False, True)
    assert (both.serves_persons, both.serves_companies) == (True, True)
    assert person.agents_allowed  # the default: others may act for the applicant


def test_a_change_of_either_field_makes_a_new_version(make):
    from apps.shared.catalog.services import MatterDraft, matter_save

    from .conftest import valid_draft

    first = make("B-1")
    draft: MatterDraft = valid_draft("B-1", department=first.department, target=Target.BOTH, agents_allowed=False)
    saved, outcome = matter_save(draft=draft)
    assert outcome == "versioned" and saved.version == 2
    assert (saved.target, saved.agents_allowed) == (Target.BOTH, False)
    assert Matter.objects.get(code="B-1", version=1).target == Target.PERSON


def test_import_and_export_carry_both_fields():
    own = {**GOOD_MATTER, "code": "OWN-1", "target": "both", "agents_allowed": False}
    catalog_import(_json(own, GOOD_MATTER), fmt="json")
    matter = Matter.objects.get(code="OWN-1")
    assert (matter.target, matter.agents_allowed) == ("both", False)
    assert Matter.objects.get(code="IMP-001").agents_allowed is True  # absent from the file: the default

    exported = json.loads(catalog_export(matters_for_export(), fmt="json"))
    row = next(m for m in exported["matters"] if m["code"] == "OWN-1")
    assert (row["target"], row["agents_allowed"]) == ("both", False)
    for fmt in ("json", "csv"):
        again = catalog_import(catalog_export(matters_for_export(), fmt=fmt), fmt=fmt)  # type: ignore[arg-type]
        assert sorted(again.unchanged) == ["IMP-001", "OWN-1"], fmt


def test_import_refuses_an_unknown_target_and_a_wrong_credit_code():
    with pytest.raises(ImportRefused) as refused:
        catalog_import(_json({**GOOD_MATTER, "target": "company"}), fmt="json")
    assert any("服务对象" in error for error in refused.value.errors), refused.value.errors

    doc = json.loads(_json(GOOD_MATTER))
    doc["departments"][0]["credit_code"] = "111101120000229399"  # the check character of ...9398 is 8
    with pytest.raises(ImportRefused) as refused:
        catalog_import(json.dumps(doc, ensure_ascii=False), fmt="json")
    assert any("校验位" in error for error in refused.value.errors), refused.value.errors
    assert not Matter.objects.exists()


def test_the_api_shows_both_fields(api, make):
    make("B-1", target=Target.BOTH, agents_allowed=False)
    body = api(None).get(reverse("api-matter", args=["B-1"])).json()
    assert (body["target"], body["agents_allowed"]) == ("both", False)


def test_the_admin_edits_both_fields(client, make):
    admin = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
    matter = make("B-1")
    client.force_login(admin)
    page = client.get(reverse("admin:catalog_matter_change", args=[matter.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="agents_allowed"' in html and 'value="both"' in html
