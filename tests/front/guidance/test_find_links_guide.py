"""On the front, the catalog's find page links each result to its guide (a guidance page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.shared.catalog import conftest as catalog_fixtures
from tests.shared.catalog import test_search

pytestmark = pytest.mark.django_db

# The catalog's own builders (tests/shared/catalog/conftest.py), shared rather than copied.
department = catalog_fixtures.department
make = catalog_fixtures.make
catalog = test_search.catalog


def test_the_find_page_lists_results_linking_to_the_guide(catalog, client):
    response = client.get(reverse("matter_find"), {"q": "社保卡"})
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("matter_guide", args=["S-1"]) in page
    assert "同时查找了：" in page and "社会保障卡" in page
    tiles = client.get(reverse("matter_find")).content.decode()
    assert "?life_event=birth" in tiles and "生育" in tiles
    assert client.get(reverse("matter_find"), {"mode": "nowhere"}).status_code == 400
