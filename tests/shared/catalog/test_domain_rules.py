"""DOMAIN.md §2, identity of a matter: the catalogue code (基本编码) and the implementation code (实施编码) are opaque
strings of at most 64 characters, kept exactly as written (no format is imposed on them); one more is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.shared.catalog.models import Matter
from apps.shared.catalog.services import matter_save

from .conftest import valid_draft

pytestmark = pytest.mark.django_db

ODD = "11000000000013-TZ/许可 a.b_01:"  # letters, digits, Chinese, spaces and punctuation


def test_codes_of_64_characters_are_kept_exactly_as_written(department):
    code, basic = (ODD * 3)[:64], (ODD[::-1] * 3)[:64]
    matter, _ = matter_save(draft=valid_draft(code, department=department, basic_code=basic))
    again = Matter.objects.get(code=code)
    assert (again.pk, again.code, again.basic_code) == (matter.pk, code, basic)


@pytest.mark.parametrize("field", ["code", "basic_code"])
def test_a_code_of_65_characters_is_refused(department, field):
    long = "A" * 65
    draft = (
        valid_draft("T-65", department=department)
        if field == "basic_code"
        else valid_draft(long, department=department)
    )
    if field == "basic_code":
        draft.matter.basic_code = long
    with pytest.raises(ValidationError):
        matter_save(draft=draft)
    assert not Matter.objects.exists()
