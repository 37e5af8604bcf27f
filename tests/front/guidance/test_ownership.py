"""A citizen's checklist is theirs alone; an anonymous one is reached by its code."""

from __future__ import annotations

import pytest

from apps.front.guidance.demo import SOCIAL_CARD
from apps.front.guidance.models import Checklist

from .conftest import page_client

pytestmark = pytest.mark.django_db

ANSWERS = {"q_proxy": "no", "q_minor": "no", "q_photo": "none"}


@pytest.fixture
def owned(card_matter, citizen):
    page_client(citizen).post(f"/guide/{SOCIAL_CARD}/", ANSWERS)
    return Checklist.objects.get(citizen=citizen)


def test_it_stores_a_logged_in_citizens_checklist_in_their_account(owned, citizen):
    client = page_client(citizen)
    assert client.get(f"/checklists/{owned.code}/").status_code == 200
    assert client.get(f"/checklists/{owned.code}.pdf").status_code == 200
    assert owned.code in client.get("/checklists/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/checklists/{code}/",
        "/checklists/{code}.pdf",
        "/checklists/{code}/book/",
        "/api/v1/guidance/checklists/{code}/",
    ],
)
def test_it_hides_a_citizens_checklist_from_another_citizen_and_from_strangers(owned, other_citizen, clerk, path):
    url = path.format(code=owned.code)
    assert page_client(other_citizen).get(url).status_code == 404
    assert page_client(clerk).get(url).status_code == 404
    assert page_client().get(url).status_code == 404


def test_it_lists_only_the_citizens_own_checklists(owned, other_citizen, api):
    page_client(other_citizen).post(f"/guide/{SOCIAL_CARD}/", {**ANSWERS, "q_proxy": "yes"})
    theirs = Checklist.objects.get(citizen=other_citizen)
    html = page_client(other_citizen).get("/checklists/").content.decode()
    assert theirs.code in html and owned.code not in html
    codes = [c["code"] for c in api(other_citizen).get("/api/v1/guidance/checklists/").json()]
    assert codes == [theirs.code]
    assert api(None).get("/api/v1/guidance/checklists/").status_code in (401, 403)


def test_it_refuses_booking_with_another_citizens_checklist(owned, other_citizen, slot):
    response = page_client(other_citizen).post(f"/checklists/{owned.code}/book/confirm/", {"slot": slot.id})
    assert response.status_code == 404
    owned.refresh_from_db()
    assert owned.appointment is None


def test_it_opens_an_anonymous_checklist_to_whoever_has_the_code(card_matter, other_citizen):
    page_client().post(f"/guide/{SOCIAL_CARD}/", ANSWERS)
    checklist = Checklist.objects.get()
    assert checklist.citizen is None
    assert page_client().get(f"/checklists/{checklist.code}/").status_code == 200
    assert page_client(other_citizen).get(f"/checklists/{checklist.code.lower()}/").status_code == 200
