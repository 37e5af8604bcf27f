"""Clerk actions on a called ticket: recall (limited) → missed, start, finish, transfer, park / resume."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.booking.models import AppointmentStatus
from apps.front.floor.conf import floor_conf
from apps.front.floor.models import Priority, Ticket, TicketAction, TicketStatus
from apps.front.floor.services import ticket_call_next, ticket_transition, ticket_walk_in
from tests.front.floor.factories import TERMINAL
from tests.journey_helpers import shift_slot_to_now

ACTIONS = ("recall", "missed", "start", "finish", "park", "resume", "transfer")


def _act(api, user, ticket_id, action, body=None):
    return api(user).post(f"/api/v1/workbench/tickets/{ticket_id}/{action}/", body or {}, format="json")


@pytest.fixture
def called(api, matter, terminal, clerk):
    """A walk-in ticket called to the clerk's window 1."""
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    return api(clerk).post("/api/v1/workbench/call-next/").json()


@pytest.mark.django_db
class TestRecallAndMissed:
    def test_it_recalls_up_to_the_limit_then_requires_marking_missed(self, api, clerk, called, settings):
        assert floor_conf.HALL_MAX_RECALLS == 2
        for n in (1, 2):
            response = _act(api, clerk, called["id"], "recall")
            assert response.status_code == 200
            assert response.json()["recalls"] == n
        refused = _act(api, clerk, called["id"], "recall")
        assert refused.status_code == 409
        assert refused.json()["code"] == "recall_limit"
        assert "过号" in refused.json()["detail"]

        missed = _act(api, clerk, called["id"], "missed")
        assert missed.status_code == 200 and missed.json()["status"] == TicketStatus.MISSED
        ticket = Ticket.objects.get(id=called["id"])
        assert list(ticket.events.values_list("action", flat=True)) == [
            TicketAction.ISSUE,
            TicketAction.CALL,
            TicketAction.RECALL,
            TicketAction.RECALL,
            TicketAction.MISS,
        ]
        assert [e.note for e in ticket.events.filter(action=TicketAction.RECALL)] == ["第1次重呼", "第2次重呼"]
        # Missed is final.
        assert _act(api, clerk, called["id"], "recall").json()["code"] == "invalid_state"

    def test_it_honours_a_lower_recall_limit_from_settings(self, api, clerk, called, settings):
        settings.HALL_MAX_RECALLS = 0
        assert _act(api, clerk, called["id"], "recall").json()["code"] == "recall_limit"

    def test_it_marks_missed_only_a_called_ticket(self, api, clerk, called):
        _act(api, clerk, called["id"], "start")
        response = _act(api, clerk, called["id"], "missed")
        assert response.status_code == 409 and response.json()["code"] == "invalid_state"


@pytest.mark.django_db
class TestStartAndFinish:
    def test_it_starts_and_finishes_with_timestamps_and_events(self, api, clerk, called):
        started = _act(api, clerk, called["id"], "start")
        assert started.json()["status"] == TicketStatus.SERVING
        finished = _act(api, clerk, called["id"], "finish")
        assert finished.json()["status"] == TicketStatus.DONE
        ticket = Ticket.objects.get(id=called["id"])
        assert ticket.started_at is not None and ticket.finished_at >= ticket.started_at
        events = list(ticket.events.values_list("action", "from_status", "to_status", "actor"))
        assert events[-2:] == [
            (TicketAction.START, TicketStatus.CALLED, TicketStatus.SERVING, clerk.id),
            (TicketAction.FINISH, TicketStatus.SERVING, TicketStatus.DONE, clerk.id),
        ]

    def test_it_refuses_to_finish_a_ticket_not_started(self, api, clerk, called):
        response = _act(api, clerk, called["id"], "finish")
        assert response.status_code == 409
        assert Ticket.objects.get(id=called["id"]).status == TicketStatus.CALLED

    def test_it_moves_the_booked_appointment_along(self, api, citizen, slot, matter, terminal, clerk):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id)
        api(None).post("/api/v1/terminal/checkin/", {"code": code}, format="json", **TERMINAL)
        ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
        appointment = citizen.appointments.get()
        _act(api, clerk, ticket["id"], "start")
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.IN_SERVICE
        _act(api, clerk, ticket["id"], "finish")
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.COMPLETED

    def test_it_records_intakes_transitions_too(self, matter, terminal, clerk):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        ticket = ticket_call_next(clerk=clerk)
        ticket_transition(ticket=ticket, to_status=TicketStatus.SERVING, actor=clerk)
        ticket_transition(ticket=ticket, to_status=TicketStatus.DONE, actor=clerk)
        ticket.refresh_from_db()
        assert ticket.started_at and ticket.finished_at
        assert list(ticket.events.values_list("action", flat=True))[-2:] == [TicketAction.START, TicketAction.FINISH]


@pytest.mark.django_db
class TestTransfer:
    def test_it_transfers_to_another_group_keeping_number_priority_and_check_in_time(
        self, api, matter, matter_b, terminal, clerk, clerk_b, group_b
    ):
        first = ticket_walk_in(terminal=terminal, matter_code=matter.code, green_channel="disabled")
        later = ticket_walk_in(terminal=terminal, matter_code=matter_b.code)  # B001, checked in after A001
        called = api(clerk).post("/api/v1/workbench/call-next/").json()
        assert called["id"] == first.id

        response = _act(api, clerk, first.id, "transfer", {"group": group_b.id, "note": "需先办医保"})
        assert response.status_code == 200, response.content
        ticket = Ticket.objects.get(id=first.id)
        assert (ticket.status, ticket.group, ticket.window, ticket.label) == (
            TicketStatus.WAITING,
            group_b,
            None,
            "A001",
        )
        assert (ticket.priority, ticket.green_reason, ticket.checked_in_at) == (
            first.priority,
            "disabled",
            first.checked_in_at,
        )
        event = ticket.events.last()
        assert (event.action, event.from_status, event.to_status) == (
            TicketAction.TRANSFER,
            TicketStatus.CALLED,
            TicketStatus.WAITING,
        )
        assert event.note == "转至 B 社保医保：需先办医保"
        # In the new queue it keeps its place: called before B001, which checked in later.
        assert api(clerk_b).post("/api/v1/workbench/call-next/").json()["label"] == "A001"
        assert api(clerk_b).post("/api/v1/workbench/call-next/").json()["id"] == later.id
        # The old window no longer has it.
        assert api(clerk).post("/api/v1/workbench/call-next/").status_code == 204

    def test_it_puts_a_transferred_appointment_back_to_checked_in(
        self, api, citizen, slot, matter, terminal, clerk, clerk_b, group_b
    ):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id)
        api(None).post("/api/v1/terminal/checkin/", {"code": code}, format="json", **TERMINAL)
        ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
        _act(api, clerk, ticket["id"], "transfer", {"group": group_b.id})
        assert citizen.appointments.get().status == AppointmentStatus.CHECKED_IN
        assert api(clerk_b).post("/api/v1/workbench/call-next/").json()["id"] == ticket["id"]
        assert citizen.appointments.get().status == AppointmentStatus.CALLED

    def test_it_refuses_the_same_group_and_another_halls_group(self, api, clerk, called, group_a, other_hall):
        same = _act(api, clerk, called["id"], "transfer", {"group": group_a.id})
        assert same.status_code == 422 and same.json()["code"] == "same_group"
        elsewhere = _act(api, clerk, called["id"], "transfer", {"group": other_hall.groups.get().id})
        assert elsewhere.status_code == 404
        assert Ticket.objects.get(id=called["id"]).status == TicketStatus.CALLED


@pytest.mark.django_db
class TestTransferFromEveryState:
    """A ticket in service, or parked, may be sent to another group too (issue 13: every edge made by a test)."""

    @pytest.mark.parametrize("before", ["start", "park"])
    def test_a_ticket_in_service_or_parked_is_transferred(
        self, api, matter, matter_b, terminal, clerk, group_b, before
    ):
        ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code)
        assert api(clerk).post("/api/v1/workbench/call-next/").json()["id"] == ticket.id
        _act(api, clerk, ticket.id, "start")
        if before == "park":
            assert _act(api, clerk, ticket.id, "park", {"note": "取复印件"}).status_code == 200
        moved = _act(api, clerk, ticket.id, "transfer", {"group": group_b.id})
        assert moved.status_code == 200, moved.content
        assert (Ticket.objects.get(id=ticket.id).status, Ticket.objects.get(id=ticket.id).group) == (
            TicketStatus.WAITING,
            group_b,
        )


class TestParkAndResume:
    def test_it_parks_out_of_the_queue_and_resumes_at_the_same_window(self, api, matter, terminal, clerk, called):
        _act(api, clerk, called["id"], "recall")
        parked = _act(api, clerk, called["id"], "park", {"note": "去复印身份证"})
        assert parked.json()["status"] == TicketStatus.PARKED
        # A parked ticket is not in the queue.
        assert api(clerk).post("/api/v1/workbench/call-next/").status_code == 204
        bench = api(clerk).get("/api/v1/workbench/").json()
        assert [t["id"] for t in bench["parked"]] == [called["id"]] and bench["current"] == []

        resumed = _act(api, clerk, called["id"], "resume")
        assert resumed.status_code == 200
        assert (resumed.json()["status"], resumed.json()["window"], resumed.json()["recalls"]) == (
            TicketStatus.CALLED,
            1,
            0,
        )
        ticket = Ticket.objects.get(id=called["id"])
        park, resume = ticket.events.filter(action__in=[TicketAction.PARK, TicketAction.RESUME])
        assert park.note == "去复印身份证"
        # The resume is a call of its own: it has the window, so the board announces it again.
        assert resume.window.number == 1 and resume.to_status == TicketStatus.CALLED

    def test_it_parks_a_ticket_in_service_and_resumes_it(self, api, clerk, called):
        _act(api, clerk, called["id"], "start")
        assert _act(api, clerk, called["id"], "park").json()["status"] == TicketStatus.PARKED
        assert _act(api, clerk, called["id"], "resume").json()["status"] == TicketStatus.CALLED
        assert _act(api, clerk, called["id"], "start").json()["status"] == TicketStatus.SERVING

    def test_it_resumes_only_a_parked_ticket(self, api, clerk, called):
        assert _act(api, clerk, called["id"], "resume").json()["code"] == "invalid_state"


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("action", ACTIONS)
    def test_it_hides_a_ticket_from_another_halls_clerk(self, api, other_hall_clerk, called, action):
        response = _act(api, other_hall_clerk, called["id"], action, {"group": 1})
        assert response.status_code == 404
        assert Ticket.objects.get(id=called["id"]).events.count() == 2  # issue, call: nothing more

    @pytest.mark.parametrize("action", ACTIONS)
    def test_it_keeps_another_windows_ticket_from_a_neighbour(self, api, neighbour_clerk, called, action, group_b):
        response = _act(api, neighbour_clerk, called["id"], action, {"group": group_b.id})
        assert response.status_code == 403
        assert response.json()["code"] == "not_your_window"

    def test_it_refuses_a_citizen(self, api, citizen, called):
        assert _act(api, citizen, called["id"], "recall").status_code == 403

    def test_it_hides_a_ticket_from_another_halls_clerk_on_the_page(self, client, other_hall_clerk, called):
        client.force_login(other_hall_clerk)
        response = client.post(f"/workbench/tickets/{called['id']}/actions/recall/")
        assert response.status_code == 404
        assert Ticket.objects.get(id=called["id"]).recalls == 0


@pytest.mark.django_db
class TestPriorityOrdering:
    def test_it_calls_green_channel_then_booked_then_walk_in(self, api, citizen, slot, matter, terminal, clerk):
        walk_in = ticket_walk_in(terminal=terminal, matter_code=matter.code)  # came first
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id)
        booked = api(None).post("/api/v1/terminal/checkin/", {"code": code}, format="json", **TERMINAL).json()
        green = ticket_walk_in(terminal=terminal, matter_code=matter.code, green_channel="military")  # came last
        assert [walk_in.priority, booked["priority"], green.priority] == [
            Priority.WALK_IN,
            Priority.BOOKED,
            Priority.GREEN_CHANNEL,
        ]

        order = [api(clerk).post("/api/v1/workbench/call-next/").json()["id"] for _ in range(3)]
        assert order == [green.id, booked["id"], walk_in.id]

    def test_it_counts_people_ahead_in_calling_order(self, api, matter, terminal):
        plain = ticket_walk_in(terminal=terminal, matter_code=matter.code)
        ticket_walk_in(terminal=terminal, matter_code=matter.code, green_channel="disabled")
        response = (
            api(None).post("/api/v1/terminal/walk-in/", {"matter": matter.code}, format="json", **TERMINAL).json()
        )
        assert response["people_ahead"] == 2
        from apps.front.floor.selectors import people_ahead

        assert people_ahead(plain) == 1  # the green-channel ticket went ahead of it


@pytest.mark.django_db
class TestEstimatedWait:
    def test_it_estimates_from_todays_service_times_over_staffed_windows(
        self, api, matter, terminal, clerk, neighbour_clerk, settings
    ):
        settings.HALL_SERVICE_MINUTES_DEFAULT = 30  # must not be used once services have finished
        start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9, 0)))
        with time_machine.travel(start, tick=False) as clock:
            for _ in range(2):
                ticket_walk_in(terminal=terminal, matter_code=matter.code)
            one = api(clerk).post("/api/v1/workbench/call-next/").json()["id"]
            two = api(neighbour_clerk).post("/api/v1/workbench/call-next/").json()["id"]
            _act(api, clerk, one, "start")
            _act(api, neighbour_clerk, two, "start")
            clock.shift(dt.timedelta(minutes=6))
            _act(api, clerk, one, "finish")
            clock.shift(dt.timedelta(minutes=4))
            _act(api, neighbour_clerk, two, "finish")  # 6 and 10 minutes: 8 on average
            for _ in range(3):
                ticket_walk_in(terminal=terminal, matter_code=matter.code)
            fourth = (
                api(None).post("/api/v1/terminal/walk-in/", {"matter": matter.code}, format="json", **TERMINAL).json()
            )
        # Three ahead, 8 minutes each, two staffed windows: ceil(3 × 8 / 2) = 12.
        assert fourth["people_ahead"] == 3
        assert fourth["estimated_wait_minutes"] == 12

    def test_it_falls_back_to_the_default_before_anyone_is_served(self, api, matter, terminal, clerk, settings):
        settings.HALL_SERVICE_MINUTES_DEFAULT = 7
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        body = api(None).post("/api/v1/terminal/walk-in/", {"matter": matter.code}, format="json", **TERMINAL).json()
        assert body["estimated_wait_minutes"] == 7


@pytest.mark.django_db
def test_it_shows_the_window_its_tickets_and_queue_in_constant_queries(
    api, matter, terminal, clerk, django_assert_max_num_queries
):
    for _ in range(3):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    api(clerk).post("/api/v1/workbench/call-next/")

    def count():
        with django_assert_max_num_queries(12) as captured:
            body = api(clerk).get("/api/v1/workbench/").json()
        return body, len(captured)

    body, few = count()
    assert (body["window"], body["waiting_count"], len(body["current"])) == (1, 2, 1)
    assert [t["people_ahead"] for t in body["waiting"]] == [0, 1]
    for _ in range(10):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    body, many = count()
    assert body["waiting_count"] == 12 and many == few


@pytest.mark.django_db
def test_it_counts_every_window_of_a_group_nobody_is_posted_at_yet(hall, group_b, matter_b, terminal, settings):
    from apps.front.booking.models import Window
    from apps.front.floor.selectors import estimated_wait_minutes

    settings.HALL_SERVICE_MINUTES_DEFAULT = 10
    Window.objects.create(hall=hall, group=group_b, number=6)  # group B: windows 5 and 6, no clerk
    for _ in range(4):
        last = ticket_walk_in(terminal=terminal, matter_code=matter_b.code)
    assert estimated_wait_minutes(last) == 15  # three ahead × 10 minutes over two windows
