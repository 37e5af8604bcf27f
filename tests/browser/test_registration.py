"""Real-name registration in a real browser (issue 12, blocker 1): the form, the SMS code typed back, and
central's population registry asked for real (a live central over the signed wire)."""

import pytest
from playwright.sync_api import expect

from apps.shared.accounts.models import User
from tests.front.accounts.conftest import last_code
from tests.registry_central import PEOPLE, registry, registry_central  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_registers_with_the_sms_code(page, live_server, registry):  # noqa: F811 - the fixture
    person = PEOPLE[5]
    page.goto(f"{live_server.url}/register/")
    page.get_by_label("用户名").fill("browser_citizen")
    page.get_by_label("真实姓名").fill(person.name)
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("手机号码").fill("13812340000")
    page.get_by_label("密码", exact=True).fill("Tongzhou-2026!")
    page.get_by_label("我同意将本人的姓名和公民身份号码").check()
    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", name="短信验证")).to_be_visible()
    expect(page.get_by_text("138****0000")).to_be_visible()
    assert not User.objects.get(username="browser_citizen").is_active

    code = last_code("13812340000")
    page.get_by_label("短信验证码").fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_role("button", name="完成注册").click()
    expect(page.get_by_role("alert")).to_contain_text("验证码错误")

    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="完成注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()
    expect(page.get_by_role("link", name="我的办事")).to_be_visible()
    assert User.objects.get(username="browser_citizen").is_real_name_verified
    assert registry.queries()[-1][2] is True
