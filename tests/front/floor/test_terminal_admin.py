"""Registering a hall's devices in the admin: a kiosk or a window's rating tablet gets its device token once,
only its hash is kept, renewing it stops the old one, and a hall supervisor sees only their own hall."""

import hashlib
import re

import pytest
from django.test import Client

from apps.front.booking.models import Hall, StaffPost, Window
from apps.front.floor.conf import floor_conf
from apps.front.floor.models import Terminal
from apps.front.floor.services import terminal_authenticate
from apps.shared.accounts.models import Role
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
        "/admin/hall/terminal/add/",
        {"hall": hall.id, "name": "1号窗口评价器", "window": window.id, "active": "on"},
        follow=True,
    )
    token = TOKEN.search(response.content.decode()).group(1)
    device = Terminal.objects.get(name="1号窗口评价器")
    assert device.token_sha256 == hashlib.sha256(token.encode()).hexdigest() and token not in device.token_sha256
    assert terminal_authenticate(token, tablet=True) == device
    # The token is not shown again.
    assert token not in admin.get(f"/admin/hall/terminal/{device.id}/change/").content.decode()
    # The tablet activates with it (the activation page speaks English when asked).
    tablet = Client()
    assert (
        "Activate the window rating tablet" in tablet.get("/rate/window/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert tablet.post("/rate/window/", {"token": token}).status_code == 302
    assert 'id="tablet-idle"' in tablet.get("/rate/window/").content.decode()

    # Renewed: the new token works, the old one no longer.
    renewed = admin.post(
        "/admin/hall/terminal/", {"action": "renew_tokens", "_selected_action": [device.id]}, follow=True
    ).content.decode()
    new_token = TOKEN.search(renewed).group(1)
    assert (
        new_token != token
        and terminal_authenticate(new_token, tablet=True) == device
        and terminal_authenticate(token, tablet=True) is None
    )
    assert 'name="token"' in tablet.get("/rate/window/").content.decode()  # the old activation is gone


def test_a_window_of_another_hall_is_refused(client, admin_user, hall, other_hall_window):
    client.force_login(admin_user)
    response = client.post(
        "/admin/hall/terminal/add/",
        {"hall": hall.id, "name": "错的评价器", "window": other_hall_window.id, "active": "on"},
    )
    assert response.status_code == 200 and "绑定的窗口不属于该大厅" in response.content.decode()
    assert not Terminal.objects.filter(name="错的评价器").exists()


def test_a_supervisor_does_not_see_another_hall_s_devices(supervisor, hall, other_hall_window):
    other = Terminal.objects.create(hall=other_hall_window.hall, name="永顺取号机", token_sha256="1" * 64)
    Terminal.objects.create(hall=hall, name="副中心取号机", token_sha256="2" * 64)
    admin = Client()
    admin.force_login(supervisor)
    listing = admin.get("/admin/hall/terminal/")
    assert (
        listing.status_code == 200
        and "副中心取号机" in listing.content.decode()
        and "永顺取号机" not in listing.content.decode()
    )
    refused = admin.get(f"/admin/hall/terminal/{other.id}/change/")
    assert (refused.status_code, refused.url) == (302, "/admin/")


def test_a_tablet_token_is_no_kiosk_and_a_kiosk_token_no_tablet(api, hall, matter, terminal, clerk):
    from tests.personas_front import TERMINAL_TOKEN

    Terminal.objects.create(
        hall=hall,
        name="1号窗口评价器",
        window=hall.windows.get(number=1),
        token_sha256=hashlib.sha256(b"tablet-1").hexdigest(),
    )
    # The tablet's token opens neither the kiosk pages nor the terminal API (walk-in tickets, check-in).
    device = Client()
    assert device.post("/terminal/", {"token": "tablet-1"}).status_code == 400
    refused = api(None).post(
        "/api/v1/terminal/walk-in/", {"matter": matter.code}, format="json", HTTP_AUTHORIZATION="Terminal tablet-1"
    )
    assert refused.status_code == 401
    issued = api(None).post(
        "/api/v1/terminal/walk-in/",
        {"matter": matter.code},
        format="json",
        HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}",
    )
    # The kiosk's answer carries the rating code it prints; the clerk's views of the ticket do not.
    assert issued.status_code == 201 and len(issued.json()["rating_code"]) == 6
    called = api(clerk).post("/api/v1/workbench/call-next/")
    assert called.json()["label"] == issued.json()["label"] and "rating_code" not in called.json()
    # Activated devices stay activated beyond a staff session's eight hours.
    assert device.post("/rate/window/", {"token": "tablet-1"}).status_code == 302
    assert device.session.get_expiry_age() > 30 * 24 * 3600
    kiosk = Client()
    kiosk.post("/terminal/", {"token": TERMINAL_TOKEN})
    assert kiosk.session.get_expiry_age() > 30 * 24 * 3600


def test_the_printed_ticket_shows_only_on_its_kiosk_and_only_for_a_reprint(settings, hall, matter, terminal):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from apps.front.floor.services import ticket_walk_in
    from tests.personas_front import TERMINAL_TOKEN

    ticket = ticket_walk_in(terminal=terminal, matter_code=matter.code)
    kiosk = Client()
    kiosk.post("/terminal/", {"token": TERMINAL_TOKEN})
    assert ticket.rating_code in kiosk.get(f"/terminal/tickets/{ticket.id}/").content.decode()
    # Another kiosk of the same hall cannot read it (and so not its rating code) by trying ids.
    Terminal.objects.create(hall=hall, name="2号取号机", token_sha256=hashlib.sha256(b"kiosk-2").hexdigest())
    other = Client()
    other.post("/terminal/", {"token": "kiosk-2"})
    assert other.get(f"/terminal/tickets/{ticket.id}/").status_code == 404
    # Nor the issuing kiosk once the reprint minutes have passed.
    later = timezone.now() + dt.timedelta(minutes=floor_conf.HALL_TICKET_REPRINT_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        assert kiosk.get(f"/terminal/tickets/{ticket.id}/").status_code == 404


def test_a_new_device_token_never_travels_in_a_cookie(supervisor, hall):
    """Messages stay on the server: the token shown once is in the next page, never in a Set-Cookie."""
    admin = Client()
    admin.force_login(supervisor)
    response = admin.post("/admin/hall/terminal/add/", {"hall": hall.id, "name": "2号自助终端", "active": "on"})
    assert response.status_code == 302
    assert "messages" not in response.cookies and all("令牌" not in str(c.value) for c in response.cookies.values())
    page = admin.get(response["Location"])
    token = TOKEN.search(page.content.decode()).group(1)
    assert all(token not in str(c.value) for c in list(response.cookies.values()) + list(page.cookies.values()))


def test_the_ticket_admin_hides_the_rating_code(admin_client, hall, matter, terminal):
    from apps.front.floor.services import ticket_walk_in

    ticket = ticket_walk_in(
        terminal=terminal,
        matter_code=matter.code,
        green_channel="",
        id_number="",
        appointment_code="",
        idempotency_key="",
    )
    page = admin_client.get(f"/admin/hall/ticket/{ticket.pk}/change/")
    assert page.status_code == 200 and ticket.label in page.content.decode()
    assert ticket.rating_code not in page.content.decode()
