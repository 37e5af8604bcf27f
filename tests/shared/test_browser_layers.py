"""A request to the API with a token passes the browser's layers by (govservice/browser.py): no session,
session user, messages, htmx or static files for it, while it keeps every security header, the reader's
language, the request id, the audit context, Django's CSRF middleware and DRF's own authentication; every other
request — a page, a session's API call, an anonymous one — goes through all of them as before."""

from __future__ import annotations

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.shared.accounts.models import Role
from govservice.browser import token_api
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def layers(monkeypatch):
    """Which browser layers each request went through."""
    seen: list[str] = []
    session_in, user_in = SessionMiddleware.process_request, AuthenticationMiddleware.process_request

    def session(self, request):
        seen.append("session")
        return session_in(self, request)

    def user(self, request):
        seen.append("user")
        return user_in(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", session)
    monkeypatch.setattr(AuthenticationMiddleware, "process_request", user)
    return seen


@pytest.fixture
def token():
    _row, text = AuthToken.objects.create(make_user("layer_clerk", Role.CLERK))
    return text


def test_which_requests_are_token_api_requests():
    factory = RequestFactory()
    assert token_api(factory.get("/api/v1/me/", HTTP_AUTHORIZATION="Token abc"))
    assert token_api(factory.get("/api/v1/me/", HTTP_AUTHORIZATION="token abc"))  # knox reads the scheme in any case
    assert not token_api(factory.get("/api/v1/me/", HTTP_AUTHORIZATION="Tokenabc"))
    assert not token_api(factory.get("/api/v1/me/"))  # a session's or nobody's
    assert not token_api(factory.get("/api/v1/me/", HTTP_AUTHORIZATION="Terminal abc"))  # a kiosk's device
    assert not token_api(factory.get("/find/", HTTP_AUTHORIZATION="Token abc"))  # a page, whatever it carries


def test_a_token_request_passes_the_browser_layers_by_and_keeps_the_rest(layers, token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["username"] == "layer_clerk"
    assert layers == []
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "X-Request-Id"):
        assert response[header]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Language"] == "en"


def test_a_lower_case_scheme_is_the_same_token_request(layers, token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"token {token}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["username"] == "layer_clerk"
    assert layers == [] and "sessionid" not in response.cookies


def test_a_bad_token_is_401_not_a_look_at_the_session(layers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert layers == []


def test_a_page_and_a_sessions_api_call_go_through_every_layer(layers, client):
    user = make_user("layer_session", Role.CLERK)
    client.force_login(user)
    assert client.get("/api/v1/me/").json()["username"] == "layer_session"
    assert layers == ["session", "user"]
    layers.clear()
    assert client.get("/find/").status_code == 200
    assert layers == ["session", "user"]


def test_a_sessions_api_post_is_still_checked_for_csrf(settings):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user("layer_csrf", Role.CLERK))
    path = "/api/v1/appointments/" if settings.IS_FRONT else "/api/v1/cases/1/claim/"
    response = client.post(path, {"slot": 1, "matter": "X"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
