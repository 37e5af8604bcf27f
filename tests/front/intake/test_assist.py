"""帮办: a hall helper starts an application for a citizen at a smart terminal; the window starts from it."""

import pytest
from django.test import Client

from apps.front.floor.services import ticket_walk_in
from apps.front.intake.models import Case, CaseStatus
from tests.factories import make_user
from tests.journey_helpers import upload
from tests.personas_front import TERMINAL_TOKEN


def kiosk(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["terminal_token"] = TERMINAL_TOKEN
    session.save()
    return client


@pytest.mark.django_db
def test_it_files_for_a_registered_citizen_and_the_window_accepts_it(
    api, citizen, clerk, matter, terminal, central_peer
):
    id_card = matter.materials.get(name="居民身份证")
    page = kiosk(clerk)
    assert matter.name in page.get("/terminal/assist/").content.decode()
    response = page.post(
        "/terminal/assist/",
        {"matter": matter.code, "id_number": citizen.id_number.lower(), f"material_{id_card.id}": upload()},
    )
    assert response.status_code == 200 and 'id="case-number"' in response.content.decode()
    # The receipt (the case number and its query password, shown once) is on a public screen: like every kiosk
    # screen it goes back to the start after the idle time (kiosk.js; without JavaScript a refresh).
    assert 'data-idle-url="/terminal/reset/"' in response.content.decode()
    assert '<meta http-equiv="refresh" content=' in response.content.decode()
    case = Case.objects.get(citizen=citizen)
    assert case.status == CaseStatus.SUBMITTED and case.appointment is None and case.materials.count() == 1
    # The citizen takes a walk-in ticket with their ID card; the window finds the filed case.
    ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=citizen.id_number)
    called = api(clerk).post("/api/v1/workbench/call-next/").json()
    assert called["id"] == ticket.id
    accepted = api(clerk).post(f"/api/v1/workbench/tickets/{ticket.id}/accept/", {}, format="multipart")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["number"] == case.number and accepted.json()["status"] == CaseStatus.ACCEPTED


@pytest.mark.django_db
def test_it_refuses_unregistered_applicants_and_other_halls_staff(citizen, clerk, other_hall_clerk, matter, terminal):
    page = kiosk(clerk)
    unknown = page.post("/terminal/assist/", {"matter": matter.code, "id_number": "11010519491231002X", "x": upload()})
    assert unknown.status_code == 404 and "尚未实名注册" in unknown.content.decode()
    outsider = kiosk(other_hall_clerk).post(
        "/terminal/assist/", {"matter": matter.code, "id_number": citizen.id_number}
    )
    assert outsider.status_code == 403
    assert kiosk(make_user("nobody")).get("/terminal/assist/").status_code == 403  # a citizen is no helper
    assert not Case.objects.exists()
