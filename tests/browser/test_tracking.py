"""In a real browser, without an account: a citizen looks a case up by its number and query password
and sees the plain-language status, the promised date and the timeline."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import expect

from apps.front.intake.models import Case, CaseEvent, CaseStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_looks_up_a_case_by_number_and_password(browser, live_server, citizen, hall, matter, clerk):
    case = Case.objects.create(
        number="TZ2026120100042",
        query_password_hash=make_password("135790"),
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.CORRECTION,
        accepted_at=timezone.now(),
        promised_date=dt.date(2026, 12, 18),
    )
    for from_status, to_status in [
        ("", "received"),
        ("received", "accepted"),
        ("accepted", "in_review"),
        ("in_review", "correction"),
    ]:
        CaseEvent.objects.create(
            case=case, from_status=from_status, to_status=to_status, actor_label="审批总后台", note="补充户口簿首页"
        )

    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="办件查询").click()
    page.get_by_label("办件编号").fill(case.number.lower())
    page.get_by_label("查询密码").fill("000000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#track-error")).to_have_text("办件编号或查询密码不正确。")
    expect(page.locator("#track-result")).to_have_count(0)

    page.get_by_label("查询密码").fill("135790")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#case-status")).to_have_text("待补正")
    expect(page.locator("#case-sentence")).to_have_text("需要您补正材料，审批时限暂停计算。")
    expect(page.get_by_text("下一步：请在期限内上传补正材料。")).to_be_visible()
    expect(page.locator("#promised-date")).to_have_text("2026年12月18日")
    steps = page.locator("#timeline li")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("已收件")
    expect(steps.nth(3)).to_contain_text("待补正")
    # Masked name only; no staff notes, no ID number.
    expect(page.get_by_text("王**")).to_be_visible()
    assert "补充户口簿首页" not in page.content() and citizen.id_number not in page.content()
    # Nothing identifying in the address bar or history: the answer is the page of a POST.
    assert page.url == f"{live_server.url}/track/"
