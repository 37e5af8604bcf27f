"""The reader's choices, in a real browser (issue 17): the language switch on every page, remembered, and the
kiosk's big 中文/English toggle."""

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_role("heading", name="Walk-in ticket")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
