"""Writes for the catalog."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .models import Department, Material, Matter

DEMO_CATALOG_PATH = Path(__file__).with_name("demo_catalog.json")

_MATTER_FIELDS = (
    "basic_code",
    "name",
    "matter_type",
    "level",
    "target",
    "case_kind",
    "legal_days",
    "promised_days",
    "online_depth",
    "trips",
    "trips_reason",
    "bookable",
    "remote_ok",
    "charged",
    "fee_description",
    "result_name",
    "e_licence",
    "description",
    "keywords",
)
_MATERIAL_FIELDS = ("name", "form", "originals", "copies", "required", "source", "issuer", "notes")


@transaction.atomic
def catalog_load_demo() -> int:
    """Load the demo catalog (departments, matters, materials) from demo_catalog.json; return how many
    matters were created.

    Idempotent: departments are matched by code and matters by implementation code (any version), and
    an existing row is left exactly as it is, so an administrator's edits (a new matter version) survive
    a second run.
    """
    data = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))
    departments = {}
    for row in data["departments"]:
        departments[row["code"]], _created = Department.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "credit_code": row["credit_code"]}
        )
    known = set(Matter.objects.filter(code__in=[row["code"] for row in data["matters"]]).values_list("code", flat=True))
    created = 0
    for row in data["matters"]:
        if row["code"] in known:
            continue
        matter = Matter(
            code=row["code"], department=departments[row["department"]], **{f: row[f] for f in _MATTER_FIELDS}
        )
        # Choices and lengths; the database enforces the constraints (promise within the law) on insert.
        matter.full_clean(validate_unique=False, validate_constraints=False)
        matter.save()
        materials = [
            Material(
                matter=matter, position=position, key=item.get("key") or f"m{position}", **{f: item[f] for f in _MATERIAL_FIELDS}
            )
            for position, item in enumerate(row["materials"], start=1)
        ]
        for material in materials:
            material.full_clean(exclude=["matter"])
        Material.objects.bulk_create(materials)
        created += 1
    return created
