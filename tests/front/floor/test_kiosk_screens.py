"""The kiosk's touch screens over HTTP (issue 17): walk-in in two steps (a group, then its matters), the
guide browsed the same way, a failed check-in that keeps the code, and the idle reset that returns to the
start in the site's language and the standard mode."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from apps.front.booking.models import GroupMatter, WindowGroup
from govservice.care import CARE_COOKIE
from tests.factories import make_matter
from tests.personas_front import TERMINAL_TOKEN

pytestmark = pytest.mark.django_db

MATTERS = re.compile(r'<input type="radio" name="matter" value="([^"]+)" required( checked)?>')


@pytest.fixture
def kiosk(client, terminal):
    client.post("/terminal/", {"token": TERMINAL_TOKEN})
    return client


@pytest.fixture
def second_group(hall, matter):
    group = WindowGroup.objects.create(hall=hall, letter="B", name="不动产登记")
    other = make_matter("M-002", name="不动产登记资料查询")
    GroupMatter.objects.create(group=group, matter_code=other.code)
    return other


def test_walk_in_asks_for_the_group_first_then_shows_only_its_matters(kiosk, matter, second_group):
    page = kiosk.get("/terminal/walk-in/").content.decode()
    assert "第1步：选择业务类别" in page and MATTERS.findall(page) == []
    assert 'href="?group=A"' in page and 'href="?group=B"' in page

    page = kiosk.get("/terminal/walk-in/?group=B").content.decode()
    assert MATTERS.findall(page) == [(second_group.code, "")]
    assert "第2步：选择办理事项（B · 不动产登记）" in page and 'id="chosen-matter">请在上方选择<' in page

    # Chosen from the guide: its group, the matter checked and named beside 取号.
    page = kiosk.get(f"/terminal/walk-in/?matter={matter.code}").content.decode()
    assert MATTERS.findall(page) == [(matter.code, " checked")]
    assert f'id="chosen-matter">{matter.name}<' in page

    # A group that is not the hall's is no step 2.
    assert "第1步" in kiosk.get("/terminal/walk-in/?group=Z").content.decode()


def test_a_hall_with_one_group_starts_at_its_matters(kiosk, matter):
    page = kiosk.get("/terminal/walk-in/").content.decode()
    assert MATTERS.findall(page) == [(matter.code, "")] and "第1步" not in page


def test_the_guide_browses_by_group(kiosk, matter, second_group):
    page = kiosk.get("/terminal/guide/").content.decode()
    assert "第1步：选择业务类别" in page and matter.name not in page
    page = kiosk.get("/terminal/guide/?group=A").content.decode()
    assert f'href="?matter={matter.code}"' in page and second_group.name not in page
    page = kiosk.get(f"/terminal/guide/?matter={matter.code}").content.decode()
    assert 'id="guide-matter"' in page and f'href="/terminal/walk-in/?matter={matter.code}"' in page
    assert 'href="?group=A"' in page  # back to the group's matters


def test_a_failed_check_in_keeps_the_code(kiosk):
    response = kiosk.post("/terminal/checkin/", {"code": "ABCD2345"})
    assert response.status_code == 404
    assert 'name="code" value="ABCD2345"' in response.content.decode()


def test_every_kiosk_screen_knows_its_idle_time(kiosk, matter, settings):
    settings.KIOSK_IDLE_SECONDS = 7
    for path in ("/terminal/", "/terminal/walk-in/", "/terminal/guide/", "/terminal/consult/", "/terminal/rate/"):
        page = kiosk.get(path).content.decode()
        assert 'data-idle-seconds="7" data-idle-url="/terminal/reset/"' in page, path
        assert '<meta http-equiv="refresh" content="7;url=/terminal/reset/">' in page, path  # without JavaScript


def test_the_idle_reset_returns_to_the_start_in_the_default_language_and_mode(kiosk):
    kiosk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    kiosk.cookies[CARE_COOKIE] = "1"
    response = kiosk.get("/terminal/reset/")
    assert response.status_code == 302 and response["Location"] == "/terminal/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "" and response.cookies[CARE_COOKIE].value == ""
    page = kiosk.get("/terminal/").content.decode()
    assert '<html lang="zh-hans">' in page and "data-kiosk-start" in page
