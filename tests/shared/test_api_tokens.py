"""API tokens (issue 12, the edge): stored only as a digest, they expire — staff within a working day —,
end with the API logout and with any password change, and their owner lists and revokes them. DRF's
authtoken kept them in clear for ever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.shared.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Token-pass-2026"


def _person(username: str, role: str):
    user = make_user(username, role)
    user.set_password(PASSWORD)
    user.save()
    return user


def _token(username: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token", "expiry"}
    return response.json()["token"]


def _as(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_is_kept_only_as_a_digest(time_machine):
    _person("tok_clerk", Role.CLERK)
    token = _token("tok_clerk")
    assert _as(token).get("/api/v1/me/").json()["username"] == "tok_clerk"
    row = AuthToken.objects.get(user__username="tok_clerk")
    assert row.digest != token and token not in row.digest and len(row.token_key) == 15
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        assert cursor.fetchone()[0] is None  # the table of clear tokens is gone


def test_a_staff_token_ends_within_a_working_day_and_a_citizens_after_a_week(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    _person("tok_staff", Role.CLERK)
    _person("tok_citizen", Role.CITIZEN)
    staff, citizen = _token("tok_staff"), _token("tok_citizen")
    time_machine.shift(dt.timedelta(hours=10, minutes=1))
    expired = _as(staff).get("/api/v1/me/")
    assert expired.status_code == 401 and expired["WWW-Authenticate"] == "Token"
    assert _as(citizen).get("/api/v1/me/").status_code == 200
    time_machine.shift(dt.timedelta(days=7))
    assert _as(citizen).get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user__username__in=["tok_staff", "tok_citizen"]).exists()


def test_logout_ends_the_token_and_logout_all_every_token():
    _person("tok_out", Role.CITIZEN)
    first, second, third = _token("tok_out"), _token("tok_out"), _token("tok_out")
    assert _as(first).post("/api/v1/auth/logout/").status_code == 204
    assert _as(first).get("/api/v1/me/").status_code == 401
    assert _as(second).get("/api/v1/me/").status_code == 200
    assert _as(second).post("/api/v1/auth/logout-all/").status_code == 204
    assert _as(third).get("/api/v1/me/").status_code == 401


def test_a_password_change_ends_every_token(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    user = _person("tok_pw", Role.CITIZEN)
    token = _token("tok_pw")
    time_machine.shift(dt.timedelta(seconds=1))
    user.set_password("Another-pass-2026")
    user.save()
    assert _as(token).get("/api/v1/me/").status_code == 401
    assert (
        APIClient().post("/api/v1/auth/token/", {"username": "tok_pw", "password": "Another-pass-2026"}).status_code
        == 200
    )


def test_the_owner_lists_and_revokes_their_own_tokens_only():
    _person("tok_owner", Role.CITIZEN)
    _person("tok_other", Role.CITIZEN)
    mine, spare, theirs = _token("tok_owner"), _token("tok_owner"), _token("tok_other")
    listed = _as(mine).get("/api/v1/auth/tokens/").json()
    assert len(listed) == 2 and sum(row["current"] for row in listed) == 1
    assert all(len(row["id"]) == 15 and row["id"] not in (mine[15:], spare[15:]) for row in listed)
    assert mine not in str(listed) and spare not in str(listed)
    assert _as(mine).delete(f"/api/v1/auth/tokens/{theirs[:15]}/").status_code == 404
    assert _as(theirs).get("/api/v1/me/").status_code == 200
    assert _as(mine).delete(f"/api/v1/auth/tokens/{spare[:15]}/").status_code == 204
    assert _as(spare).get("/api/v1/me/").status_code == 401 and _as(mine).get("/api/v1/me/").status_code == 200


def test_wrong_credentials_get_no_token():
    _person("tok_wrong", Role.CITIZEN)
    response = APIClient().post("/api/v1/auth/token/", {"username": "tok_wrong", "password": "nope-nope-nope"})
    assert response.status_code == 401 and "token" not in response.json()
    assert response.json()["code"] == "authentication_failed" and response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("token", ["éé", "\xff" * 64, "ä¸\xad", "a" * 63 + "é"])
def test_a_token_that_is_not_ascii_is_refused_as_an_invalid_one(token):
    """The server hands the header over as Latin-1 text (PEP 3333): bytes that are no UTF-8 were a 500."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"
