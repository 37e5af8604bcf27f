"""The citizen's channel choices: a page under 我的 and an API; the inbox is always on."""

import pytest
from django.db import transaction

from apps.front.notifications.models import Channel, Language, NotificationPreference
from apps.front.notifications.services import notify, preference_update


@pytest.mark.django_db
class TestChannelChoices:
    def test_it_sends_only_on_the_channels_the_citizen_chose_and_always_to_the_inbox(self, citizen, case):
        preference_update(user=citizen, sms=False, email=False, language=Language.ZH_HANS)
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.accepted", case=case)
        assert [n.channel for n in rows] == [Channel.INBOX]
        preference_update(user=citizen, sms=True, email=False, language=Language.ZH_HANS)
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.accepted", case=case)
        assert sorted(n.channel for n in rows) == [Channel.INBOX, Channel.SMS]

    def test_it_skips_a_channel_the_person_cannot_be_reached_on(self, other_citizen, case):
        # other_citizen has a phone but no e-mail address.
        with transaction.atomic():
            rows = notify(recipient=other_citizen, event="case.accepted", case=case)
        assert sorted(n.channel for n in rows) == [Channel.INBOX, Channel.SMS]

    def test_it_keeps_an_audit_row_of_each_change_of_choices(self, citizen):
        preference_update(user=citizen, sms=False, email=True, language=Language.EN)
        preference_update(user=citizen, sms=True, email=True, language=Language.EN)
        preference = NotificationPreference.objects.get(user=citizen)
        # The insert with the defaults, then each saved choice.
        assert list(preference.audit_trail.order_by("pgh_id").values_list("sms", "language")) == [
            (True, "zh-hans"),
            (False, "en"),
            (True, "en"),
        ]


@pytest.mark.django_db
class TestPreferencePage:
    def test_it_shows_the_choices_with_masked_contacts(self, client, citizen):
        client.force_login(citizen)
        response = client.get("/me/notifications/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "消息通知设置" in html and "138****1111" in html and "w***@example.com" in html
        assert citizen.phone not in html and citizen.email not in html

    def test_it_saves_the_choices(self, client, citizen):
        client.force_login(citizen)
        response = client.post("/me/notifications/", {"email": "on", "language": "en"})
        assert response.status_code == 302 and response["Location"] == "/me/notifications/"
        preference = NotificationPreference.objects.get(user=citizen)
        assert (preference.sms, preference.email, preference.language) == (False, True, "en")
        page = client.get("/me/notifications/").content.decode()
        assert "通知设置已保存" in page or "notification settings are saved" in page

    def test_it_refuses_an_unknown_language_and_keeps_the_previous_choices(self, client, citizen):
        preference_update(user=citizen, sms=True, email=False, language=Language.ZH_HANS)
        client.force_login(citizen)
        response = client.post("/me/notifications/", {"email": "on", "language": "fr"})
        assert response.status_code == 400 and "通知语言无效" in response.content.decode()
        preference = NotificationPreference.objects.get(user=citizen)
        assert (preference.sms, preference.email) == (True, False)

    def test_it_asks_an_anonymous_visitor_to_sign_in(self, client):
        response = client.get("/me/notifications/")
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
class TestPreferenceApi:
    def test_it_reads_the_defaults_then_saves_a_choice(self, api, citizen):
        client = api(citizen)
        assert client.get("/api/v1/me/notification-preferences/").json() == {
            "sms": True,
            "email": True,
            "inbox": True,
            "language": "zh-hans",
        }
        response = client.put(
            "/api/v1/me/notification-preferences/", {"sms": False, "email": True, "language": "en"}, format="json"
        )
        assert response.status_code == 200
        assert response.json() == {"sms": False, "email": True, "inbox": True, "language": "en"}
        assert NotificationPreference.objects.get(user=citizen).sms is False

    def test_it_cannot_turn_the_inbox_off(self, api, citizen):
        response = api(citizen).put(
            "/api/v1/me/notification-preferences/",
            {"sms": True, "email": True, "inbox": False, "language": "zh-hans"},
            format="json",
        )
        assert response.status_code == 200 and response.json()["inbox"] is True

    def test_it_explains_invalid_input(self, api, citizen):
        response = api(citizen).put(
            "/api/v1/me/notification-preferences/", {"sms": "maybe", "language": "fr"}, format="json"
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid" and set(body["errors"]) >= {"sms", "email", "language"}
        assert not NotificationPreference.objects.filter(user=citizen).exists()

    @pytest.mark.parametrize("body_format", ["multipart", None])  # None: a urlencoded form
    def test_a_form_that_leaves_a_channel_out_switches_nothing_off(self, api, citizen, body_format):
        preference_update(user=citizen, sms=True, email=True, language=Language.ZH_HANS)
        client = api(citizen)
        if body_format is None:
            response = client.put(
                "/api/v1/me/notification-preferences/",
                "email=true&language=en",
                content_type="application/x-www-form-urlencoded",
            )
        else:
            response = client.put(
                "/api/v1/me/notification-preferences/", {"email": "true", "language": "en"}, format=body_format
            )
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "invalid" and set(response.json()["errors"]) == {"sms"}
        preference = NotificationPreference.objects.get(user=citizen)
        assert (preference.sms, preference.email, preference.language) == (True, True, Language.ZH_HANS)
        # Said in full, a form works as JSON does.
        if body_format is None:
            done = client.put(
                "/api/v1/me/notification-preferences/",
                "sms=false&email=true&language=en",
                content_type="application/x-www-form-urlencoded",
            )
        else:
            done = client.put(
                "/api/v1/me/notification-preferences/",
                {"sms": "false", "email": "true", "language": "en"},
                format=body_format,
            )
        assert done.status_code == 200 and done.json()["sms"] is False

    def test_it_refuses_an_anonymous_caller(self, api):
        assert api(None).get("/api/v1/me/notification-preferences/").status_code in (401, 403)

    def test_each_person_sees_only_their_own_choices(self, api, citizen, other_citizen):
        preference_update(user=citizen, sms=False, email=False, language=Language.EN)
        assert api(other_citizen).get("/api/v1/me/notification-preferences/").json()["language"] == "zh-hans"


@pytest.mark.django_db
def test_my_services_links_to_the_notification_settings(client, citizen):
    client.force_login(citizen)
    html = client.get("/me/").content.decode()
    assert 'href="/me/notifications/"' in html


@pytest.mark.django_db
def test_a_language_refused_by_the_service_answers_its_own_code_and_status(citizen):
    """The page's form refuses first; a caller of the service that did not check gets a code of its own
    (not the generic ``invalid``) whose status comes from the edge's table."""
    from govservice.api import DomainError, status_for

    with pytest.raises(DomainError) as refused:
        preference_update(user=citizen, sms=True, email=False, language="fr")
    assert refused.value.code == "invalid_language" and status_for(refused.value) == 400
    assert str(refused.value.message) == "通知语言无效。"
