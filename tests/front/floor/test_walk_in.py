"""Walk-in tickets at the kiosk API (现场取号): matters the hall serves, green channel, late arrivals."""

import pytest

from apps.front.booking.models import AppointmentStatus, GroupMatter
from apps.front.floor.models import GreenReason, Priority, Ticket, TicketAction, TicketEvent, TicketStatus
from tests.factories import make_matter, make_user, valid_id_number
from tests.front.floor.factories import TERMINAL
from tests.journey_helpers import shift_slot_to_now

WALK_IN = "/api/v1/terminal/walk-in/"


def _walk_in(api, body, **headers):
    return api(None).post(WALK_IN, body, format="json", **TERMINAL, **headers)


@pytest.mark.django_db
class TestWalkIn:
    def test_it_issues_a_walk_in_ticket_for_a_matter_the_hall_serves(self, api, matter, terminal):
        response = _walk_in(api, {"matter": matter.code})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["label"] == "A001"
        assert body["priority"] == Priority.WALK_IN
        assert body["green_reason"] == ""
        assert body["matter"] == matter.name
        assert body["people_ahead"] == 0 and body["estimated_wait_minutes"] == 0
        ticket = Ticket.objects.get(id=body["id"])
        assert ticket.citizen is None and ticket.terminal == terminal
        assert list(ticket.events.values_list("action", "to_status")) == [(TicketAction.ISSUE, TicketStatus.WAITING)]

    def test_it_numbers_and_estimates_behind_those_already_waiting(self, api, matter, terminal, clerk, settings):
        settings.HALL_SERVICE_MINUTES_DEFAULT = 12
        for _ in range(3):
            _walk_in(api, {"matter": matter.code})
        body = _walk_in(api, {"matter": matter.code}).json()
        # Three ahead, one staffed window, no service finished today: 3 × 12 minutes.
        assert body["label"] == "A004"
        assert body["people_ahead"] == 3
        assert body["estimated_wait_minutes"] == 36

    def test_it_refuses_a_matter_the_hall_does_not_serve(self, api, matter, terminal):
        elsewhere = make_matter("M-999", name="出入境证件办理")
        response = _walk_in(api, {"matter": elsewhere.code})
        assert response.status_code == 422
        assert response.json()["code"] == "matter_not_served"
        assert not Ticket.objects.exists()

    def test_it_requires_a_matter(self, api, matter, terminal):
        response = _walk_in(api, {})
        assert response.status_code == 400
        assert response.json()["code"] == "matter_required"

    def test_it_puts_the_ticket_in_the_group_with_the_shortest_queue(self, api, matter, terminal, group_b):
        GroupMatter.objects.create(group=group_b, matter_code=matter.code)
        labels = [_walk_in(api, {"matter": matter.code}).json()["label"] for _ in range(3)]
        assert labels == ["A001", "B001", "A002"]

    def test_it_refuses_an_unknown_terminal_token(self, api, matter, terminal):
        response = api(None).post(WALK_IN, {"matter": matter.code}, format="json", HTTP_AUTHORIZATION="Terminal forged")
        assert response.status_code == 401

    def test_it_refuses_a_clerk_without_a_terminal(self, api, matter, terminal, clerk):
        assert api(clerk).post(WALK_IN, {"matter": matter.code}, format="json").status_code == 403

    def test_it_answers_a_retry_with_the_first_ticket(self, api, matter, terminal):
        first = _walk_in(api, {"matter": matter.code}, HTTP_IDEMPOTENCY_KEY="kiosk-1-0001").json()
        again = _walk_in(api, {"matter": matter.code}, HTTP_IDEMPOTENCY_KEY="kiosk-1-0001").json()
        assert again["id"] == first["id"]
        assert Ticket.objects.count() == 1


@pytest.mark.django_db
class TestGreenChannel:
    def test_it_verifies_age_from_the_id_number_and_never_stores_it(self, api, matter, terminal):
        id_number = valid_id_number(birth="19500310")
        response = _walk_in(api, {"matter": matter.code, "green_channel": "elderly", "id_number": id_number})
        assert response.status_code == 201, response.content
        ticket = Ticket.objects.get(id=response.json()["id"])
        assert (ticket.priority, ticket.green_reason) == (Priority.GREEN_CHANNEL, GreenReason.ELDERLY)
        stored = str(list(Ticket.objects.values())) + str(list(TicketEvent.objects.values()))
        assert id_number not in stored and id_number[6:14] not in stored
        assert "id_number" not in response.json()

    def test_it_grants_the_green_channel_to_a_70_year_old_who_did_not_ask(self, api, matter, terminal):
        body = _walk_in(api, {"matter": matter.code, "id_number": valid_id_number(birth="19540101")}).json()
        assert (body["priority"], body["green_reason"]) == (Priority.GREEN_CHANNEL, "elderly")

    def test_it_asks_for_the_id_card_to_verify_age(self, api, matter, terminal):
        response = _walk_in(api, {"matter": matter.code, "green_channel": "elderly"})
        assert response.status_code == 422
        assert response.json()["code"] == "age_unverified"
        assert not Ticket.objects.exists()

    def test_it_refuses_the_elderly_channel_under_70(self, api, matter, terminal):
        response = _walk_in(
            api, {"matter": matter.code, "green_channel": "elderly", "id_number": valid_id_number(birth="19900101")}
        )
        assert response.status_code == 422
        assert response.json()["code"] == "not_elderly"

    def test_it_refuses_an_invalid_id_number(self, api, matter, terminal):
        response = _walk_in(api, {"matter": matter.code, "id_number": "110105194912310021"})
        assert response.status_code == 422  # its check digit: no schema states it (issue 17: was 400)
        assert response.json()["code"] == "invalid_id_number"

    @pytest.mark.parametrize("reason", [GreenReason.DISABLED, GreenReason.MILITARY])
    def test_it_records_a_declared_reason_for_the_window_to_check(self, api, matter, terminal, reason):
        body = _walk_in(api, {"matter": matter.code, "green_channel": reason}).json()
        assert (body["priority"], body["green_reason"]) == (Priority.GREEN_CHANNEL, reason)

    def test_it_links_a_registered_citizen_by_id_number_with_a_masked_name(self, api, matter, terminal):
        id_number = valid_id_number(birth="19800808")
        citizen = make_user("walker", real_name="欧阳娜娜", id_number=id_number)
        body = _walk_in(api, {"matter": matter.code, "id_number": id_number.lower()}).json()
        assert body["display_name"] == "欧阳**"
        assert Ticket.objects.get(id=body["id"]).citizen == citizen
        # Pressing again at another kiosk reprints the same number.
        assert _walk_in(api, {"matter": matter.code, "id_number": id_number}).json()["id"] == body["id"]

    def test_it_calls_a_booked_citizen_of_70_in_the_green_channel(self, api, slot, matter, terminal):
        elder = make_user("elder", real_name="王大爷", id_number=valid_id_number(birth="19480202"))
        code = (
            api(elder)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id)
        body = api(None).post("/api/v1/terminal/checkin/", {"code": code}, format="json", **TERMINAL).json()
        assert (body["priority"], body["green_reason"]) == (Priority.GREEN_CHANNEL, "elderly")


@pytest.mark.django_db
class TestLateArrival:
    def _late_code(self, api, citizen, slot, matter):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id, minutes_from_now=-20)
        assert (
            api(None).post("/api/v1/terminal/checkin/", {"code": code}, format="json", **TERMINAL).json()["code"]
            == "too_late"
        )
        return code

    def test_it_queues_a_late_arrival_as_a_walk_in_for_the_booked_matter(self, api, citizen, slot, matter, terminal):
        code = self._late_code(api, citizen, slot, matter)
        response = _walk_in(api, {"appointment_code": code.lower()})
        assert response.status_code == 201, response.content
        ticket = Ticket.objects.get(id=response.json()["id"])
        assert (ticket.priority, ticket.citizen, ticket.matter) == (Priority.WALK_IN, citizen, matter)
        assert ticket.appointment is None and ticket.booked_start is None
        assert ticket.display_name == "王**"
        assert "逾时签到" in ticket.events.get().note
        # One ticket per appointment, however often the button is pressed.
        assert _walk_in(api, {"appointment_code": code}).json()["id"] == ticket.id
        assert citizen.appointments.get().status == AppointmentStatus.BOOKED

    def test_it_finds_a_late_appointment_by_id_card(self, api, citizen, slot, matter, terminal):
        self._late_code(api, citizen, slot, matter)
        response = _walk_in(api, {"appointment_code": citizen.id_number})
        assert response.status_code == 201, response.content
        assert Ticket.objects.get(id=response.json()["id"]).citizen == citizen

    def test_it_sends_an_arrival_within_the_window_back_to_check_in(self, api, citizen, slot, matter, terminal):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id, minutes_from_now=5)
        response = _walk_in(api, {"appointment_code": code})
        assert response.status_code == 422
        assert response.json()["code"] == "checkin_open"


@pytest.mark.django_db
def test_it_lists_the_matters_of_the_kiosks_hall_in_constant_queries(
    api, matter, matter_b, group_b, terminal, django_assert_max_num_queries
):
    for n in range(5):
        extra = make_matter(f"M-X{n}", name=f"测试事项{n}")
        GroupMatter.objects.create(group=group_b, matter_code=extra.code)
    with django_assert_max_num_queries(4):
        response = api(None).get("/api/v1/terminal/matters/", **TERMINAL)
    assert response.status_code == 200
    groups = response.json()
    assert [g["letter"] for g in groups] == ["A", "B"]
    assert [m["code"] for m in groups[0]["matters"]] == [matter.code]
    assert len(groups[1]["matters"]) == 6
