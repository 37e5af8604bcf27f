"""Notification settings in a real browser: from 我的, a citizen turns SMS off and chooses English; the
next message comes to the inbox and by e-mail only, in English."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from apps.front.notifications.models import Channel, NotificationPreference
from apps.front.notifications.services import notify
from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_chooses_channels_and_language(browser, live_server, citizen):
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, citizen.username, PASSWORD)
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="消息通知设置（短信、邮件、语言）").click()
    expect(page.get_by_role("heading", name="消息通知设置")).to_be_visible()
    # The inbox cannot be turned off; contacts are shown masked.
    expect(page.get_by_label("站内信（始终开启，所有消息都可在此查看）")).to_be_disabled()
    expect(page.get_by_text("138****1111")).to_be_visible()
    page.get_by_label("短信").uncheck()
    page.get_by_label("English").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("通知设置已保存。")).to_be_visible()
    expect(page.get_by_label("短信")).not_to_be_checked()

    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.sms, preference.email, preference.language) == (False, True, "en")
    with transaction.atomic():
        rows = notify(
            recipient=citizen,
            event="booking.confirmed",
            context={
                "code": "K8M2",
                "matter": "居民身份证换领",
                "hall": "副中心大厅",
                "address": "运河东大街",
                "time": "12月2日 09:00",
            },
        )
    assert sorted(n.channel for n in rows) == [Channel.EMAIL, Channel.INBOX]
    page.reload()
    expect(page.get_by_role("cell", name="Appointment confirmed").first).to_be_visible()
