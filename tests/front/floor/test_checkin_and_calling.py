import pytest

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.notifications.models import Notification
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN


def _book(api, citizen, slot, matter) -> str:
    response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
    assert response.status_code == 201
    return response.json()["code"]


@pytest.mark.django_db
class TestCheckin:
    def test_it_checks_in_with_a_code_and_issues_a_ticket(self, api, citizen, slot, matter, terminal):
        code = _book(api, citizen, slot, matter)
        shift_slot_to_now(slot.id)
        client = api(None)
        response = client.post(
            "/api/v1/terminal/checkin/",
            {"code": code.lower()},
            format="json",
            HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
        )
        assert response.status_code == 201, response.content
        ticket = response.json()
        assert ticket["label"] == "A001"
        assert ticket["display_name"] == "王**"
        assert ticket["people_ahead"] == 0
        assert Appointment.objects.get(code=code).status == AppointmentStatus.CHECKED_IN
        # The citizen is told the queue number on every channel they can be reached on.
        sent = Notification.objects.filter(recipient=citizen, event="hall.checked_in")
        assert sorted(sent.values_list("channel", flat=True)) == ["email", "inbox", "sms"]
        assert all("A001" in n.body and "前面还有0人" in n.body for n in sent)

    def test_it_checks_in_with_the_id_card_read_at_the_kiosk(self, api, citizen, other_citizen, slot, matter, terminal):
        code = _book(api, citizen, slot, matter)
        shift_slot_to_now(slot.id)
        auth = {"HTTP_AUTHORIZATION": f"Terminal {TERMINAL_TOKEN}"}
        stranger = api(None).post("/api/v1/terminal/checkin/", {"code": other_citizen.id_number}, format="json", **auth)
        assert stranger.status_code == 404 and "现场取号" in stranger.json()["detail"]
        response = api(None).post(
            "/api/v1/terminal/checkin/", {"code": citizen.id_number.lower()}, format="json", **auth
        )
        assert response.status_code == 201, response.content
        assert Appointment.objects.get(code=code).status == AppointmentStatus.CHECKED_IN
        bad = api(None).post("/api/v1/terminal/checkin/", {"code": "110105194912310021"}, format="json", **auth)
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_id_number"

    def test_it_tells_an_early_arrival_when_to_come_back(self, api, citizen, slot, matter, terminal):
        code = _book(api, citizen, slot, matter)
        response = api(None).post(
            "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
        )
        assert response.status_code == 422
        assert response.json()["code"] == "too_early"
        assert "后签到" in response.json()["detail"]
        assert not Ticket.objects.exists()

    def test_it_sends_a_late_arrival_to_the_walk_in_queue(self, api, citizen, slot, matter, terminal):
        code = _book(api, citizen, slot, matter)
        shift_slot_to_now(slot.id, minutes_from_now=-16)
        response = api(None).post(
            "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
        )
        assert response.json()["code"] == "too_late"

    def test_it_refuses_an_unknown_terminal_token(self, api, citizen, slot, matter, terminal):
        code = _book(api, citizen, slot, matter)
        response = api(None).post(
            "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION="Terminal forged"
        )
        assert response.status_code == 401


@pytest.mark.django_db
class TestCalling:
    def test_it_calls_booked_tickets_in_order_once_each(
        self, api, citizen, other_citizen, hall, matter, terminal, clerk
    ):
        from tests.personas_front import make_slot

        early, late = make_slot(hall, hour=9), make_slot(hall, hour=10)
        first = _book(api, other_citizen, late, matter)
        second = _book(api, citizen, early, matter)
        shift_slot_to_now(late.id, minutes_from_now=5)
        shift_slot_to_now(early.id, minutes_from_now=0)
        auth = {"HTTP_AUTHORIZATION": f"Terminal {TERMINAL_TOKEN}"}
        api(None).post("/api/v1/terminal/checkin/", {"code": first}, format="json", **auth)
        api(None).post("/api/v1/terminal/checkin/", {"code": second}, format="json", **auth)
        # The earlier booked time is called first, though it checked in second.
        called = api(clerk).post("/api/v1/workbench/call-next/").json()
        assert called["label"] == "A002" and called["window"] == 1
        assert api(clerk).post("/api/v1/workbench/call-next/").json()["label"] == "A001"
        assert api(clerk).post("/api/v1/workbench/call-next/").status_code == 204
        assert set(Ticket.objects.values_list("status", flat=True)) == {TicketStatus.CALLED}

    def test_it_refuses_call_next_to_a_citizen(self, api, citizen):
        assert api(citizen).post("/api/v1/workbench/call-next/").status_code == 403


@pytest.mark.django_db
def test_it_shows_a_matters_checklist_at_the_kiosk(client, matter, terminal):
    session = client.session
    session["terminal_token"] = TERMINAL_TOKEN
    session.save()
    listing = client.get("/terminal/guide/").content.decode()
    assert matter.name in listing
    guide = client.get(f"/terminal/guide/?matter={matter.code}").content.decode()
    assert 'id="guide-matter"' in guide and "居民身份证" in guide and "近期免冠照片" in guide
    # A matter the hall does not serve is not shown.
    assert 'id="guide-matter"' not in client.get("/terminal/guide/?matter=NOPE").content.decode()


@pytest.mark.django_db
def test_it_calls_next_in_a_fixed_number_of_queries(api, matter, terminal, clerk, django_assert_num_queries):
    from apps.front.floor.services import ticket_walk_in

    for _ in range(3):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    client = api(clerk)
    # One statement finds the clerk's window, claims the ticket (UPDATE … RETURNING), writes the CALL event
    # and reads the ticket's matter and group; the savepoints of the service's transaction inside the test's.
    with django_assert_num_queries(3):
        body = client.post("/api/v1/workbench/call-next/").json()
    assert (body["label"], body["matter"], body["group"], body["window"], body["status"]) == (
        "A001",
        matter.name,
        "综合受理",
        1,
        "called",
    )


@pytest.mark.django_db
def test_it_tells_a_supervisor_without_a_window_so(api, hall):
    from apps.shared.accounts.models import Role
    from tests.factories import make_user

    supervisor = make_user("boss", Role.HALL_SUPERVISOR, real_name="钱主管")
    response = api(supervisor).post("/api/v1/workbench/call-next/")
    assert response.status_code == 403 and response.json()["code"] == "no_window"


@pytest.mark.django_db
@pytest.mark.parametrize(("clock", "minutes"), [("23:55", 10), ("00:03", -10)])
def test_the_check_in_does_not_depend_on_the_hour_the_suite_runs_at(
    api, citizen, slot, matter, terminal, clock, minutes
):
    """A run minutes before or after local midnight (CI runs at any hour): the slot shifted to "now" is still one
    of today's, and the ID card read at the kiosk finds it (failed in CI at 00:05 Beijing time)."""
    import time_machine
    from django.utils import timezone

    hour, minute = map(int, clock.split(":"))
    code = _book(api, citizen, slot, matter)
    near_midnight = timezone.localtime().replace(hour=hour, minute=minute)
    with time_machine.travel(near_midnight, tick=True):
        shift_slot_to_now(slot.id, minutes_from_now=minutes)
        assert timezone.localtime().hour == 21  # moved back to the evening before
        response = api(None).post(
            "/api/v1/terminal/checkin/",
            {"code": citizen.id_number},
            format="json",
            HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
        )
        assert response.status_code == 201, response.content
        assert Appointment.objects.get(code=code).status == AppointmentStatus.CHECKED_IN
