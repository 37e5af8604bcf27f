"""The catalog is shared: on the central site (no halls, no guide pages) search and the find page work too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.shared.catalog.models import Synonym
from apps.shared.catalog.services import DEMO_CATALOG_PATH, catalog_import

pytestmark = pytest.mark.django_db


def test_the_find_page_and_the_search_api_work_on_central(client):
    catalog_import(DEMO_CATALOG_PATH.read_bytes(), fmt="json")
    Synonym.objects.get_or_create(terms="社保卡,社会保障卡")
    page = client.get(reverse("matter_find"), {"q": "社保卡"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "社会保障卡申领" in text and "/guide/" not in text
    body = client.get(reverse("api-matter-search"), {"q": "社会保障咔申领"}).json()
    assert body["results"][0]["name"] == "社会保障卡申领"
    assert client.get(reverse("matter_find"), {"mode": "hall"}).status_code == 200
