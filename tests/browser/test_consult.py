"""A citizen asks a question, a clerk takes and answers it, the citizen reads the reply and rates it,
in a real browser (two sessions side by side)."""

import re

import pytest
from playwright.sync_api import expect

from apps.front.consult.models import ConsultTicket, TicketAction, TicketStatus
from apps.front.notifications.models import Notification
from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_answers_a_question_and_the_citizen_sees_the_reply(browser, live_server, citizen, clerk, hall, matter):
    citizen_page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    login(citizen_page, live_server, citizen.username, PASSWORD)
    citizen_page.get_by_role("link", name="我的咨询").click()
    citizen_page.get_by_role("link", name="我要咨询").click()
    citizen_page.get_by_label("咨询的事项").select_option(label=matter.name)
    citizen_page.get_by_role("button", name="下一步").click()
    expect(citizen_page.locator("#ask-matter")).to_have_text(matter.name)
    citizen_page.get_by_label("标题").fill("社保卡丢了怎么补办")
    citizen_page.get_by_label("问题内容").fill("社保卡丢了，补办要带哪些材料？")
    citizen_page.get_by_role("button", name="提交").click()
    expect(citizen_page.get_by_text(re.compile(r"已提交，工单编号 ZX"))).to_be_visible()
    expect(citizen_page.locator("#ticket-status")).to_have_text("待受理")
    ticket = ConsultTicket.objects.get()

    clerk_page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    login(clerk_page, live_server, clerk.username, PASSWORD)
    clerk_page.get_by_role("link", name="咨询工单").click()
    expect(clerk_page.get_by_role("heading", name="待受理（1）")).to_be_visible()
    # Staff screens show the asker masked.
    expect(clerk_page.get_by_role("cell", name="王**")).to_be_visible()
    clerk_page.get_by_role("link", name=ticket.code).click()
    clerk_page.get_by_role("button", name="受理（首问负责）").click()
    expect(clerk_page.get_by_text("已受理，您是本工单的首问责任人。")).to_be_visible()
    clerk_page.get_by_label("答复市民").fill("请携带居民身份证原件到社保窗口办理挂失补办，当场可取。")
    clerk_page.get_by_role("button", name="发送答复").click()
    expect(clerk_page.get_by_text("答复已发送，市民会收到通知。")).to_be_visible()
    expect(clerk_page.locator("#ticket-status")).to_contain_text("已答复")
    clerk_page.screenshot(path="/tmp/consult-desk.png", full_page=True)

    citizen_page.reload()
    expect(citizen_page.locator("#ticket-status")).to_have_text("已答复")
    expect(citizen_page.get_by_text("请携带居民身份证原件到社保窗口办理挂失补办，当场可取。")).to_be_visible()
    citizen_page.get_by_label("满意", exact=True).check()
    citizen_page.get_by_role("button", name="提交评价").click()
    expect(citizen_page.get_by_text("感谢您的评价！")).to_be_visible()
    expect(citizen_page.locator("#ticket-status")).to_have_text("已办结")
    citizen_page.screenshot(path="/tmp/consult-citizen.png", full_page=True)

    ticket.refresh_from_db()
    assert ticket.owner == clerk and ticket.status == TicketStatus.CLOSED and ticket.rating == 2
    assert list(ticket.events.values_list("action", flat=True)) == [
        TicketAction.CREATE,
        TicketAction.CLAIM,
        TicketAction.REPLY,
        TicketAction.RATE,
        TicketAction.CLOSE,
    ]
    assert Notification.objects.filter(recipient=citizen, event="consult.answered", channel="inbox").count() == 1
