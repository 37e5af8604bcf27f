"""Builders for catalog tests: a valid matter draft to spoil one rule at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.shared.catalog.models import Department, FeeItem, Material, Matter
from apps.shared.catalog.services import MatterDraft, matter_save


def valid_draft(code: str = "T-001", *, department: Department, name: str = "社会保障卡申领", **fields) -> MatterDraft:
    values = {
        "legal_days": 20,
        "promised_days": 10,
        "channels": ["window", "online"],
        "online_depth": 2,
        "trips": 1,
        "trips_reason": "需本人到场核验身份",
        "keywords": "社保卡,办社保卡",
        **fields,
    }
    matter = Matter(code=code, name=name, department=department, **values)
    materials = [
        Material(key="id-card", name="居民身份证", originals=1, copies=0, source="government", issuer="公安机关"),
        Material(key="photo", name="近期免冠照片", originals=1, copies=0),
    ]
    fees = [FeeItem(name="工本费", amount=Decimal("20.00"), unit="每证")] if values.get("charged") else []
    return MatterDraft(matter=matter, materials=materials, fees=fees)


@pytest.fixture
def department(db):
    return Department.objects.create(
        code="110112-RSJ", name="北京市通州区人力资源和社会保障局", credit_code="111101120000229398"
    )


@pytest.fixture
def make(department):
    """make(code, name=…, **fields) saves a valid matter through the service and returns it."""

    def build(code: str = "T-001", *, department: Department = department, **fields) -> Matter:
        return matter_save(draft=valid_draft(code, department=department, **fields))[0]

    return build


@pytest.fixture(autouse=True)
def _chinese_after_each_test(settings):
    """A request in English (Accept-Language) leaves this thread's language active; the next test starts in Chinese."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
