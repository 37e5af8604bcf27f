"""The intake endpoints take files as multipart/form-data (govservice.api.MultipartApiView). An empty POST was
a 500 (DRF handed the view a plain dict, and ``request.data.getlist`` crashed); it is a 400 that says what to
send. A body of another media type stays 415, and an empty form still reaches the view. A NUL in a text
field, which these views read without a serializer, was a 500 when the case was saved; it is a 400
(govservice/parsers.py)."""

from __future__ import annotations

import pytest

from apps.front.intake.models import Case
from tests.conftest import client_for
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db

CLERK_PATHS = [
    "/api/v1/workbench/tickets/999999/accept/",
    "/api/v1/workbench/tickets/999999/refuse/",
    "/api/v1/workbench/tickets/999999/notice/",
    "/api/v1/workbench/tickets/999999/receive/",
    "/api/v1/workbench/cases/NO-SUCH-CASE/accept/",
]
CITIZEN_PATHS = ["/api/v1/appointments/NO-SUCH/prefile/", "/api/v1/cases/NO-SUCH-CASE/supplement/"]


@pytest.fixture
def caller(clerk, citizen):
    return lambda path: client_for(clerk if path in CLERK_PATHS else citizen)


@pytest.mark.parametrize("path", CLERK_PATHS + CITIZEN_PATHS)
def test_an_empty_post_is_a_bad_request_that_says_what_to_send(caller, path):
    response = caller(path).post(path)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "form_required"
    assert "multipart/form-data" in response.json()["detail"]


@pytest.mark.parametrize("path", CLERK_PATHS + CITIZEN_PATHS)
def test_an_empty_body_of_another_type_is_a_bad_request_too(caller, path):
    response = caller(path).generic("POST", path, b"", content_type="text/plain")
    assert response.status_code == 400 and response.json()["code"] == "form_required"


@pytest.mark.parametrize("path", CLERK_PATHS + CITIZEN_PATHS)
def test_json_is_an_unsupported_media_type(caller, path):
    response = caller(path).post(path, {"items": ["x"]}, format="json")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path", CLERK_PATHS + CITIZEN_PATHS)
def test_an_empty_form_reaches_the_view(caller, path):
    response = caller(path).post(path, {}, format="multipart")
    # The view's own answer: nothing by that number, or (refuse, notice) the reason or items it requires.
    assert (response.status_code, response.json()["code"]) in {
        (404, "not_found"),
        (422, "reason_required"),
        (422, "items_required"),
    }


def test_the_check_comes_after_authentication(client):
    response = client.post(CLERK_PATHS[0])
    assert response.status_code == 401


@pytest.fixture
def called_ticket(api, citizen, slot, matter, terminal, clerk, central_peer):
    """As tests/front/intake/test_outcomes.py: booked, checked in, called to the clerk's window."""
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    shift_slot_to_now(slot.id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    return api(clerk).post("/api/v1/workbench/call-next/").json()


@pytest.mark.parametrize(
    ("outcome", "fields"),
    [("refuse", {"reason": "该事项\x00属于市级权限", "refer_to": "市人社局"}), ("notice", {"items": ["缺少\x00原件"]})],
)
def test_a_nul_in_a_text_field_is_refused_and_nothing_is_saved(api, clerk, called_ticket, outcome, fields):
    path = f"/api/v1/workbench/tickets/{called_ticket['id']}/{outcome}/"
    response = api(clerk).post(path, fields, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid" and "NUL" in response.json()["detail"]
    assert not Case.objects.exists()
    # The same without the NUL is the outcome it was.
    clean = {
        key: [v.replace("\x00", "") for v in value] if isinstance(value, list) else value.replace("\x00", "")
        for key, value in fields.items()
    }
    assert api(clerk).post(path, clean, format="multipart").status_code == 201
