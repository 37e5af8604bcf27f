"""Administrators edit the questions; a rule that could never fire is refused with a clear message."""

from __future__ import annotations

import pytest

from apps.front.guidance.demo import SOCIAL_CARD
from apps.front.guidance.models import Question, Rule
from apps.shared.accounts.models import Role
from tests.factories import make_user

from .conftest import page_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return make_user("root", Role.ADMIN, is_staff=True, is_superuser=True)


def form(**rules) -> dict:
    data = {
        "matter_code": SOCIAL_CARD,
        "key": "new-q",
        "position": "9",
        "text": "是否为退役军人？",
        "help_text": "",
        "kind": "choice",
        "active": "on",
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "options-0-value": "veteran",
        "options-0-label": "是",
        "options-0-position": "1",
        "options-1-value": "civilian",
        "options-1-label": "否",
        "options-1-position": "2",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-answer": "veteran",
        "rules-0-material_key": "power-of-attorney",
        "rules-0-effect": "include",
        "rules-0-note": "",
    }
    data.update({f"rules-0-{k}": v for k, v in rules.items()})
    return data


def test_it_saves_a_question_with_its_options_and_rules(card_matter, admin_user):
    response = page_client(admin_user).post("/admin/guidance/question/add/", form())
    assert response.status_code == 302, response.content.decode()[-2000:]
    question = Question.objects.get(key="new-q")
    assert question.option_list() == [("veteran", "是"), ("civilian", "否")]
    assert Rule.objects.get(question=question).material_key == "power-of-attorney"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"answer": "yes"}, "“yes”不是该问题的选项"),
        ({"material_key": "passport"}, "事项当前版本没有标识为“passport”的材料"),
    ],
)
def test_it_refuses_a_rule_that_could_never_fire(card_matter, admin_user, rule, message):
    response = page_client(admin_user).post("/admin/guidance/question/add/", form(**rule))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(key="new-q").exists()


def test_it_refuses_a_question_for_an_unknown_matter(card_matter, admin_user):
    response = page_client(admin_user).post("/admin/guidance/question/add/", {**form(), "matter_code": "NOPE"})
    assert "没有实施编码为“NOPE”的现行事项" in response.content.decode()
