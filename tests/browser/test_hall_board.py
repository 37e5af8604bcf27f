"""The hall's display board shows a new call without reloading and reads it aloud once."""

import pytest
from playwright.sync_api import expect

from apps.front.floor.services import ticket_call_next, ticket_recall, ticket_walk_in
from tests.browser_setup import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Record what the board would say: headless chromium has no voices, and the test must hear each call once.
SPEECH_SPY = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: function (u) { window.__spoken.push(u.text + "|" + u.lang); }, cancel: function () {}, getVoices: function () { return []; } },
});
"""


def test_it_shows_a_new_call_live_and_announces_it_once(page, live_server, hall, matter, terminal, clerk):
    page.add_init_script(SPEECH_SPY)
    page.set_viewport_size({"width": 1600, "height": 900})
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    page.goto(f"{live_server.url}/board/{hall.code}/")
    expect(page.get_by_role("heading", name=hall.name)).to_be_visible()
    expect(page.locator(".board-current")).to_contain_text("暂无呼叫")
    expect(page.locator('[data-group="A"] strong')).to_have_text("2")
    page.evaluate("window.__sameDocument = true")

    ticket = ticket_call_next(clerk=clerk)
    row = page.locator(".board-current tr[data-window='1']")
    expect(row).to_contain_text(ticket.label, timeout=6000)
    expect(row).to_contain_text("1 号窗口")
    expect(page.locator('[data-group="A"] strong')).to_have_text("1")
    wait_until(page, "window.__spoken.length === 1", timeout=6)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    page.wait_for_timeout(4500)  # two more polls: the same call is not announced again
    assert page.evaluate("window.__spoken") == ["请 A001 号到 1 号窗口办理|zh-CN"]

    ticket_recall(clerk=clerk, ticket_id=ticket.id)  # a recall is a new call
    wait_until(page, "window.__spoken.length === 2", timeout=6)
    page.screenshot(path="/tmp/hall-board.png", full_page=True)


def test_it_does_not_repeat_old_calls_when_the_board_opens(page, live_server, hall, matter, terminal, clerk):
    page.add_init_script(SPEECH_SPY)
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_call_next(clerk=clerk)
    page.goto(f"{live_server.url}/board/{hall.code}/")
    expect(page.locator("#recent-calls")).to_contain_text("A001")
    page.wait_for_timeout(4500)
    assert page.evaluate("window.__spoken") == []
