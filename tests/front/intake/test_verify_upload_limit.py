"""The public verification page takes one copy of a document: a larger upload is refused before it is
read (413), a copy within the limit is checked as before."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def test_it_refuses_an_upload_larger_than_one_document(client, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    settings.REQUEST_BODY_LIMITS = [("/verify/", 1024 + 4096)]
    big = SimpleUploadedFile("copy.pdf", b"%PDF-1.4\n" + b"0" * 8192, content_type="application/pdf")
    response = client.post("/verify/NOSUCHCODE/", {"copy": big})
    assert response.status_code == 413
    small = SimpleUploadedFile("copy.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    assert client.post("/verify/NOSUCHCODE/", {"copy": small}).status_code == 404  # read and checked: no such code
