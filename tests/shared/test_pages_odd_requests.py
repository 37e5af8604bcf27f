"""Every page of the site, asked oddly by each kind of user (DESIGN: no input, however odd, answers 500): GET and an
empty POST to every route outside the API, with header values no browser sends (Latin-1 bytes where text is
expected, odd quality values, a garbled htmx request, an API scheme on a page: ODD_HEADERS). The API's operations
get the same in tests/shared/test_api_edge.py. A longer run of it found an empty POST to the registration and password-reset
pages past their limit answering 500; this run stays under that limit, so tests/front/accounts/test_codes.py pins
that case."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from apps.shared.accounts.models import Role
from tests.factories import make_user
from tests.shared.test_url_layout import routes

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
SAMPLE = {"int": "1", "slug": "a", "uuid": "00000000-0000-0000-0000-000000000001", "path": "1", "str": "TZ1"}
# Header values no browser or client should send: headers reach Django as Latin-1 text (PEP 3333), so bytes that
# are no UTF-8 or no ASCII, odd quality values, a garbled htmx request, API schemes on a page. The pages get them
# here, the API's operations in tests/shared/test_api_edge.py ("Token éé" was a 500 there).
ODD_HEADERS = {
    "token-latin1": {"HTTP_AUTHORIZATION": "Token \xe9\xe9"},
    "token-high-bytes": {"HTTP_AUTHORIZATION": "Token " + "\xff" * 64},
    "terminal-latin1": {"HTTP_AUTHORIZATION": "Terminal \xe9\xfe"},
    "basic-latin1": {"HTTP_AUTHORIZATION": "Basic \xe9"},
    "language": {"HTTP_ACCEPT_LANGUAGE": "\xe9\xe9;q=x, en;q=2, *;q=-1"},
    "idempotency-key": {"HTTP_IDEMPOTENCY_KEY": "\xe9" * 100},
    "cookies": {"HTTP_COOKIE": "sessionid=\xe9; csrftoken=\xff; django_language=\xe9"},
    "htmx": {"HTTP_HX_REQUEST": "\xe9", "HTTP_HX_CURRENT_URL": "\xff://\xe9", "HTTP_HX_TARGET": "\xe9"},
    "referer-agent": {"HTTP_REFERER": "\xe9://\xff", "HTTP_USER_AGENT": "\xe9" * 500},
}
PEOPLE = {
    "front": [None, Role.CITIZEN, Role.CLERK, Role.HALL_SUPERVISOR, "superuser"],
    "central": [None, Role.APPROVER, Role.CENTRAL_SUPERVISOR, "superuser"],
}


def addresses(*, api: bool) -> list[str]:
    """One address per route of the site (its parameters filled with a sample of their kind), the API's too when
    ``api``; regex routes left out."""
    return sorted(
        {
            "/" + CONVERTER.sub(lambda m: SAMPLE.get(m.group(1) or "str", "1"), route)
            for route in routes(get_resolver().url_patterns)
            if not (route.startswith("^") or "(?P" in route or (not api and route.startswith("api/")))
        }
    )


def _client(person) -> Client:
    client = Client(raise_request_exception=False)
    if person == "superuser":
        client.force_login(make_user("odd-superuser", Role.ADMIN, is_staff=True, is_superuser=True))
    elif person is not None:
        client.force_login(make_user(f"odd-{person}", person))
    return client


@pytest.mark.parametrize("headers", ODD_HEADERS.values(), ids=ODD_HEADERS.keys())
def test_no_page_answers_a_server_error_to_odd_requests(headers):
    urls = addresses(api=False)
    assert len(urls) > 100  # the walk found the site's pages
    failures = []
    for person in PEOPLE[settings.SITE_ROLE]:
        client = _client(person)
        for url in urls:
            for method in ("get", "post"):
                status = getattr(client, method)(url, **headers).status_code
                if status >= 500:
                    failures.append((str(person), method, url, status))
    assert not failures, failures[:20]


METHOD_PEOPLE = {"front": [None, Role.CITIZEN, Role.CLERK], "central": [None, Role.APPROVER]}


def test_no_route_answers_a_server_error_to_any_method():
    """Every route, pages and API, asked with the methods browsers seldom send: it found OPTIONS on the API's docs
    page (DRF's description of the view, which its HTML template cannot render) and the agent check page of a clerk
    without a window (the lookup's refusal let through), both 500."""
    urls = addresses(api=True)
    failures = []
    for person in METHOD_PEOPLE[settings.SITE_ROLE]:
        client = _client(person)
        for url in urls:
            for method in ("HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "TRACE"):
                status = client.generic(method, url, data=b'{"a": 1}', content_type="application/json").status_code
                if status >= 500:
                    failures.append((str(person), method, url, status))
    assert not failures, failures[:20]


def test_the_api_docs_page_answers_options_with_what_it_allows(client):
    answer = client.options("/api/docs/")
    assert answer.status_code == 200 and "GET" in answer["Allow"]
    assert client.get("/api/docs/").status_code == 200
