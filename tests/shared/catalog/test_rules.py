"""The catalogue checker's consistency rules (DOMAIN.md §2), each refused by the service (and so by
the admin and the import) with its own message, and, where one row shows it, by the database too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.shared.catalog.models import FeeItem, Material, Matter
from apps.shared.catalog.services import draft_errors, matter_save

from .conftest import valid_draft

pytestmark = pytest.mark.django_db

# (what to change, words the message must contain)
BROKEN_RULES = {
    "promise_over_law": ({"legal_days": 5, "promised_days": 10}, "不能超过法定办结时限"),
    "instant_with_promise": ({"case_kind": "instant", "promised_days": 3}, "即办件应当场办结"),
    "promised_kind_on_the_spot": ({"case_kind": "promised", "promised_days": 0}, "应为即办件"),
    "trips_without_reason": ({"trips": 2, "trips_reason": ""}, "须写明必须现场办理的原因"),
    "no_trip_no_mail": ({"trips": 0, "trips_reason": "", "online_depth": 3}, "须支持邮寄办理"),
    "fully_online_with_trips": ({"online_depth": 4, "trips": 1}, "到现场次数须为 0"),
    "fully_online_without_online_channel": (
        {"online_depth": 4, "trips": 0, "trips_reason": "", "channels": ["window"]},
        "须提供网上办理渠道",
    ),
    "no_channel": ({"channels": []}, "至少选择一种办理渠道"),
    "too_many_trips": ({"trips": 3}, "最多为 2 次"),
    "depth_out_of_range": ({"online_depth": 5}, "网办深度"),
    "bad_hall_code": ({"receiving_halls": ["TZ 1"]}, "大厅编码格式有误"),
}


def test_it_accepts_a_consistent_matter(department):
    draft = valid_draft(department=department)
    assert draft_errors(draft) == []
    matter, outcome = matter_save(draft=draft)
    assert outcome == "created" and matter.version == 1 and matter.is_current


@pytest.mark.parametrize("rule", sorted(BROKEN_RULES))
def test_it_refuses_each_broken_rule_with_its_message(department, rule):
    change, words = BROKEN_RULES[rule]
    draft = valid_draft(department=department, **change)
    errors = draft_errors(draft)
    assert any(words in e for e in errors), errors
    with pytest.raises(ValidationError) as refused:
        matter_save(draft=draft)
    assert any(words in m for m in refused.value.messages)
    assert not Matter.objects.exists()


def test_it_asks_for_fee_items_when_charged_and_none_when_free(department):
    charged = valid_draft(department=department, charged=True)
    charged.fees = []
    assert any("须至少列出一个收费项目" in e for e in draft_errors(charged))
    free = valid_draft(department=department)
    free.fees = [FeeItem(name="工本费", amount=Decimal("10"))]
    assert any("不收费的事项不应列出收费项目" in e for e in draft_errors(free))
    negative = valid_draft(department=department, charged=True)
    negative.fees[0].amount = Decimal("-1")
    assert any("金额不能为负数" in e for e in draft_errors(negative))


def test_it_checks_each_material(department):
    draft = valid_draft(department=department)
    draft.materials += [
        Material(key="nothing", name="空材料", originals=0, copies=0),
        Material(key="licence", name="营业执照", source="government", issuer=""),
        Material(key="photo", name="另一张照片"),
        Material(key="dup-name", name="居民身份证"),
    ]
    errors = "\n".join(draft_errors(draft))
    assert "原件和复印件份数不能都为 0" in errors
    assert "须写明出具单位" in errors
    assert "材料标识“photo”重复" in errors
    assert "材料“居民身份证”重复列出" in errors


def test_the_admin_form_path_reports_the_rule_not_a_constraint_name(department):
    matter = valid_draft(department=department, case_kind="instant", promised_days=3).matter
    with pytest.raises(ValidationError) as refused:
        matter.full_clean()
    messages = refused.value.message_dict
    assert "即办件应当场办结：承诺办结时限须为 0。" in messages["promised_days"]
    assert not any("matter_" in m for ms in messages.values() for m in ms)


# The rules one row shows hold in the database too, whatever code path writes the row.
DB_RULES = {
    "matter_promise_within_law": {"legal_days": 5, "promised_days": 10},
    "matter_instant_on_the_spot": {"case_kind": "instant", "promised_days": 3},
    "matter_fully_online_no_trips": {"online_depth": 4, "trips": 1, "channels": ["online"]},
    "matter_no_trip_by_mail": {"online_depth": 3, "trips": 0, "channels": ["window"]},
    "matter_depth_range": {"online_depth": 0},
    "matter_trips_range": {"trips": 3},
    "matter_has_a_channel": {"channels": []},
}


@pytest.mark.parametrize("constraint", sorted(DB_RULES))
def test_the_database_refuses_a_row_that_breaks_a_rule(department, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Matter.objects.create(code="RAW-1", name="直接写入", department=department, **DB_RULES[constraint])


def test_the_database_refuses_an_unreadable_material_and_a_negative_fee(department, make):
    matter = make()
    with pytest.raises(IntegrityError, match="material_some_paper_or_file"), transaction.atomic():
        Material.objects.create(matter=matter, key="x", name="空", originals=0, copies=0)
    with pytest.raises(IntegrityError, match="material_government_issuer"), transaction.atomic():
        Material.objects.create(matter=matter, key="y", name="执照", source="government", issuer="")
    with pytest.raises(IntegrityError, match="fee_item_amount_not_negative"), transaction.atomic():
        FeeItem.objects.create(matter=matter, name="费", amount=Decimal("-1"))
