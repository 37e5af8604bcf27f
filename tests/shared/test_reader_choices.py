"""The reader's choices on every page (issue 17): a language switch (Django's set_language, kept in the language
cookie), labelled in the language it switches to."""

from __future__ import annotations

import re

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
