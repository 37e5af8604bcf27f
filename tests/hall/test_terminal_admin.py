"""Registering a hall's devices in the admin: a kiosk or a window's rating tablet gets its device token once,
only its hash is kept, renewing it stops the old one, and a hall supervisor sees only their own hall."""

import hashlib
import re

import pytest
from django.test import Client

from apps.accounts.models import Role
from apps.booking.models import Hall, StaffPost, Window
from apps.hall.models import Terminal
from apps.hall.services import terminal_authenticate
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"设备令牌（仅显示这一次，请在设备上激活时输入）：([\w-]+)")


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈建国", is_staff=True)
    StaffPost.objects.create(user=user, hall=hall)
    return user


@pytest.fixture
def other_hall_window(db):
    other = Hall.objects.create(code="YS", name="永顺镇便民服务中心", address="永顺", case_prefix="YS")
    group = other.groups.create(letter="A", name="综合")
    return Window.objects.create(hall=other, group=group, number=1)


def test_a_supervisor_registers_a_window_tablet_and_sees_its_token_once(supervisor, hall, other_hall_window):
    admin = Client()
    admin.force_login(supervisor)
    window = hall.windows.get(number=1)
    form = admin.get("/admin/hall/terminal/add/").content.decode()
    assert f'<option value="{window.id}">' in form and f'<option value="{other_hall_window.id}">' not in form
    response = admin.post(
        "/admin/hall/terminal/add/", {"hall": hall.id, "name": "1号窗口评价器", "window": window.id, "active": "on"}, follow=True
    )
    token = TOKEN.search(response.content.decode()).group(1)
    device = Terminal.objects.get(name="1号窗口评价器")
    assert device.token_sha256 == hashlib.sha256(token.encode()).hexdigest() and token not in device.token_sha256
    assert terminal_authenticate(token) == device
    # The token is not shown again.
    assert token not in admin.get(f"/admin/hall/terminal/{device.id}/change/").content.decode()
    # The tablet activates with it (the activation page speaks English when asked).
    tablet = Client()
    assert "Activate the window rating tablet" in tablet.get("/rate/window/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert tablet.post("/rate/window/", {"token": token}).status_code == 302
    assert 'id="tablet-idle"' in tablet.get("/rate/window/").content.decode()

    # Renewed: the new token works, the old one no longer.
    renewed = admin.post(
        "/admin/hall/terminal/", {"action": "renew_tokens", "_selected_action": [device.id]}, follow=True
    ).content.decode()
    new_token = TOKEN.search(renewed).group(1)
    assert new_token != token and terminal_authenticate(new_token) == device and terminal_authenticate(token) is None
    assert 'name="token"' in tablet.get("/rate/window/").content.decode()  # the old activation is gone


def test_a_window_of_another_hall_is_refused(client, admin_user, hall, other_hall_window):
    client.force_login(admin_user)
    response = client.post(
        "/admin/hall/terminal/add/", {"hall": hall.id, "name": "错的评价器", "window": other_hall_window.id, "active": "on"}
    )
    assert response.status_code == 200 and "绑定的窗口不属于该大厅" in response.content.decode()
    assert not Terminal.objects.filter(name="错的评价器").exists()


def test_a_supervisor_does_not_see_another_hall_s_devices(supervisor, other_hall_window):
    other = Terminal.objects.create(hall=other_hall_window.hall, name="永顺取号机", token_sha256="1" * 64)
    admin = Client()
    admin.force_login(supervisor)
    assert "永顺取号机" not in admin.get("/admin/hall/terminal/").content.decode()
    assert admin.get(f"/admin/hall/terminal/{other.id}/change/").status_code == 302
