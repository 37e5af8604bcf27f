"""The clerk's workbench page (issue 17): the waiting queue reloads alone (htmx, every two seconds, as the
board does), 过号 asks before it acts, and 受理材料 is the ticket's primary next step."""

from __future__ import annotations

import pytest

from apps.front.floor.services import ticket_call_next, ticket_walk_in
from apps.shared.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_queue_alone_lists_the_waiting_tickets(client, clerk, terminal, matter, django_assert_max_num_queries):
    first = ticket_walk_in(terminal=terminal, matter_code=matter.code)
    client.force_login(clerk)
    with django_assert_max_num_queries(12):
        part = client.get("/workbench/queue/").content.decode()
    assert "<html" not in part and "等候队列（1）" in part and f'data-ticket="{first.label}"' in part
    for _ in range(5):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    with django_assert_max_num_queries(12):  # as many queries for six tickets as for one
        part = client.get("/workbench/queue/").content.decode()
    assert "等候队列（6）" in part and part.count("data-ticket=") == 6

    page = client.get("/workbench/").content.decode()
    assert 'hx-get="/workbench/queue/" hx-trigger="every 2s"' in page


def test_the_queue_answers_a_status_htmx_leaves_alone_to_others(client, citizen, hall):
    # A background poll never swaps a login page (or another role's error page) into the table.
    assert client.get("/workbench/queue/").status_code == 401
    client.force_login(citizen)
    assert client.get("/workbench/queue/").status_code == 403
    supervisor = make_user("sup", Role.HALL_SUPERVISOR)
    client.force_login(supervisor)
    assert client.get("/workbench/queue/").status_code == 204  # no window to queue for


def test_missed_asks_first_and_the_intake_is_the_primary_next_step(client, clerk, terminal, matter):
    ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_call_next(clerk=clerk)
    client.force_login(clerk)
    page = client.get("/workbench/").content.decode()
    assert '<summary class="danger">过号…</summary>' in page
    assert f'action="/workbench/tickets/{ticket.id}/actions/missed/"' in page and "确认过号" in page
    assert f'<a class="button-link next-step-link" href="/workbench/tickets/{ticket.id}/">受理材料</a>' in page
    assert 'class="primary call-next"' in page
