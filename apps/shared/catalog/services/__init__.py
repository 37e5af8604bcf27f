"""Writes for the catalog: versions (versions.py), import and export (transfer.py), the benchmark
catalog (generate.py) and the demo catalog below."""

from __future__ import annotations

from pathlib import Path

from .generate import catalog_generate
from .transfer import ImportRefused, ImportReport, catalog_export, catalog_import, matters_for_export
from .versions import MatterDraft, draft_errors, matter_draft_from, matter_save

DEMO_CATALOG_PATH = Path(__file__).resolve().parent.parent / "demo_catalog.json"

__all__ = [
    "DEMO_CATALOG_PATH",
    "ImportRefused",
    "ImportReport",
    "MatterDraft",
    "catalog_export",
    "catalog_generate",
    "catalog_import",
    "catalog_load_demo",
    "draft_errors",
    "matter_draft_from",
    "matter_save",
    "matters_for_export",
]


def catalog_load_demo() -> int:
    """Load the demo catalog (departments, matters, materials, fees) from demo_catalog.json; return how
    many matters were created.

    Idempotent: departments are matched by code and matters by implementation code (any version), and
    an existing row is left exactly as it is, so an administrator's edits (a new matter version) survive
    a second run. The file goes through the same checks as any import.
    """
    report = catalog_import(DEMO_CATALOG_PATH.read_bytes(), fmt="json", existing="skip")
    return len(report.created)
