"""Services that find "the citizen" by the ID card (issue 12, point 5) see only verified accounts: an
unverified registration of someone else's ID number never receives that person's ticket, case or booking.
Each test makes the unverified account explicitly; the suite's citizens are verified (tests/factories)."""

import pytest

from apps.front.booking.models import Slot
from apps.front.booking.services import appointment_book
from apps.front.consult.models import ConsultTicket
from apps.front.floor.models import Ticket
from apps.front.intake.services import case_start_assisted
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from govservice.api import DomainError
from tests.factories import make_user, valid_id_number
from tests.front.floor.factories import TERMINAL
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def impostor(db):
    """An account that typed an ID number but never proved it (say, registered before verification)."""
    return make_user(
        "impostor", real_name="冒名者", id_number=valid_id_number(birth="19750505"), phone="13700001111", verified=False
    )


def test_the_selector_finds_only_a_verified_active_account(impostor):
    assert citizen_verified_by_id_number(impostor.id_number) is None
    real = make_user("real", real_name="真本人", id_number=impostor.id_number, phone="13700002222")
    assert citizen_verified_by_id_number(impostor.id_number.lower()) == real
    real.is_active = False
    real.save(update_fields=["is_active"])
    assert citizen_verified_by_id_number(impostor.id_number) is None


def test_a_kiosk_walk_in_does_not_link_an_unverified_account(api, impostor, matter, terminal):
    response = api(None).post(
        "/api/v1/terminal/walk-in/", {"matter": matter.code, "id_number": impostor.id_number}, format="json", **TERMINAL
    )
    assert response.status_code == 201, response.content
    assert Ticket.objects.get(id=response.json()["id"]).citizen is None


def test_a_kiosk_check_in_by_id_card_does_not_find_an_unverified_accounts_appointment(
    api, impostor, slot, matter, terminal
):
    appointment = appointment_book(citizen=impostor, slot_id=slot.id, matter_code=matter.code)
    shift_slot_to_now(slot.id)
    response = api(None).post(
        "/api/v1/terminal/checkin/",
        {"code": impostor.id_number},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    assert response.status_code == 404, response.content
    # The appointment's own code still checks in: the booking is not lost, only the ID-card lookup refused.
    by_code = api(None).post(
        "/api/v1/terminal/checkin/",
        {"code": appointment.code},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    assert by_code.status_code == 201


def test_assisted_intake_refuses_an_unverified_account(impostor, clerk, terminal, matter):
    with pytest.raises(DomainError) as refused:
        case_start_assisted(
            helper=clerk, terminal=terminal, id_number=impostor.id_number, matter_code=matter.code, uploads=[]
        )
    assert refused.value.error_code == "not_registered"


def test_consult_at_the_kiosk_does_not_file_under_an_unverified_account(api, impostor, matter, terminal):
    payload = {"id_number": impostor.id_number, "matter": matter.code, "title": "问题", "content": "内容"}
    response = api(None).post(
        "/api/v1/terminal/consult/", payload, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    # As for an ID card without an account: refused, nothing filed under the impostor.
    assert response.status_code == 422 and response.json()["code"] == "no_account", response.content
    assert not ConsultTicket.objects.filter(citizen=impostor).exists()


def test_staff_booking_does_not_book_for_an_unverified_account(api, clerk, impostor, hall, matter):
    slot = make_slot(hall, capacity=1)
    Slot.objects.filter(id=slot.id).update(reserved=1)
    response = api(clerk).post(
        "/api/v1/workbench/appointments/",
        {"id_number": impostor.id_number, "slot": slot.id, "matter": matter.code},
        format="json",
    )
    assert response.status_code == 404 and response.json()["code"] == "citizen_not_found"
    assert not impostor.appointments.exists()
