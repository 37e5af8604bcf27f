"""Writes for the catalog: versions (versions.py), import and export (transfer.py), the benchmark
catalog (generate.py) and the demo catalog below."""

from __future__ import annotations

import json
from pathlib import Path

from ..models import Bundle, BundleItem
from ..rules import bundle_errors
from .generate import catalog_generate
from .transfer import ImportRefused, ImportReport, catalog_export, catalog_import, matters_for_export
from .versions import MatterDraft, draft_errors, matter_draft_from, matter_save

DEMO_CATALOG_PATH = Path(__file__).resolve().parent.parent / "demo_catalog.json"
# A partner region's few matters (天津, 京津冀通办): decided by its own central, received at the Sub-center's hall
# (apps/shared/exchange/demo.py).
DEMO_PARTNER_CATALOG_PATH = Path(__file__).resolve().parent.parent / "demo_catalog_tj.json"

__all__ = [
    "DEMO_CATALOG_PATH",
    "DEMO_PARTNER_CATALOG_PATH",
    "ImportRefused",
    "ImportReport",
    "MatterDraft",
    "bundles_load",
    "catalog_export",
    "catalog_generate",
    "catalog_import",
    "catalog_load_demo",
    "draft_errors",
    "matter_draft_from",
    "matter_save",
    "matters_for_export",
]


def catalog_load_demo(path: Path = DEMO_CATALOG_PATH) -> int:
    """Load the demo catalog (departments, matters, materials, fees) from demo_catalog.json; return how
    many matters were created.

    Idempotent: departments are matched by code and matters by implementation code (any version), and
    an existing row is left exactly as it is, so an administrator's edits (a new matter version) survive
    a second run. The file goes through the same checks as any import.
    """
    data = path.read_bytes()
    report = catalog_import(data, fmt="json", existing="skip")
    bundles_load(json.loads(data).get("bundles", []))
    return len(report.created)


def bundles_load(bundles: list[dict]) -> int:
    """一件事 bundles (issue 15) from the demo file: each found by its code and left as it is when it exists;
    a new one goes through the rules of the admin. Returns how many were created."""
    created = 0
    for spec in bundles:
        if Bundle.objects.filter(code=spec["code"]).exists():
            continue
        items = [
            BundleItem(position=position, matter_code=item["matter_code"], after=item.get("after", ""))
            for position, item in enumerate(spec["items"], start=1)
        ]
        online, visit = spec.get("online_submission", True), spec.get("hall_visit", False)
        errors = bundle_errors(items, online=online, visit=visit)
        if errors:
            raise ValueError(f"bundle {spec['code']}: {' '.join(errors)}")
        bundle = Bundle.objects.create(
            code=spec["code"],
            name=spec["name"],
            life_event=spec.get("life_event", ""),
            description=spec.get("description", ""),
            online_submission=online,
            hall_visit=visit,
        )
        for item in items:
            item.bundle = bundle
        BundleItem.objects.bulk_create(items)
        created += 1
    return created
