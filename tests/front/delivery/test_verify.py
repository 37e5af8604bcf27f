"""The public verification page, reached by the QR code's URL or by typing the code: it confirms a
document is genuine without revealing personal data, tells an altered copy, and knows no unknown code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from .conftest import CERTIFICATE, decide, issue_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(client, case):
    decide(client, case)
    issue_result(client, case, code="VERIFY234567")
    return case


def copy(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("zheng.pdf", content, content_type="application/pdf")


def test_it_confirms_a_genuine_certificate_without_personal_data(issued, citizen):
    response = Client().get("/verify/VERIFY234567/")
    html = response.content.decode()
    assert response.status_code == 200 and "该文书由本平台出具" in html
    assert "证照（审批结果）" in html and issued.number in html and "王**" in html
    for secret in (citizen.real_name, citizen.id_number, citizen.phone, citizen.id_number[-6:]):
        assert secret not in html
    assert 'id="genuine"' in Client().post("/verify/VERIFY234567/", {"copy": copy(CERTIFICATE)}).content.decode()


def test_it_is_reached_by_typing_the_code(issued):
    response = Client().get("/verify/", {"code": " verify234567 "})
    assert response.status_code == 200 and "该文书由本平台出具" in response.content.decode()


def test_it_tells_an_altered_copy(issued):
    tampered = CERTIFICATE.replace(b"TZ2026120100007", b"TZ2026120100008")
    assert tampered != CERTIFICATE
    html = Client().post("/verify/VERIFY234567/", {"copy": copy(tampered)}).content.decode()
    assert 'id="altered"' in html and 'id="genuine"' not in html


def test_it_knows_no_unknown_code(issued):
    response = Client().get("/verify/NOSUCHCODE22/")
    html = response.content.decode()
    assert response.status_code == 404 and 'id="unknown"' in html and issued.number not in html
    # An upload against an unknown code proves nothing either.
    posted = Client().post("/verify/NOSUCHCODE22/", {"copy": copy(CERTIFICATE)})
    assert posted.status_code == 404 and 'id="genuine"' not in posted.content.decode()
