"""Request bodies are refused by their declared size before anything reads them (issue 12: one request
could hold about 2 GB), on both sites; a public path allows only what it needs."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_it_refuses_a_body_over_the_site_limit_before_reading_it(client):
    too_big = str(settings.REQUEST_BODY_MAX_BYTES + 1)
    page = client.post(
        "/accounts/login/", data=b"", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=too_big
    )
    assert page.status_code == 413 and "提交的内容过大" in page.content.decode()
    api = client.post("/api/v1/exchange/messages/", data=b"{}", content_type="application/json", CONTENT_LENGTH=too_big)
    assert api.status_code == 413 and api.json()["code"] == "too_large"


def test_a_malformed_length_is_a_bad_request(client):
    response = client.post(
        "/api/v1/exchange/messages/", data=b"{}", content_type="application/json", CONTENT_LENGTH="-5"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_it_speaks_english_when_asked(client):
    too_big = str(settings.REQUEST_BODY_MAX_BYTES + 1)
    response = client.post(
        "/api/v1/exchange/messages/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=too_big,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413 and "too large" in response.json()["detail"].lower()


def test_a_body_within_the_limit_reaches_the_view(client):
    response = client.post("/api/v1/exchange/messages/", data=b"{}", content_type="application/json")
    assert response.status_code == 401  # the wire's own answer: not signed


def test_more_files_than_one_request_may_carry_are_refused_while_parsing(client):
    """DATA_UPLOAD_MAX_NUMBER_FILES: the parser stops at the first file over the count (a multipart body of
    thousands of small files would otherwise be parsed in full to temporary files)."""
    import io

    def files(n: int) -> dict:
        return {f"f{i}": io.BytesIO(b"x") for i in range(n)} | {"username": "nobody", "password": "x"}

    over = client.post("/accounts/login/", files(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1))
    assert over.status_code == 400
    within = client.post("/accounts/login/", files(settings.DATA_UPLOAD_MAX_NUMBER_FILES))
    assert within.status_code == 200  # read, and answered by the login form (wrong password)
