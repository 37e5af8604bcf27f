"""A company's agent applies for the company, in a real browser (issue 15): the legal representative authorises
a 经办人 on the company's page; the agent books 食品经营许可 in the company's name; at the hall the kiosk checks
the appointment in, the clerk sees who acts for the company, accepts; the case is the company's, the agent
recorded beside it, and the agent follows it."""

import pytest
from playwright.sync_api import expect

from apps.front.intake.models import Case, CaseStatus
from apps.front.mandates.models import Mandate
from tests.factories import PASSWORD
from tests.front.mandates.conftest import CREDIT_CODE, make_company
from tests.journey_helpers import PDF, shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_companys_agent_books_and_is_received_for_the_company(
    browser, live_server, representative, agent, hall, company_matter, terminal, clerk, central_peer, tmp_path
):
    company = make_company(representative)
    slot = make_slot(hall, hour=9, capacity=2)

    # The legal representative authorises the agent for 食品经营许可.
    rep = browser.new_context(locale="zh-CN").new_page()
    login(rep, live_server, representative.username, PASSWORD)
    rep.goto(f"{live_server.url}/companies/")
    rep.get_by_role("link", name="北京云窗科技有限公司").click()
    rep.get_by_label("经办人姓名").fill(agent.real_name)
    rep.get_by_label("经办人身份证号码").fill(agent.id_number)
    rep.get_by_label("或者授权以下事项（可多选）").select_option(company_matter.code)
    rep.get_by_role("button", name="授权", exact=True).click()
    expect(rep.get_by_text("已授权经办人，即时生效。")).to_be_visible()
    assert Mandate.objects.get().matter_codes == [company_matter.code]

    # The agent books in the company's name.
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, agent.username, PASSWORD)
    page.goto(f"{live_server.url}/acting/")
    page.get_by_role("link", name="北京云窗科技有限公司").click()
    page.get_by_role("link", name="食品经营许可").click()
    page.locator(f'input[name="slot"][value="{slot.id}"]').check()
    page.get_by_role("button", name="确认预约").click()
    expect(page.get_by_text("已为北京云窗科技有限公司预约成功")).to_be_visible()
    code = page.locator("#principal-appointments td").first.inner_text().strip()
    assert code and code in page.content()

    # At the hall: check-in by code, the clerk calls and sees who acts for the company.
    shift_slot_to_now(slot.id)
    kiosk = browser.new_context(locale="zh-CN").new_page()
    kiosk.goto(f"{live_server.url}/terminal/")
    kiosk.get_by_label("设备令牌").fill(TERMINAL_TOKEN)
    kiosk.get_by_role("button", name="激活").click()
    kiosk.get_by_label("请输入预约码、扫描预约二维码或刷身份证").fill(code)
    kiosk.get_by_label("请输入预约码、扫描预约二维码或刷身份证").press("Enter")
    expect(kiosk.get_by_text("A001")).to_be_visible()

    window = browser.new_context(locale="zh-CN").new_page()
    login(window, live_server, clerk.username, PASSWORD)
    window.goto(f"{live_server.url}/workbench/")
    window.get_by_role("button", name="叫下一位").click()
    window.get_by_role("link", name="受理材料").click()
    expect(window.get_by_text("北京云窗科技有限公司")).to_be_visible()
    expect(window.locator("#ticket-agent")).to_contain_text("张丽")
    scan = tmp_path / "营业执照.pdf"
    scan.write_bytes(PDF)
    window.get_by_label("居民身份证").set_input_files(str(scan))
    window.get_by_role("radio", name="受理", exact=True).check()
    window.get_by_role("button", name="受理并转交审批").click()
    expect(window.locator("#outcome")).to_have_text("已受理")
    number = window.locator("#case-number").inner_text()

    case = Case.objects.get(number=number)
    assert (case.citizen, case.agent, case.status) == (company.account, agent, CaseStatus.ACCEPTED)
    assert case.citizen.id_number == CREDIT_CODE

    # The agent follows the company's case.
    page.goto(f"{live_server.url}/acting/{company.account_id}/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#case-status")).to_contain_text("已受理")
