"""Writes for online applications: one matter's application (applications.py) and a life event's bundle of them
(bundles.py, 一件事一次办). Import from here."""

from .applications import (
    DECLARATION,
    FormInvalid,
    application_discard,
    application_file_remove,
    application_start,
    application_submit,
    application_update,
    application_upload,
    file_remove_stored,
)
from .bundles import (
    bundle_application_discard,
    bundle_application_start,
    bundle_application_submit,
    bundle_application_update,
    bundle_file_remove,
    bundle_part_settled,
    bundle_upload,
)

__all__ = [
    "DECLARATION",
    "FormInvalid",
    "application_discard",
    "application_file_remove",
    "application_start",
    "application_submit",
    "application_update",
    "application_upload",
    "bundle_application_discard",
    "bundle_application_start",
    "bundle_application_submit",
    "bundle_application_update",
    "bundle_file_remove",
    "bundle_part_settled",
    "bundle_upload",
    "file_remove_stored",
]
