"""Writes for online applications: one matter's application (applications.py) and a life event's bundle of them
(bundles.py, 一件事一次办); what both share, written once (drafts.py: the draft started or resumed, the hall, the
answers, the delivery, the files, the checks at submission); someone acting for the applicant (acting.py); the one
visit to have originals seen, booked by the applicant or their agent (originals.py). Import from here."""

from .applications import (
    DECLARATION,
    application_discard,
    application_file_remove,
    application_start,
    application_submit,
    application_update,
    application_upload,
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
from .drafts import FormInvalid, file_remove_stored
from .originals import originals_visit_book, originals_visit_cancel, visit_authority, visit_case_for, visit_slots

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
    "originals_visit_book",
    "originals_visit_cancel",
    "visit_authority",
    "visit_case_for",
    "visit_slots",
]
