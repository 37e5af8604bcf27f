"""Central's case page (issue 17): statuses in words, one action panel at a time for the current step (the
radios choose; only what applies now is offered), "delivery chosen" only when the applicant chose; and in a
real browser at 1920×1080, in both languages, with axe-core finding nothing critical or serious."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import expect

from apps.central.review import services
from apps.central.review.models import ReviewCase
from apps.shared.accounts.models import Role
from tests.browser.axe import axe_violations, screenshot, scrolls_sideways
from tests.browser_setup import login
from tests.central.reviewing import to_decision_by_services
from tests.central.test_delivery_wire import NUMBER, chosen
from tests.central.test_review import package, send
from tests.factories import PASSWORD, make_user

MONDAY_MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _language_restored_and_time_frozen():
    with translation.override(settings.LANGUAGE_CODE), time_machine.travel(MONDAY_MORNING, tick=True):
        yield


@pytest.fixture
def received(platform, matter):
    send(Client(), *package(matter))
    return ReviewCase.objects.get()


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def panels(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="(?:supervisor-)?panel" value="([\w-]+)"', html)


def checked(html: str) -> list[str]:
    return re.findall(r'name="(?:supervisor-)?panel" value="([\w-]+)" id="panel-[\w-]+" checked', html)


@pytest.mark.django_db
class TestThePage:
    def test_unclaimed_it_offers_only_the_claim(self, approver, received):
        html = page(approver).get(f"/cases/{received.id}/").content.decode()
        assert 'id="claim"' in html and panels(html) == []
        assert "退回待认领" not in html and 'id="decide"' not in html

    def test_the_current_step_first_and_nothing_that_no_longer_applies(self, approver, received):
        client = page(approver)
        services.case_claim(approver=approver, case_id=received.id)
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert panels(html) == ["pass", "correction", "special", "extend"] and checked(html) == ["pass"]
        assert "通过，转下一环节" in html and "退回上一环节" not in html  # nothing before the first step
        assert 'id="decide"' not in html and 'id="claim"' not in html
        to_decision_by_services(approver, received.id, claim=False)
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert panels(html)[0] == "decide" and checked(html) == ["decide"]
        assert "通过，转下一环节" not in html and "退回上一环节" in html  # the last step: back only
        services.case_decide(approver=approver, case_id=received.id, decision="approved", reason="")
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert panels(html) == ["result"] and 'id="issue-result"' in html and "要求补正" not in html
        services.case_issue_result(approver=approver, case_id=received.id)
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert panels(html) == [] and 'id="issue-result"' not in html and "退回待认领" not in html

    def test_statuses_read_in_words(self, approver, received):
        services.case_claim(approver=approver, case_id=received.id)
        services.case_request_correction(
            approver=approver, case_id=received.id, items=["身份证复印件"], deadline=dt.date(2026, 3, 9)
        )
        html = page(approver).get(f"/cases/{received.id}/").content.decode()
        timeline = html[html.index('<ol class="timeline">') :]
        timeline = timeline[: timeline.index("</ol>")]
        assert "审查中" in timeline and "待补正" in timeline
        assert not re.search(r"\b(in_review|correction|special_procedure)\b", re.sub(r"<[^>]+>", " ", timeline))

    def test_delivery_chosen_only_when_the_applicant_chose(self, approver, received):
        client = page(approver)
        html = client.get(f"/cases/{received.id}/").content.decode()
        method = html[html.index('id="delivery-method"') :]
        assert method.split("</dd>")[0].endswith("申请人尚未选择（默认可下载电子证照）")
        assert chosen(Client(), "electronic").status_code == 200  # the default, chosen: now it was chosen
        received.refresh_from_db()
        assert received.delivery_chosen
        html = client.get(f"/cases/{received.id}/").content.decode()
        assert "电子证照下载" in html[html.index('id="delivery-method"') :].split("</dd>")[0]

    def test_a_choice_made_with_the_case_is_chosen(self, platform, matter, approver):
        message_id, body = package(matter)
        body = body.replace(
            b'"promised_date"',
            b'"delivery_method": "post", "delivery_region": "\xe9\x80\x9a\xe5\xb7\x9e", "promised_date"',
        )
        assert send(Client(), message_id, body).status_code == 200
        case = ReviewCase.objects.get(front_number=NUMBER)
        assert case.delivery_chosen and case.delivery_method == "post"

    def test_the_supervisors_panels(self, approver, received, department):
        supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
        html = page(supervisor).get(f"/cases/{received.id}/").content.decode()
        assert panels(html) == ["assign", "take-over", "transfer", "void"]
        assert len(checked(html)) == 1
        services.case_void(supervisor=supervisor, case_id=received.id, reason="重复报送")
        html = page(supervisor).get(f"/cases/{received.id}/").content.decode()
        assert 'id="supervisor-actions"' not in html  # a finished case: nothing left to do


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_one_panel_at_a_time_in_a_browser_with_axe(browser, live_server, platform, matter, approver):
    send(Client(), *package(matter))
    case = ReviewCase.objects.get()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    approver_page = context.new_page()
    login(approver_page, live_server, approver.username, PASSWORD)
    approver_page.goto(f"{live_server.url}/cases/{case.id}/")
    approver_page.get_by_role("button", name="认领本件").click()
    expect(approver_page.locator("#assignee")).to_contain_text("钱审批")
    for language, correction in (
        (settings.LANGUAGE_CODE, "要求补正（计时暂停）"),
        ("en", "Ask for corrections (clock paused)"),
    ):
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        approver_page.goto(f"{live_server.url}/cases/{case.id}/")
        # The current step's panel only; the others one click away, no script needed.
        expect(approver_page.locator(".panel-pass")).to_be_visible()
        expect(approver_page.locator(".panel-correction")).to_be_hidden()
        approver_page.locator("label.choice", has_text=correction).click()
        expect(approver_page.get_by_label(correction)).to_be_checked()
        expect(approver_page.locator(".panel-correction")).to_be_visible()
        expect(approver_page.locator(".panel-pass")).to_be_hidden()
        assert axe_violations(approver_page) == [], language
        assert scrolls_sideways(approver_page) == []
        screenshot(approver_page, "1920x1080", f"central-case-{language}")
    # A material's PDF viewer opens on demand (a viewer still starting must not sit under the next click).
    assert approver_page.locator("iframe").count() == 0
    preview = approver_page.get_by_role("button", name="Preview")
    expect(preview).to_have_attribute("aria-expanded", "false")
    preview.click()
    viewer = approver_page.locator(f"#{preview.get_attribute('aria-controls')} iframe")
    expect(viewer).to_have_attribute("src", re.compile(rf"/cases/{case.id}/materials/\d+/$"))
    expect(approver_page.get_by_role("button", name="Hide preview")).to_have_attribute("aria-expanded", "true")
    context.close()
