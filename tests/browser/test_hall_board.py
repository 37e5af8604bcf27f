"""The hall's display board shows a new call without reloading and reads it aloud once; at 1920×1080 the
newest call fills the width and everything fits the screen; it speaks without a tap where the browser allows
sound to start by itself (the kiosk flag), and offers the button only where it does not."""

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
    page.set_viewport_size({"width": 1920, "height": 1080})
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


# How the browser's autoplay policy shows to the page: a new AudioContext starts "running" only where sound may
# start without a gesture (chromium --autoplay-policy=no-user-gesture-required).
AUDIO_POLICY = """
window.AudioContext = function () { return { state: "%s", close: function () {} }; };
"""


@pytest.mark.parametrize("state, button", [("running", False), ("suspended", True)])
def test_it_speaks_without_a_tap_where_the_browser_allows(
    page, live_server, hall, matter, terminal, clerk, state, button
):
    page.add_init_script(SPEECH_SPY + AUDIO_POLICY % state)
    page.goto(f"{live_server.url}/board/{hall.code}/")
    voice = page.locator("#voice-toggle")
    expect(voice).to_be_visible() if button else expect(voice).to_be_hidden()
    ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_call_next(clerk=clerk)
    wait_until(page, "window.__spoken.length === 1", timeout=6)  # queued at once; the browser plays it if allowed


def test_the_newest_call_fills_the_width_of_a_1920_screen(page, live_server, hall, matter, terminal, clerk):
    from apps.front.booking.models import StaffPost, Window
    from tests.factories import make_user

    page.set_viewport_size({"width": 1920, "height": 1080})
    group = hall.groups.get()
    for number in (2, 3, 4):
        window = Window.objects.create(hall=hall, group=group, number=number)
        StaffPost.objects.create(user=make_user(f"clerk{number}", "clerk"), hall=hall, window=window)
    for _ in range(12):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    for user in [clerk, *(post.user for post in StaffPost.objects.exclude(user=clerk))]:
        ticket_call_next(clerk=user)
    page.goto(f"{live_server.url}/board/{hall.code}/")
    now = page.locator("#now-call")
    expect(now.locator(".now-label")).to_have_text("A004")
    expect(now).to_contain_text("请到 4 号窗口")
    box = now.bounding_box()
    assert box["width"] >= 0.9 * 1920
    label = now.locator(".now-label")
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.now-label')).fontSize)") >= 300
    # Number and window span most of the line: read from across the hall, not a small row in a table.
    window_box = now.locator(".now-window").bounding_box()
    assert window_box["x"] + window_box["width"] - label.bounding_box()["x"] >= 0.8 * 1920
    # The whole board on one screen: no scrolling on a wall display.
    assert page.evaluate("document.documentElement.scrollHeight <= document.documentElement.clientHeight")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path="/tmp/hall-board-1920.png")
