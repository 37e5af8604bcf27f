"""A kiosk never keeps staff signed in (issue 12, blocker 3): staff at a kiosk are a step-up that ends after
a few idle minutes and when the assisted case is done, signing out leaves the kiosk activated, and no
device token is ever stored in clear in the session table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import Case
from tests.journey_helpers import upload
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db

PASSWORD = "Clerk-pass-2026"


def _activated_kiosk() -> Client:
    kiosk = Client()
    assert kiosk.post("/terminal/", {"token": TERMINAL_TOKEN}).status_code == 302
    return kiosk


def _is_kiosk_page(client: Client) -> bool:
    page = client.get("/terminal/").content.decode()
    return 'name="token"' not in page  # the activation form is what an unactivated browser sees


def _sign_in(client: Client, user) -> None:
    user.set_password(PASSWORD)
    user.save()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_no_device_token_is_kept_in_the_session_table(terminal):
    kiosk = _activated_kiosk()
    assert _is_kiosk_page(kiosk)
    stored = [row.session_data for row in Session.objects.all()] + [
        str(row.get_decoded()) for row in Session.objects.all()
    ]
    assert stored and not [s for s in stored if TERMINAL_TOKEN in s]


def test_a_clerk_at_a_kiosk_is_signed_out_after_a_few_idle_minutes(terminal, clerk, time_machine, settings):
    settings.KIOSK_STAFF_IDLE_SECONDS = 300
    time_machine.move_to(timezone.now(), tick=False)
    kiosk = _activated_kiosk()
    _sign_in(kiosk, clerk)
    assert kiosk.get("/workbench/").status_code == 200
    time_machine.shift(dt.timedelta(seconds=240))
    assert kiosk.get("/workbench/").status_code == 200  # within the step-up: each request restarts the clock
    time_machine.shift(dt.timedelta(seconds=301))
    later = kiosk.get("/workbench/")
    assert later.status_code == 302 and "/accounts/login/" in later["Location"]
    assert _is_kiosk_page(kiosk)  # back in its device mode, still activated


def test_signing_out_at_a_kiosk_keeps_it_activated(terminal, clerk):
    kiosk = _activated_kiosk()
    _sign_in(kiosk, clerk)
    assert kiosk.post("/accounts/logout/").status_code in (200, 302)
    assert kiosk.get("/workbench/").status_code == 302
    assert _is_kiosk_page(kiosk)


def test_the_assisted_case_done_ends_the_step_up(terminal, clerk, citizen, matter):
    kiosk = _activated_kiosk()
    _sign_in(kiosk, clerk)
    id_card = matter.materials.get(name="居民身份证")
    done = kiosk.post(
        "/terminal/assist/", {"matter": matter.code, "id_number": citizen.id_number, f"material_{id_card.id}": upload()}
    )
    assert done.status_code == 200 and Case.objects.filter(citizen=citizen).exists()
    assert kiosk.get("/workbench/").status_code == 302  # the next person at the kiosk is nobody's staff
    assert kiosk.get("/workbench/pickup/").status_code == 302
    assert _is_kiosk_page(kiosk)


def test_a_kiosk_activated_before_keeps_working_and_loses_the_clear_token(terminal):
    kiosk = Client()
    session = kiosk.session
    session["terminal_token"] = TERMINAL_TOKEN  # how activations were kept before
    session.save()
    assert _is_kiosk_page(kiosk)
    assert not [row for row in Session.objects.all() if TERMINAL_TOKEN in str(row.get_decoded())]


def test_a_renewed_token_stops_the_activated_kiosk(terminal):
    from apps.front.floor.services import terminal_token_issue

    kiosk = _activated_kiosk()
    terminal_token_issue(terminal)
    assert not _is_kiosk_page(kiosk)
