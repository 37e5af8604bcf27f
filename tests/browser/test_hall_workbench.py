"""A clerk calls, recalls, serves and finishes from the workbench, in a real browser; the waiting queue
updates live, as the board does; 过号 asks first."""

import pytest
from playwright.sync_api import expect

from apps.front.floor.models import Ticket, TicketAction, TicketStatus
from apps.front.floor.services import ticket_walk_in
from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_calls_and_serves_from_the_workbench(page, live_server, hall, matter, terminal, clerk):
    first = ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_walk_in(terminal=terminal, matter_code=matter.code, green_channel="military")
    login(page, live_server, clerk.username, PASSWORD)
    page.get_by_role("link", name="窗口工作台").click()
    expect(page.get_by_role("heading", name="等候队列（2）")).to_be_visible()

    page.get_by_role("button", name="叫下一位").click()
    # The green channel goes first.
    expect(page.get_by_text("已叫号：请 A002 号到 1 号窗口办理。")).to_be_visible()
    current = page.locator("article.current-ticket")
    expect(current.locator(".current-label")).to_have_text("A002")
    page.screenshot(path="/tmp/hall-workbench-called.png", full_page=True)
    for _ in range(2):
        current.get_by_role("button", name="重呼").click()
    expect(page.get_by_text("已达重呼上限，请标记过号。")).to_be_visible()
    expect(current.get_by_role("button", name="重呼")).to_be_disabled()
    # 过号 is not a button beside 叫下一位 that one slip presses: it asks first.
    current.get_by_text("过号…").click()
    expect(current.get_by_text("确认 A002 未到窗口、标记过号？过号后需重新取号。")).to_be_visible()
    assert Ticket.objects.get(number=2).status == TicketStatus.CALLED
    current.get_by_role("button", name="确认过号").click()
    expect(page.get_by_text("A002 已标记过号。")).to_be_visible()

    page.get_by_role("button", name="叫下一位").click()
    expect(current.locator(".current-label")).to_have_text("A001")
    current.get_by_role("button", name="开始办理").click()
    expect(current).to_contain_text("办理中")
    page.screenshot(path="/tmp/hall-workbench.png", full_page=True)
    current.get_by_role("button", name="办结").click()
    expect(page.get_by_text("A001 已办结。")).to_be_visible()
    expect(page.locator("#no-current")).to_be_visible()

    first.refresh_from_db()
    assert first.status == TicketStatus.DONE
    assert list(first.events.values_list("action", flat=True)) == [
        TicketAction.ISSUE,
        TicketAction.CALL,
        TicketAction.START,
        TicketAction.FINISH,
    ]
    assert Ticket.objects.get(number=2).status == TicketStatus.MISSED


def test_the_waiting_queue_updates_live(page, live_server, hall, matter, terminal, clerk):
    page.set_viewport_size({"width": 1920, "height": 1080})
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    login(page, live_server, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/workbench/")
    expect(page.get_by_role("heading", name="等候队列（1）")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    # The primary action on the page is 叫下一位; the next step of a called ticket, 受理材料, is primary too.
    assert "primary" in page.locator("#call-next").get_attribute("class")

    second = ticket_walk_in(terminal=terminal, matter_code=matter.code, green_channel="military")
    expect(page.get_by_role("heading", name="等候队列（2）")).to_be_visible(timeout=6000)
    expect(page.locator(f"#queue-live tr[data-ticket='{second.label}']")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # no reload
    # The queue sits beside the current ticket on a wide screen.
    main, queue = page.locator(".bench-main").bounding_box(), page.locator("#queue-live").bounding_box()
    assert queue["x"] >= main["x"] + main["width"] and queue["y"] < main["y"] + 200

    page.get_by_role("button", name="叫下一位").click()
    link = page.locator("article.current-ticket").get_by_role("link", name="受理材料")
    expect(link).to_have_class("button-link next-step-link")
    page.screenshot(path="/tmp/hall-workbench-wide.png")
