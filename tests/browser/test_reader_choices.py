"""The reader's choices, in a real browser (issue 17): the language switch on every page, remembered, and the
kiosk's big 中文/English toggle; 关怀模式 one tap away, remembered, with text sized from the browser's own
setting; reading a kiosk page aloud."""

import pytest
from playwright.sync_api import expect

from tests.browser_setup import wait_until
from tests.personas_front import TERMINAL_TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_switches_the_language_and_remembers_it(page, live_server, matter):
    page.goto(f"{live_server.url}/find/?q=%E4%BF%9D%E9%9A%9C")
    expect(page.get_by_role("link", name="找事项")).to_be_visible()
    page.get_by_role("button", name="English").click()
    # Back on the same page (its query kept), now in English; and so on the next page.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/find/?q=%E4%BF%9D%E9%9A%9C")
    expect(page.get_by_role("link", name="Find a service")).to_be_visible()
    page.goto(f"{live_server.url}/track/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("link", name="办件查询")).to_be_visible()


def test_the_kiosk_has_a_big_language_toggle(page, live_server, terminal):
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(f"{live_server.url}/terminal/")
    page.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    page.get_by_role("button", name="激活").click()
    chinese = page.get_by_role("button", name="中文")
    english = page.get_by_role("button", name="English")
    expect(chinese).to_have_attribute("aria-pressed", "true")
    box = english.bounding_box()
    assert box["height"] >= 60 and box["width"] >= 120  # a touch target, not a link in small print
    english.click()
    expect(page.get_by_role("link", name="Walk-in ticket")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")


def _font_px(page, selector: str) -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)")


def test_care_mode_is_one_tap_away_and_remembered(page, live_server, matter):
    page.goto(f"{live_server.url}/matters/{matter.code}/")
    assert _font_px(page, "body") == 16
    page.get_by_role("button", name="关怀模式（大字）").click()
    expect(page.locator("html")).to_have_class("care")
    assert page.url.endswith(f"/matters/{matter.code}/")
    assert _font_px(page, "body") == 22 and _font_px(page, "h1") > 30
    page.goto(f"{live_server.url}/track/")
    expect(page.locator("html")).to_have_class("care")
    page.get_by_role("button", name="退出关怀模式").click()
    expect(page.locator("html")).not_to_have_class("care")


def test_text_follows_the_browsers_font_setting(page, live_server, matter):
    # A reader who set a larger default font in the browser gets larger text (rem, not px), in both modes.
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 20}})
    page.goto(f"{live_server.url}/matters/{matter.code}/")
    assert _font_px(page, "body") == 20
    page.get_by_role("button", name="关怀模式（大字）").click()
    assert _font_px(page, "body") == 27.5


SPEECH_SPY = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: function (u) { window.__spoken.push(u.lang + "|" + u.text); }, cancel: function () {}, getVoices: function () { return []; } },
});
"""


def test_the_kiosk_reads_the_page_aloud(page, live_server, terminal):
    page.add_init_script(SPEECH_SPY)
    page.goto(f"{live_server.url}/terminal/")
    page.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    page.get_by_role("button", name="激活").click()
    page.get_by_role("button", name="朗读本页").click()
    wait_until(page, "window.__spoken.length === 1")
    spoken = page.evaluate("window.__spoken[0]")
    assert spoken.startswith("zh-CN|") and terminal.hall.name in spoken and "现场取号" in spoken
    expect(page.get_by_role("button", name="停止朗读")).to_be_visible()
