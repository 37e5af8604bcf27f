"""``manage.py guidance_load_demo`` loads the demo questions for the demo catalog, once."""

import io

import pytest
from django.core.management import call_command

from apps.front.guidance.demo import DEMO_QUESTIONS, ID_CARD, SOCIAL_CARD, SOCIAL_CARD_REISSUE
from apps.front.guidance.models import Question
from apps.shared.catalog.services import catalog_load_demo

pytestmark = pytest.mark.django_db


def test_it_loads_questions_whose_rules_all_name_real_materials_of_the_demo_catalog():
    catalog_load_demo()
    out = io.StringIO()
    call_command("guidance_load_demo", stdout=out)
    expected = sum(len(rows) for rows in DEMO_QUESTIONS.values())
    assert f"{expected} demo questions created" in out.getvalue()
    assert set(Question.objects.values_list("matter_code", flat=True)) == {SOCIAL_CARD, SOCIAL_CARD_REISSUE, ID_CARD}
    call_command("guidance_load_demo", stdout=out)
    assert Question.objects.count() == expected
