"""The catalog's admin checks a matter's receiving halls against the halls of this site (halls live in
booking, on the front only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.shared.catalog.models import Matter
from tests.shared.catalog import conftest as catalog_fixtures
from tests.shared.catalog.test_admin import _errors, _new_matter_form

pytestmark = pytest.mark.django_db

# The catalog's own builders (tests/shared/catalog/conftest.py), shared rather than copied.
department = catalog_fixtures.department
make = catalog_fixtures.make


def test_adding_a_matter_in_the_admin_makes_version_one(admin_client, department, hall):
    response = admin_client.post(
        reverse("admin:catalog_matter_add"), _new_matter_form(department, receiving_halls="TZ")
    )
    assert response.status_code == 302, _errors(response)
    matter = Matter.objects.get(code="ADM-001")
    assert (matter.version, matter.is_current, matter.receiving_halls, matter.life_events) == (
        1,
        True,
        ["TZ"],
        ["marriage"],
    )
    assert [(m.key, m.name) for m in matter.materials.all()] == [("id-card", "双方居民身份证")]


def test_the_admin_refuses_a_hall_that_does_not_exist_and_a_duplicate_code(admin_client, department, hall, make):
    response = admin_client.post(
        reverse("admin:catalog_matter_add"), _new_matter_form(department, receiving_halls="TZ,NOPE")
    )
    assert response.status_code == 200
    assert "没有这些大厅：NOPE。" in response.content.decode()
    make("ADM-001")
    response = admin_client.post(reverse("admin:catalog_matter_add"), _new_matter_form(department))
    assert "该实施编码的事项已存在" in response.content.decode()
    assert Matter.objects.filter(code="ADM-001").count() == 1
