"""The catalog admin: adding makes version 1, hall codes are checked against the halls, the list offers
import and export, the synonym table is edited there."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from apps.shared.catalog.models import Matter, Synonym
from apps.shared.catalog.selectors import query_variants

pytestmark = pytest.mark.django_db


def _new_matter_form(department, **overrides) -> dict:
    form = {
        "code": "ADM-001",
        "name": "结婚登记",
        "department": department.pk,
        "matter_type": "07",
        "level": "4",
        "target": "person",
        "case_kind": "instant",
        "legal_days": "0",
        "promised_days": "0",
        "channels": ["window"],
        "online_depth": "2",
        "trips": "1",
        "trips_reason": "双方本人到场",
        "receiving_halls": "",
        "life_events": ["marriage"],
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-0-position": "1",
        "materials-0-key": "id-card",
        "materials-0-name": "双方居民身份证",
        "materials-0-form": "both",
        "materials-0-originals": "1",
        "materials-0-copies": "0",
        "materials-0-required": "on",
        "materials-0-source": "government",
        "materials-0-issuer": "公安机关",
        "fee_items-TOTAL_FORMS": "0",
        "fee_items-INITIAL_FORMS": "0",
        "form_fields-TOTAL_FORMS": "0",
        "form_fields-INITIAL_FORMS": "0",
    }
    form.update(overrides)
    return form


def test_the_list_offers_import_and_export_and_exports_the_selection(admin_client, make):
    make("ADM-001")
    make("ADM-002", name="结婚登记")
    page = admin_client.get(reverse("admin:catalog_matter_changelist"))
    assert page.status_code == 200
    assert reverse("admin:catalog_matter_import") in page.content.decode()
    chosen = Matter.objects.get(code="ADM-002")
    response = admin_client.post(
        reverse("admin:catalog_matter_changelist"), {"action": "export_json", "_selected_action": [chosen.pk]}
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.json"')
    assert [m["code"] for m in json.loads(response.content)["matters"]] == ["ADM-002"]


def test_synonyms_are_edited_in_the_admin(admin_client):
    Synonym.objects.filter(terms__contains="驾照").delete()
    response = admin_client.post(reverse("admin:catalog_synonym_add"), {"terms": "驾照", "note": ""})
    assert response.status_code == 200 and "至少需要两个不同的词" in response.content.decode()
    response = admin_client.post(reverse("admin:catalog_synonym_add"), {"terms": "驾照，驾驶证", "note": "口语"})
    assert response.status_code == 302
    assert query_variants("换驾照") == ["换驾照", "换驾驶证"]


def _errors(response) -> str:
    context = response.context
    return (
        str(context["adminform"].form.errors)
        + str([fs.formset.errors for fs in context["inline_admin_formsets"]])
        + str([fs.formset.non_form_errors() for fs in context["inline_admin_formsets"]])
    )
