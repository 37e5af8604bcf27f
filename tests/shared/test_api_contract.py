"""The schema as a contract (issue 17), on both sites: served as JSON when asked; every operation's error
answers in the shared body with the stable codes it can answer, read from the code that raises them
(govservice/errorcodes.py), so that a code added to a service appears in the schema by itself."""

from __future__ import annotations

import pytest
from django.conf import settings

from govservice.errorcodes import codes_raised

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def codes(operation, status: int) -> list[str]:
    answer = operation["responses"][str(status)]
    return answer.get("x-error-codes") or answer["content"]["application/json"]["schema"]["x-error-codes"]


def test_every_error_answer_names_its_codes_in_the_shared_body(schema):
    for label, operation in operations(schema):
        errors = {int(s): a for s, a in operation["responses"].items() if s.isdigit() and int(s) >= 400}
        assert {400, 404, 429} <= set(errors), label
        for status, answer in errors.items():
            listed = codes(operation, status)
            assert listed and listed == sorted(listed), (label, status)
            body = answer["content"]["application/json"]["schema"]
            if "allOf" in body:
                assert body["allOf"][0] == {"$ref": "#/components/schemas/Error"}, label
                assert body["allOf"][1]["properties"]["code"]["enum"] == listed, label
                if status == 401:
                    assert answer["headers"]["WWW-Authenticate"]["required"], label


def test_the_token_endpoint_documents_its_401(schema):
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert codes(token, 401) == ["authentication_failed"]


def test_the_codes_are_read_from_the_raising_code():
    from apps.shared.catalog.api import search_query_from

    # Each code once, with the status the edge answers it with (a rule between two parameters is 422).
    assert codes_raised(search_query_from) == {
        ("query_too_long", 400),
        ("unknown_life_event", 400),
        ("unknown_mode", 400),
        ("hall_without_mode", 422),
    }


@pytest.mark.skipif(settings.SITE_ROLE != "central", reason="central's case actions")
def test_central_case_actions_are_operations_with_their_bodies(schema):
    paths = schema["paths"]
    assert "/api/v1/cases/{case_id}/{action}/" not in paths
    claim = paths["/api/v1/cases/{case_id}/claim/"]["post"]
    assert claim["operationId"] == "cases_claim" and "requestBody" not in claim
    assert "already_claimed" in codes(claim, 409)
    assign = paths["/api/v1/cases/{case_id}/assign/"]["post"]
    body = assign["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["required"]) == {"approver"}
    decide = paths["/api/v1/cases/{case_id}/decide/"]["post"]
    assert "steps_incomplete" in codes(decide, 409) and "unknown_decision" in codes(decide, 422)


@pytest.mark.skipif(settings.SITE_ROLE != "front", reason="the front's intake and accounts")
def test_the_front_documents_its_bodies_exactly(schema):
    paths = schema["paths"]
    refuse = paths["/api/v1/workbench/tickets/{ticket_id}/refuse/"]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]["schema"]
    assert {"reason", "refer_to", "extra"} <= set(refuse["properties"]) and "material_<id>" in refuse["description"]
    accept = paths["/api/v1/workbench/tickets/{ticket_id}/accept/"]["post"]
    fields = accept["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert {"commitment_items", "commitment_signed", "vault_consent"} <= set(fields)
    assert {"file_type", "materials_missing"} <= set(codes(accept, 422)) and "form_required" in codes(accept, 400)
    register = schema["components"]["schemas"]["RegisterRequest"]["properties"]
    consent = schema["components"]["schemas"][register["consent"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert consent["enum"] == [True] and register["id_number"]["format"] == "cn-resident-id"
    search = {p["name"]: p["schema"] for p in paths["/api/v1/matters/search/"]["get"]["parameters"]}
    assert (search["limit"]["minimum"], search["limit"]["maximum"]) == (1, 200) and search["q"]["maxLength"] == 50
