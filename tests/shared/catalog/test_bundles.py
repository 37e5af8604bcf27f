"""一件事 bundles in the catalog (issue 15): defined in the admin from existing matters (by code), each at most
once, online-capable, waiting only for another of the bundle and never in a circle; a form field two matters ask
under one key must ask the same thing (the merged form asks it once)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.shared.catalog.models import Bundle, BundleItem, FieldKind, MatterField
from apps.shared.catalog.rules import bundle_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make):
    online = {"online_depth": 4, "trips": 0, "trips_reason": "", "channels": ["online"]}
    return [make(f"B-00{i}", name=f"事项{i}", **online) for i in (1, 2, 3)]


def items(*pairs) -> list[BundleItem]:
    return [BundleItem(matter_code=code, after=after) for code, after in pairs]


def test_a_good_bundle_passes(three):
    assert bundle_errors(items(("B-001", ""), ("B-002", "B-001"), ("B-003", "B-001"))) == []


def test_every_broken_rule_is_named(three, make):
    window_only = make("W-001")
    errors = " ".join(
        bundle_errors(
            items(("B-001", "B-003"), ("B-002", "B-001"), ("B-003", "B-002"), ("W-001", "B-009"), ("NOPE", ""))
        )
    )
    assert "前置事项形成循环" in errors
    assert "前置事项“B-009”不在本一件事中" in errors
    assert "没有实施编码为“NOPE”的现行事项" in errors
    assert f"事项“{window_only.name}”不支持网上申报" in errors
    assert "至少包含两个事项" in " ".join(bundle_errors(items(("B-001", ""))))


def test_a_key_asked_by_two_matters_must_ask_the_same_thing(three):
    MatterField.objects.create(matter=three[0], key="child-name", label="新生儿姓名", kind=FieldKind.TEXT)
    MatterField.objects.create(matter=three[1], key="child-name", label="新生儿姓名", kind=FieldKind.TEXT)
    assert bundle_errors(items(("B-001", ""), ("B-002", ""))) == []
    MatterField.objects.create(matter=three[2], key="child-name", label="新生儿出生日期", kind=FieldKind.DATE)
    assert "“child-name”在多个事项中含义不同" in " ".join(bundle_errors(items(("B-001", ""), ("B-003", ""))))


def test_the_admin_defines_a_bundle_and_says_what_is_wrong(three, admin_client):
    form = {
        "code": "newborn",
        "name": "新生儿出生一件事",
        "life_event": "birth",
        "description": "",
        "is_active": "on",
        "online_submission": "on",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-position": "1",
        "items-0-matter_code": "B-001",
        "items-0-after": "B-002",
        "items-1-position": "2",
        "items-1-matter_code": "B-002",
        "items-1-after": "B-001",
    }
    refused = admin_client.post(reverse("admin:catalog_bundle_add"), form)
    assert refused.status_code == 200 and "前置事项形成循环" in refused.content.decode() and not Bundle.objects.exists()
    form["items-0-after"] = ""
    assert admin_client.post(reverse("admin:catalog_bundle_add"), form).status_code == 302
    bundle = Bundle.objects.get(code="newborn")
    assert [(i.matter_code, i.after) for i in bundle.items.all()] == [("B-001", ""), ("B-002", "B-001")]


def test_the_rule_per_road_a_window_only_matter_only_in_a_bundle_booked_at_a_hall(three, make):
    window_only = make("W-001")
    pair = items(("B-001", ""), ("W-001", "B-001"))
    # One online submission: every matter online-capable.
    assert f"事项“{window_only.name}”不支持网上申报" in " ".join(bundle_errors(pair))
    assert f"事项“{window_only.name}”不支持网上申报" in " ".join(bundle_errors(pair, online=True, visit=True))
    # One booked hall visit only: the windows receive every matter.
    assert bundle_errors(pair, online=False, visit=True) == []
    # Some road there must be.
    assert "至少开放一种办理方式" in " ".join(bundle_errors(items(("B-001", ""), ("B-002", "")), online=False))


def test_the_admin_takes_a_visit_only_bundle_with_a_window_only_matter(three, make, admin_client):
    make("W-001")
    form = {
        "code": "visit",
        "name": "到大厅一次办",
        "life_event": "birth",
        "description": "",
        "is_active": "on",
        "online_submission": "on",
        "hall_visit": "on",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-position": "1",
        "items-0-matter_code": "B-001",
        "items-0-after": "",
        "items-1-position": "2",
        "items-1-matter_code": "W-001",
        "items-1-after": "B-001",
    }
    refused = admin_client.post(reverse("admin:catalog_bundle_add"), form)
    assert refused.status_code == 200 and "不支持网上申报" in refused.content.decode()
    del form["online_submission"]
    assert admin_client.post(reverse("admin:catalog_bundle_add"), form).status_code == 302
    bundle = Bundle.objects.get(code="visit")
    assert (bundle.online_submission, bundle.hall_visit) == (False, True)


def test_the_demo_has_two_bundles_that_pass_the_rules():
    from apps.shared.catalog.services import catalog_load_demo

    catalog_load_demo()
    assert set(Bundle.objects.values_list("code", flat=True)) == {"newborn", "unemployment"}
    for bundle in Bundle.objects.all():
        assert bundle_errors(list(bundle.items.all())) == [], bundle.code
    catalog_load_demo()  # a second run changes nothing
    assert Bundle.objects.count() == 2
