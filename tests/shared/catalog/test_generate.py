"""The benchmark catalog is a real one: every generated matter passes the rules of DOMAIN.md §2."""

from __future__ import annotations

import pytest

from apps.shared.catalog.models import Matter
from apps.shared.catalog.services import catalog_generate, draft_errors, matter_draft_from

pytestmark = pytest.mark.django_db


def test_every_generated_matter_is_consistent():
    created = catalog_generate(matters=120, departments=5, halls=("H01", "H02"), seed=7)
    assert len(created) == 120
    for matter in Matter.objects.prefetch_related("materials", "fee_items"):
        assert draft_errors(matter_draft_from(matter)) == [], matter.code
    assert Matter.objects.filter(online_depth=4, trips=0).exists()
    assert Matter.objects.filter(charged=True).exists()
    assert Matter.objects.exclude(receiving_halls=[]).exists()
    # Again: nothing twice.
    assert catalog_generate(matters=120, departments=5, seed=7) == []
