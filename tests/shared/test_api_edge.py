"""The API's edge on both sites (issue 12's fuzzing, issue 17's "API as a contract"): requests the fuzz run
(tests/<role>/test_fuzz_api.py) found or may find, each pinned here so that it is tested every time —
a NUL character in a path or query parameter, JSON nested too deep, a URL no route matches, a missing or
bad credential, and the schema itself (every operation documents its errors in the one error body)."""

from __future__ import annotations

import json
import re

import pytest
from rest_framework.test import APIClient

from govservice.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from tests.api_fuzz import served_schema
from tests.factories import make_user
from tests.shared.test_pages_odd_requests import ODD_HEADERS

pytestmark = pytest.mark.django_db

SCHEMA = served_schema()
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def operations():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def assert_error_body(response, status: int, code: str | None = None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "detail"} and body["detail"]
    if code is not None:
        assert body["code"] == code, body


# --- NUL characters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize(("path", "method"), [(p, m) for p, m, _op in operations() if "{" in p], ids=lambda v: str(v))
def test_a_nul_in_a_path_parameter_is_a_bad_request(path, method, signed_in):
    """Was a 500 (psycopg: "A string literal cannot contain NUL (0x00) characters") wherever the parameter
    reached a query; refused before authentication, so the same for everyone."""
    client = APIClient()
    if signed_in:
        client.force_authenticate(make_user("nul-user"))
    url = PATH_PARAMETER.sub("a%00b", path)
    response = getattr(client, method)(url)
    assert_error_body(response, 400, "invalid")


QUERY_PARAMETERS = sorted(
    {
        (path, parameter["name"])
        for path, method, op in operations()
        if method == "get"
        for parameter in op.get("parameters", [])
        if parameter["in"] == "query"
    }
)


@pytest.mark.parametrize(("path", "name"), QUERY_PARAMETERS, ids=lambda v: str(v))
def test_a_nul_in_a_query_parameter_is_a_bad_request(client, path, name):
    url = PATH_PARAMETER.sub("x", path)
    response = client.get(url, {name: "a\x00b"})
    assert_error_body(response, 400, "invalid")


def test_the_catalog_search_with_a_nul_was_a_server_error_and_is_a_bad_request(client):
    """The plainest case of the review: anonymous, one public search."""
    assert_error_body(client.get("/api/v1/matters/", {"q": "社保\x00"}), 400, "invalid")
    assert_error_body(client.get("/api/v1/matters/M%00/"), 400, "invalid")


def test_a_nul_in_a_page_address_is_a_bad_request_page(client):
    """Pages too: a matter's page with a NUL in its code was a 500."""
    for response in (client.get("/matters/", {"q": "\x00"}), client.get("/matters/M%00/")):
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_the_nul_refusal_speaks_english_when_asked(client):
    response = client.get("/api/v1/matters/", {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        response.status_code == 400 and "NUL" in response.json()["detail"] and "空字符" not in response.json()["detail"]
    )


@pytest.mark.parametrize("body_format", ["json", "form", "multipart"])
def test_a_nul_in_a_body_is_a_bad_request(body_format):
    """A text field that a view reads without a serializer reached the database (500); refused by the parsers."""
    data = {"username": "ad\x00min", "password": "x"}
    client = APIClient()
    if body_format == "form":
        response = client.post(
            "/api/v1/auth/token/", "username=ad%00min&password=x", content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post("/api/v1/auth/token/", data, format=body_format)
    assert_error_body(response, 400, "invalid")
    assert "NUL" in client.post("/api/v1/auth/token/", data, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]


def test_a_nul_in_a_json_key_or_a_nested_string_is_refused_too():
    client = APIClient()
    for body in (
        {"username": "a", "password": "x", "a\x00": 1},
        {"username": "a", "password": "x", "extra": [{"b": "\x00"}]},
    ):
        assert_error_body(client.post("/api/v1/auth/token/", body, format="json"), 400, "invalid")


# --- JSON nested too deep ---------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_a_thousand_levels_is_a_bad_request_not_a_server_error(client):
    """Was a 500 on every JSON endpoint (RecursionError in the JSON parser); the token endpoint reads the
    body of anyone."""
    response = client.post("/api/v1/auth/token/", nested(1000), content_type="application/json")
    assert_error_body(response, 400, "parse_error")
    deep_object = '{"a":' * 1000 + "1" + "}" * 1000
    assert_error_body(
        client.post("/api/v1/auth/token/", deep_object, content_type="application/json"), 400, "parse_error"
    )


def test_json_deeper_than_the_limit_is_refused_and_a_normal_body_still_parses(client):
    assert_error_body(
        client.post("/api/v1/auth/token/", nested(MAX_JSON_DEPTH + 1), content_type="application/json"),
        400,
        "parse_error",
    )
    # Within the limit the body reaches the view, which answers about the credentials, not the nesting.
    ok = client.post(
        "/api/v1/auth/token/", json.dumps({"username": "nobody", "password": "x"}), content_type="application/json"
    )
    assert ok.status_code == 401 and ok.json()["code"] == "authentication_failed"


def test_json_depth_is_measured_without_recursion():
    assert not json_depth_exceeds({"a": [1, {"b": 2}]}, 3)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, 3)
    deep: list = []
    for _level in range(50_000):
        deep = [deep]
    assert json_depth_exceeds(deep, MAX_JSON_DEPTH)


# --- Pagination ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"offset": "abc"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "null"}, "limit"),
    ],
)
def test_a_limit_or_offset_that_is_no_whole_number_in_range_is_refused(client, query, field):
    """DRF answered the first page as if it were the one asked for (schemathesis: schema-violating request accepted)."""
    response = client.get("/api/v1/matters/", query)
    assert_error_body(response, 400, "invalid")
    assert field in response.json()["errors"]


def test_a_whole_limit_and_offset_still_page(client):
    response = client.get("/api/v1/matters/", {"limit": "5", "offset": "0"})
    assert response.status_code == 200 and set(response.json()) >= {"count", "results"}
    parameters = {p["name"]: p["schema"] for p in SCHEMA["paths"]["/api/v1/matters/"]["get"]["parameters"]}
    assert parameters["limit"]["minimum"] == 1 and parameters["offset"]["minimum"] == 0


# --- URLs no route matches, credentials ----------------------------------------------------------------


def test_an_unknown_api_url_answers_json_and_a_page_url_a_page(client):
    assert_error_body(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    # A path parameter that holds a "/" matches no route either.
    assert_error_body(client.get("/api/v1/matters/a/b/c/"), 404, "not_found")
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_the_error_bodies_outside_drf_are_utf8_as_drfs_are(client, rf):
    """The not-found body, a refusal before the view and the last-resort 500 carry their Chinese as UTF-8, as DRF's
    answers do, not as \\uXXXX escapes."""
    from govservice import api

    answers = [client.get("/api/v1/no-such-thing/"), api.server_error(rf.get("/api/v1/matters/"))]
    answers.append(client.get("/api/v1/matters/\x00/"))  # NulCharacterMiddleware's refusal, before any view
    for response in answers:
        assert b"\\u" not in response.content, response.content
        assert json.loads(response.content)["detail"] in response.content.decode("utf-8")
        assert any(ord(c) > 127 for c in response.content.decode("utf-8")), response.content


def test_a_write_without_its_trailing_slash_is_told_the_path_not_redirected(client):
    # A client follows a 301 for a POST with a GET and loses its body: the API names the right path instead.
    for method in ("post", "put", "delete"):
        response = getattr(client, method)("/api/v1/auth/token", data="{}", content_type="application/json")
        assert_error_body(response, 404, "not_found")
        assert response.json()["detail"] == "地址应以“/”结尾：/api/v1/auth/token/", method
    english = client.post("/api/v1/auth/token", data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "The address ends with a slash: /api/v1/auth/token/"
    # A read is still redirected (nothing to lose), and a path that does not exist either way is plain not found.
    assert client.get("/api/v1/matters").status_code == 301
    assert (
        client.post("/api/v1/no-such-thing", data="{}", content_type="application/json").json()["detail"]
        != english.json()["detail"]
    )


def test_a_request_django_itself_refuses_answers_json_under_the_api(client, settings):
    """Too many fields (SuspiciousOperation) is Django's 400 page; under /api/ the error body."""
    query = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_error_body(client.get(f"/api/v1/matters/?{query}"), 400, "invalid")
    page = client.get(f"/matters/?{query}")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_the_last_resort_500_is_the_error_body_under_the_api(rf):
    from govservice import api

    response = api.server_error(rf.get("/api/v1/matters/"))
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"
    assert api.server_error(rf.get("/matters/"))["Content-Type"].startswith("text/html")


def test_a_missing_or_bad_token_is_401_with_a_challenge(client):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Token not-a-real-token"}, {"HTTP_AUTHORIZATION": "Token"}):
        response = client.get("/api/v1/me/", **headers)
        assert_error_body(response, 401)
        assert response["WWW-Authenticate"] == "Token"


def test_a_valid_token_is_let_in():
    from knox.models import AuthToken

    user = make_user("edge-user")
    _row, token = AuthToken.objects.create(user=user)
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


# --- Header values no client should send ---------------------------------------------------------------

# The values: tests/shared/test_pages_odd_requests.ODD_HEADERS (the pages get them too). Each is sent to every
# operation, anonymous and, but for an Authorization of its own, with a real token.


@pytest.mark.parametrize("headers", ODD_HEADERS.values(), ids=ODD_HEADERS.keys())
def test_odd_header_values_never_answer_a_server_error(headers):
    from knox.models import AuthToken

    clients = {"anonymous": APIClient(raise_request_exception=False)}
    if "HTTP_AUTHORIZATION" not in headers:  # also past authentication into the views, with a real token
        _row, token = AuthToken.objects.create(user=make_user("odd-header-user"))
        clients["signed-in"] = APIClient(raise_request_exception=False)
        clients["signed-in"].credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for who, client in clients.items():
        for path, method, _op in operations():
            if who == "signed-in" and "logout" in path:
                continue  # it would end the token the rest are sent with
            url = PATH_PARAMETER.sub("1", path)
            response = getattr(client, method)(url, **headers)
            assert response.status_code < 500, (who, method, url, response.status_code, response.content[:300])


# --- The schema -------------------------------------------------------------------------------------------


def test_the_schema_is_served_as_json_when_asked_for_json(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_every_operation_documents_its_errors_in_the_shared_error_body():
    error = SCHEMA["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"} and "errors" in error["properties"]
    for path, method, operation in operations():
        responses = operation["responses"]
        for status in ("400", "404", "429"):
            assert status in responses, (method, path, status)
        if operation.get("security") and operation["security"] != [{}]:
            assert "401" in responses and "403" in responses, (method, path)
            assert "WWW-Authenticate" in responses["401"].get("headers", {}), (method, path)
        if "requestBody" in operation:
            assert "413" in responses and "415" in responses, (method, path)
        for status, answer in responses.items():
            if status >= "400":
                schema = answer["content"]["application/json"]["schema"]
                # The shared body, its code one of the operation's (issue 17: tests/shared/test_api_contract.py).
                body = schema["allOf"][0] if "allOf" in schema else schema
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)
