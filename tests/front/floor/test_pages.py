"""Kiosk pages (walk-in, late arrival, printable ticket) and the clerk's workbench buttons, over HTTP."""

import re

import pytest

from apps.front.floor.models import Ticket, TicketStatus
from apps.front.floor.services import ticket_walk_in
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN


@pytest.fixture
def kiosk(client, terminal):
    client.post("/terminal/", {"token": TERMINAL_TOKEN})
    return client


@pytest.mark.django_db
class TestKioskPages:
    def test_it_offers_the_matters_of_the_hall_and_prints_a_ticket(self, kiosk, matter, clerk):
        page = kiosk.get("/terminal/walk-in/").content.decode()
        assert f'value="{matter.code}"' in page and matter.name in page
        key = re.search(r'name="idempotency_key" value="(\w+)"', page).group(1)
        response = kiosk.post(
            "/terminal/walk-in/", {"matter": matter.code, "green_channel": "", "idempotency_key": key}
        )
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/terminal/tickets/{ticket.id}/"
        # The same form sent twice gives the same ticket.
        kiosk.post("/terminal/walk-in/", {"matter": matter.code, "idempotency_key": key})
        assert Ticket.objects.count() == 1

        html = kiosk.get(response["Location"]).content.decode()
        assert 'id="ticket-number">A001<' in html
        # The rating code printed on it: with the number, it lets only the holder rate the service at the kiosk.
        assert len(ticket.rating_code) == 6 and ticket.rating_code.isdigit()
        assert f'id="ticket-rating-code">{ticket.rating_code}<' in html
        assert matter.name in html and "0 人" in html and "即将叫号" in html
        assert "css/ticket-print.css" in html and "data-autoprint" in html

    def test_it_shows_the_error_and_keeps_the_choice(self, kiosk, matter):
        response = kiosk.post("/terminal/walk-in/", {"matter": matter.code, "green_channel": "elderly"})
        assert response.status_code == 422
        html = response.content.decode()
        assert "刷身份证" in html and f'value="{matter.code}" required checked' in html
        assert not Ticket.objects.exists()

    def test_it_offers_a_late_arrival_the_walk_in_queue(self, kiosk, api, citizen, slot, matter):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id, minutes_from_now=-30)
        response = kiosk.post("/terminal/checkin/", {"code": code})
        html = response.content.decode()
        assert response.status_code == 200 and 'id="late-notice"' in html
        assert f'name="appointment_code" value="{code}"' in html
        taken = kiosk.post("/terminal/walk-in/", {"appointment_code": code, "green_channel": ""})
        ticket = Ticket.objects.get()
        assert taken["Location"] == f"/terminal/tickets/{ticket.id}/"
        assert (ticket.citizen, ticket.matter) == (citizen, matter)

    def test_it_carries_the_appointment_code_never_the_id_number_of_a_late_id_card(
        self, kiosk, api, citizen, slot, matter
    ):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        shift_slot_to_now(slot.id, minutes_from_now=-30)
        html = kiosk.post("/terminal/checkin/", {"code": citizen.id_number}).content.decode()
        assert 'id="late-notice"' in html and f'name="appointment_code" value="{code}"' in html
        assert citizen.id_number not in html
        kiosk.post("/terminal/walk-in/", {"appointment_code": code, "green_channel": ""})
        assert Ticket.objects.get().citizen == citizen

    def test_it_shows_a_ticket_only_to_a_kiosk_of_its_hall(self, client, kiosk, matter, terminal, other_hall):
        from apps.front.floor.models import Terminal

        ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code)
        assert kiosk.get(f"/terminal/tickets/{ticket.id}/").status_code == 200
        Terminal.objects.create(
            hall=other_hall, name="永顺取号机", token_sha256=__import__("hashlib").sha256(b"ys-token").hexdigest()
        )
        client.post("/terminal/", {"token": "ys-token"})
        assert client.get(f"/terminal/tickets/{ticket.id}/").status_code == 404

    def test_it_sends_an_unactivated_kiosk_to_activation(self, client, matter):
        assert client.get("/terminal/walk-in/")["Location"] == "/terminal/"


@pytest.mark.django_db
class TestWorkbenchPage:
    def test_it_calls_and_acts_through_the_buttons(self, client, clerk, matter, terminal):
        for _ in range(2):
            ticket_walk_in(terminal=terminal, matter_code=matter.code)
        client.force_login(clerk)
        response = client.post("/workbench/", follow=True)
        html = response.content.decode()
        assert "已叫号：请 A001 号到 1 号窗口办理。" in html
        ticket = Ticket.objects.get(number=1)
        for action in ("start", "recall", "missed", "park"):
            assert f"/workbench/tickets/{ticket.id}/actions/{action}/" in html
        # No other group in this hall to transfer to; nothing to finish before the service starts.
        assert "actions/transfer/" not in html and "actions/finish/" not in html
        assert "已重呼 0/2 次" in html and "等候队列（1）" in html

        html = client.post(f"/workbench/tickets/{ticket.id}/actions/start/", follow=True).content.decode()
        assert "A001 开始办理。" in html and f"/workbench/tickets/{ticket.id}/actions/finish/" in html
        client.post(f"/workbench/tickets/{ticket.id}/actions/finish/")
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.DONE

    def test_it_disables_recall_at_the_limit(self, client, clerk, matter, terminal, settings):
        settings.HALL_MAX_RECALLS = 1
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        client.force_login(clerk)
        client.post("/workbench/")
        ticket = Ticket.objects.get()
        client.post(f"/workbench/tickets/{ticket.id}/actions/recall/")
        html = client.get("/workbench/").content.decode()
        assert "已达重呼上限，请标记过号。" in html and re.search(r'<button type="submit" disabled', html)
        html = client.post(f"/workbench/tickets/{ticket.id}/actions/recall/", follow=True).content.decode()
        assert "请标记过号" in html

    def test_it_transfers_from_the_page(self, client, clerk, matter, terminal, group_b):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        client.force_login(clerk)
        client.post("/workbench/")
        ticket = Ticket.objects.get()
        assert f'<option value="{group_b.id}">B 社保医保</option>' in client.get("/workbench/").content.decode()
        client.post(f"/workbench/tickets/{ticket.id}/actions/transfer/", {"group": group_b.id})
        ticket.refresh_from_db()
        assert (ticket.group, ticket.status) == (group_b, TicketStatus.WAITING)

    def test_it_answers_404_for_an_unknown_action(self, client, clerk, matter, terminal):
        ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code)
        client.force_login(clerk)
        assert client.post(f"/workbench/tickets/{ticket.id}/actions/delete/").status_code == 404

    def test_it_refuses_a_citizen(self, client, citizen):
        client.force_login(citizen)
        assert client.get("/workbench/").status_code == 403
