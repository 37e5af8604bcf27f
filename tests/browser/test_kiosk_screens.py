"""The kiosk on its portrait touch screen (issue 17): walk-in in two steps (group, then matter) with the
choice beside 取号; the guide browsed the same way; a failed check-in keeps the code for correction and
the clear key empties it; every screen goes back to the start after the idle time, clearing what was typed
and the last person's language."""

import pytest
from playwright.sync_api import expect

from apps.front.booking.models import GroupMatter, WindowGroup
from apps.front.floor.models import Ticket
from tests.factories import make_matter
from tests.personas_front import TERMINAL_TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def activate(page, live_server) -> None:
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(f"{live_server.url}/terminal/")
    page.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    page.get_by_role("button", name="激活").click()


@pytest.fixture
def two_groups(hall, matter):
    group = WindowGroup.objects.create(hall=hall, letter="B", name="不动产登记")
    other = make_matter("M-002", name="不动产登记资料查询")
    GroupMatter.objects.create(group=group, matter_code=other.code)
    return other


def test_walk_in_chooses_a_group_then_a_matter_and_shows_it_by_the_button(
    page, live_server, hall, matter, terminal, two_groups
):
    page.add_init_script("window.print = function () {};")
    activate(page, live_server)
    page.get_by_role("link", name="现场取号").click()
    expect(page.get_by_role("heading", name="第1步：选择业务类别")).to_be_visible()
    page.get_by_role("link", name="B · 不动产登记").click()
    expect(page.get_by_role("group", name="第2步：选择办理事项（B · 不动产登记）")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(1 + 4)  # its one matter, and the green channel's four
    page.get_by_role("radio", name=two_groups.name).check()
    chosen = page.locator("#chosen-matter")
    expect(chosen).to_have_text(two_groups.name)
    button = page.get_by_role("button", name="取号", exact=True)
    # Beside the button, in view without scrolling on the portrait screen.
    assert abs(chosen.bounding_box()["y"] - button.bounding_box()["y"]) < 200 and button.bounding_box()["y"] < 1920
    button.click()
    expect(page.locator("#ticket-number")).to_have_text("B001")
    assert Ticket.objects.get().matter.code == two_groups.code
    page.screenshot(path="/tmp/kiosk-two-steps.png")


def test_the_guide_browses_by_group_and_leads_to_the_ticket(page, live_server, hall, matter, terminal, two_groups):
    activate(page, live_server)
    page.get_by_role("link", name="办事指南").click()
    page.get_by_role("link", name="A · 综合受理").click()
    page.get_by_role("link", name=matter.name).click()
    expect(page.locator("#guide-matter")).to_have_text(matter.name)
    expect(page.get_by_role("cell", name="居民身份证")).to_be_visible()
    page.get_by_role("link", name="办理此事项：现场取号").click()
    # The matter comes chosen.
    expect(page.get_by_role("radio", name=matter.name)).to_be_checked()
    expect(page.locator("#chosen-matter")).to_have_text(matter.name)


def test_a_failed_check_in_keeps_the_code_and_the_clear_key_empties_it(page, live_server, terminal):
    activate(page, live_server)
    pad = page.locator("[data-keypad-for=code]")
    for key in "ABCD2345":
        pad.locator(f"button[data-key='{key}']").click()
    page.get_by_role("button", name="签到取号").click()
    expect(page.locator("#kiosk-error")).to_be_visible()
    code = page.get_by_label("请输入预约码、扫描预约二维码或刷身份证")
    expect(code).to_have_value("ABCD2345")  # to correct, not to type again
    pad.locator("button[data-key='back']").click()
    expect(code).to_have_value("ABCD234")
    expect(pad.locator("button[data-key='clear']")).to_have_text("清除")
    pad.locator("button[data-key='clear']").click()
    expect(code).to_have_value("")


def test_the_kiosk_clears_itself_after_the_idle_time(page, live_server, matter, terminal, settings):
    settings.KIOSK_IDLE_SECONDS = 2
    activate(page, live_server)
    page.goto(f"{live_server.url}/terminal/walk-in/")
    page.get_by_role("button", name="English").click()
    page.locator("[data-keypad-for=id_number] button[data-key='1']").click()
    expect(page.locator("#id_number")).to_have_value("1")
    # Nobody touches the screen: back at the start, in Chinese, nothing typed, and "back" does not bring it back.
    expect(page).to_have_url(f"{live_server.url}/terminal/", timeout=6000)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#code")).to_have_value("")
    page.go_back()
    assert page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]):not([type=radio])')].every((f) => f.value === '')"
    )

    # A code typed on the start screen goes too; the start screen at rest stays as it is.
    page.goto(f"{live_server.url}/terminal/")
    page.evaluate("window.__same = true")
    page.wait_for_timeout(3000)
    assert page.evaluate("window.__same") is True
    with page.expect_navigation(timeout=6000):
        page.locator("[data-keypad-for=code] button[data-key='A']").click()
        expect(page.locator("#code")).to_have_value("A")
    assert page.evaluate("window.__same === undefined")
    expect(page.locator("#code")).to_have_value("")
