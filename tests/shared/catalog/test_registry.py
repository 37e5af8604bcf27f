"""The catalog learns halls and guide pages from the front apps that own them (they register from their
AppConfig.ready()); central registers nothing and the catalog answers from its own matters."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from apps.shared.catalog import halls, registry
from tests.shared.catalog import conftest as catalog_fixtures

department = catalog_fixtures.department
make = catalog_fixtures.make

FRONT = apps.is_installed("apps.front.booking")


@pytest.mark.django_db
def test_the_front_apps_register_and_central_falls_back_to_the_catalogs_own_codes(make):
    make("R-1", receiving_halls=["YS", "TZ"])
    make("R-2", receiving_halls=["TZ"])
    if FRONT:
        from apps.front.booking.models import Hall

        assert registry.halls() is not None
        Hall.objects.create(code="AA", name="甲大厅", address="某路1号")
        assert ("AA", "甲大厅") in halls.hall_choices()  # the halls themselves, not the codes matters name
        assert "YS" not in dict(halls.hall_choices())
        assert halls.unknown_hall_codes(["AA", "NOPE"]) == ["NOPE"]
        assert registry.guide_url("R-1") == "/guide/R-1/"
    else:
        assert registry.halls() is None
        assert halls.hall_choices() == [("TZ", "TZ"), ("YS", "YS")]
        assert halls.unknown_hall_codes(["TZ", "NOPE"]) == []  # nothing to check against here
        assert registry.guide_url("R-1") is None


@pytest.mark.django_db
def test_the_find_page_links_a_guide_only_where_one_is_registered(make, client):
    make("R-3", name="独生子女父母光荣证申领")
    page = client.get(reverse("matter_find"), {"q": "光荣证"}).content.decode()
    assert "独生子女父母光荣证申领" in page
    assert ('href="/guide/R-3/"' in page) is FRONT


def test_a_second_registration_of_another_kind_is_refused(monkeypatch):
    monkeypatch.setattr(registry, "_halls", None)
    monkeypatch.setattr(registry, "_guide_url", None)
    choices, unknown = (lambda: []), (lambda codes: codes)
    registry.provides_halls(choices=choices, unknown_codes=unknown)
    registry.provides_halls(choices=choices, unknown_codes=unknown)  # ready() run again: the same, fine
    with pytest.raises(RuntimeError):
        registry.provides_halls(choices=lambda: [], unknown_codes=unknown)
    registry.provides_guide_url(str)
    with pytest.raises(RuntimeError):
        registry.provides_guide_url(repr)
