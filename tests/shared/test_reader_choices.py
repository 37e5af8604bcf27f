"""The reader's choices on every page (issue 17): a language switch (Django's set_language, kept in the language
cookie), labelled in the language it switches to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

SWITCH = re.compile(r'<form method="post" action="/i18n/setlang/" class="lang-switch[^"]*">(.*?)</form>', re.S)


@pytest.mark.parametrize("path", ["/find/", "/accounts/login/"])
def test_it_offers_the_other_language_on_every_page(client, path):
    chinese = client.get(path).content.decode()
    switch = SWITCH.search(chinese)
    assert switch, "no language switch"
    assert 'name="language" value="en" lang="en"' in switch.group(1) and ">English<" in switch.group(1)
    assert f'name="next" value="{path}"' in switch.group(1)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(path).content.decode()
    assert '<html lang="en">' in english
    assert 'name="language" value="zh-hans" lang="zh-Hans"' in SWITCH.search(english).group(1)


def test_it_remembers_the_choice_for_a_year_and_returns_to_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/find/?q=%E7%A4%BE%E4%BF%9D"})
    assert response.status_code == 302 and response["Location"] == "/find/?q=%E7%A4%BE%E4%BF%9D"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) == 365 * 24 * 3600
    assert '<html lang="en">' in client.get("/find/").content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/find/"})
    assert '<html lang="zh-hans">' in client.get("/find/").content.decode()


def test_it_does_not_send_the_reader_to_another_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://example.com/"})
    assert response["Location"] == "/"


def test_it_turns_care_mode_on_and_off_and_keeps_it_in_a_cookie(client):
    assert 'class="care"' not in client.get("/find/").content.decode()
    response = client.post("/care/", {"care": "1", "next": "/find/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/find/?q=x"
    cookie = response.cookies["care_mode"]
    assert cookie.value == "1" and cookie["httponly"] and int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans" class="care">' in page
    assert 'name="care" value="0"' in page  # the way back is on every page too

    response = client.post("/care/", {"care": "0", "next": "/find/"})
    assert response.cookies["care_mode"].value == "" and response["Location"] == "/find/"
    assert 'class="care"' not in client.get("/find/").content.decode()


def test_care_mode_goes_back_only_to_this_site(client):
    assert client.post("/care/", {"care": "1", "next": "//example.com/x"})["Location"] == "/"
    assert client.get("/care/").status_code == 405


CSS = sorted((Path(settings.BASE_DIR) / "static" / "css").glob("*.css"))
ABSOLUTE_FONT_SIZE = re.compile(r"font(?:-size)?\s*:[^;}]*\b\d+(?:\.\d+)?px")


@pytest.mark.parametrize("sheet", [p.name for p in CSS if p.name != "ticket-print.css"])
def test_text_sizes_are_relative_so_the_browser_setting_works(sheet):
    # The printed ticket is sized for its paper (pt); every screen sheet sizes text in rem/em, never px.
    text = (Path(settings.BASE_DIR) / "static" / "css" / sheet).read_text(encoding="utf-8")
    assert ABSOLUTE_FONT_SIZE.findall(text) == []
