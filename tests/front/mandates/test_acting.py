"""What an agent does for a principal through the API and the pages: books in the principal's name with both
people recorded, cancels, follows the cases in scope — and never sees the principal's other cases. A revoked
mandate opens nothing from that moment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.front.booking.models import Appointment, AppointmentEvent
from apps.front.intake.models import Case, CaseStatus
from apps.front.mandates.models import MandateEvent
from apps.front.mandates.services import mandate_revoke
from tests.personas_front import make_slot

from .conftest import make_mandate

pytestmark = pytest.mark.django_db


def acting(principal) -> str:
    return f"/api/v1/acting/{principal.pk}/"


def case_of(citizen, matter, hall, number: str, **fields) -> Case:
    return Case.objects.create(
        number=number,
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        status=CaseStatus.IN_REVIEW,
        **fields,
    )


def test_an_agent_books_in_the_principals_name_with_both_people_recorded(api, citizen, agent, matter, slot):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    booked = api(agent).post(
        f"{acting(citizen)}appointments/",
        {"slot": slot.id, "matter": matter.code},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert booked.status_code == 201, booked.content
    appointment = Appointment.objects.get(code=booked.json()["code"])
    assert (appointment.citizen, appointment.agent) == (citizen, agent)
    assert booked.json()["agent"] == "张丽"
    assert AppointmentEvent.objects.get(appointment=appointment).actor == agent
    # The principal sees it as their own; the mandate records the act.
    assert [a["code"] for a in api(citizen).get("/api/v1/appointments/").json()] == [appointment.code]
    assert list(MandateEvent.objects.filter(mandate=mandate, kind="booked").values_list("reference", "actor")) == [
        (appointment.code, agent.pk)
    ]
    # A retry with the same key gets the first booking back, recorded once.
    again = api(agent).post(
        f"{acting(citizen)}appointments/",
        {"slot": slot.id, "matter": matter.code},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 201 and again.json()["code"] == appointment.code
    assert MandateEvent.objects.filter(kind="booked").count() == 1
    # The principal's own limits apply: one active appointment per matter.
    other_slot = make_slot(slot.hall, hour=10, capacity=2)
    duplicate = api(agent).post(
        f"{acting(citizen)}appointments/", {"slot": other_slot.id, "matter": matter.code}, format="json"
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate"


def test_an_agent_outside_their_scope_books_nothing(api, citizen, agent, matter, other_matter, hall, slot):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    refused = api(agent).post(
        f"{acting(citizen)}appointments/", {"slot": slot.id, "matter": other_matter.code}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "mandate_out_of_scope"
    english = api(agent).post(
        f"{acting(citizen)}appointments/",
        {"slot": slot.id, "matter": other_matter.code},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "does not cover this matter" in english.json()["detail"]
    assert not Appointment.objects.exists()


def test_revocation_stops_the_next_booking_at_once(api, citizen, agent, matter, slot):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    assert api(agent).get("/api/v1/acting/").json()[0]["id"] == citizen.pk
    mandate_revoke(by=citizen, number=mandate.number)
    refused = api(agent).post(
        f"{acting(citizen)}appointments/", {"slot": slot.id, "matter": matter.code}, format="json"
    )
    # The principal is no longer among those the agent may act for: nothing of theirs is reachable.
    assert refused.status_code == 404
    assert api(agent).get("/api/v1/acting/").json() == []
    assert api(agent).get(f"{acting(citizen)}cases/").status_code == 404
    assert not Appointment.objects.exists()


def test_a_mandate_revoked_between_the_page_and_the_booking_refuses_with_its_reason(citizen, agent, matter, slot):
    """The service checks at the moment of the act: two mandates, one revoked meanwhile, the other for another
    matter — the booking of the first matter is refused as revoked."""
    from apps.front.mandates.selectors import principal_for_agent
    from apps.front.mandates.services import agent_book
    from govservice.lib.errors import DomainError

    kept = make_mandate(citizen, agent, matter_codes=["OTHER"])
    gone = make_mandate(citizen, agent, matter_codes=[matter.code])
    principal = principal_for_agent(agent=agent, principal_id=citizen.pk)
    mandate_revoke(by=citizen, number=gone.number)
    with pytest.raises(DomainError) as refused:
        agent_book(agent=agent, principal=principal, slot_id=slot.id, matter_code=matter.code)
    assert refused.value.code == "mandate_revoked"
    assert kept.status == "active" and not Appointment.objects.exists()


def test_an_agent_cancels_what_they_booked(api, citizen, agent, matter, slot):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    code = (
        api(agent)
        .post(f"{acting(citizen)}appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    cancelled = api(agent).post(f"{acting(citizen)}appointments/{code}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled_by_citizen"
    event = AppointmentEvent.objects.filter(appointment__code=code).order_by("-id").first()
    assert event.actor == agent and event.note == "代办人取消"
    assert MandateEvent.objects.filter(kind="cancelled", reference=code).exists()


def test_an_agent_never_sees_the_principals_other_cases(
    api, citizen, agent, stranger, matter, other_matter, hall, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False)
    earlier = case_of(citizen, matter, hall, "TZ2026030200001", received_at=timezone.now())
    time_machine.move_to(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC), tick=False)
    make_mandate(citizen, agent, matter_codes=[matter.code])
    in_scope = case_of(citizen, matter, hall, "TZ2026031000001", received_at=timezone.now(), agent=agent)
    other = case_of(citizen, other_matter, hall, "TZ2026031000002", received_at=timezone.now())
    listed = api(agent).get(f"{acting(citizen)}cases/").json()
    assert [c["number"] for c in listed] == [in_scope.number]
    assert listed[0]["agent"] == "张丽"
    for hidden in (earlier, other):
        assert api(agent).get(f"{acting(citizen)}cases/{hidden.number}/").status_code == 404
    assert api(agent).get(f"{acting(citizen)}cases/{in_scope.number}/").status_code == 200
    # Nor through the principal's own pages and API, nor another person through the agent's.
    assert api(agent).get(f"/api/v1/cases/{in_scope.number}/").status_code == 404
    assert api(stranger).get(f"{acting(citizen)}cases/").status_code == 404
    assert api(stranger).get(f"{acting(citizen)}cases/{in_scope.number}/").status_code == 404
    page = Client()
    page.force_login(agent)
    html = page.get(f"/acting/{citizen.pk}/").content.decode()
    assert in_scope.number in html and earlier.number not in html and other.number not in html
    assert page.get(f"/acting/{citizen.pk}/cases/{other.number}/").status_code == 404
    page.force_login(stranger)
    assert page.get(f"/acting/{citizen.pk}/").status_code == 404


def test_the_lists_take_the_same_queries_however_many_rows(api, citizen, other_citizen, agent, matter, hall):
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api(agent).get(path).status_code == 200
        return len(queries)

    make_mandate(citizen, agent, matter_codes=[matter.code])
    case_of(citizen, matter, hall, "TZ2026120700101", agent=agent)
    first = (count("/api/v1/acting/"), count(f"{acting(citizen)}cases/"), count(f"{acting(citizen)}appointments/"))
    make_mandate(other_citizen, agent, matter_codes=[matter.code])
    for n in range(2, 6):
        case_of(citizen, matter, hall, f"TZ202612070010{n}", agent=agent)
    assert (
        count("/api/v1/acting/"),
        count(f"{acting(citizen)}cases/"),
        count(f"{acting(citizen)}appointments/"),
    ) == first


def test_the_agents_pages_book_through_the_slot_picker(citizen, agent, matter, slot):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    page = Client()
    page.force_login(agent)
    home = page.get("/acting/").content.decode()
    assert "王小明" in home
    booking = page.get(f"/acting/{citizen.pk}/book/{matter.code}/")
    assert booking.status_code == 200 and f'value="{slot.id}"' in booking.content.decode()
    done = page.post(f"/acting/{citizen.pk}/book/{matter.code}/", {"slot": slot.id, "idempotency_key": "page-1"})
    assert done.status_code == 302 and done["Location"] == f"/acting/{citizen.pk}/"
    assert Appointment.objects.get().agent == agent
    # A matter outside the mandate has no booking page.
    assert page.get(f"/acting/{citizen.pk}/book/NOT-MINE/").status_code == 404
