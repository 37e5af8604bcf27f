"""Versioned templates in Chinese and English (GOV.UK Notify style)."""

import pytest
from django.db import transaction
from django.utils import translation

from apps.front.notifications.messages import MESSAGES
from apps.front.notifications.models import Channel, Language, MessageTemplateVersion, TemplateSource
from apps.front.notifications.services import (
    notify,
    preference_update,
    template_current_version,
    template_version_create,
    templates_sync,
)
from apps.front.notifications.services.templates import seed_texts
from govservice.api import DomainError


def test_it_has_an_english_text_for_every_message_in_the_catalogue():
    """Every event's Chinese text has its English in locale/en (compiled by `make messages`)."""
    missing = [event for event in MESSAGES if not seed_texts(event)[3]]
    assert missing == []


def test_it_keeps_the_placeholders_the_same_in_both_languages():
    import string

    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for event in MESSAGES:
        subject_zh, body_zh, subject_en, body_en = seed_texts(event)
        assert fields(body_zh) == fields(body_en), event
        assert fields(subject_zh) == fields(subject_en), event


@pytest.mark.django_db
class TestRendering:
    def test_it_renders_in_chinese_by_default(self, citizen, case):
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.accepted", case=case)
        sms = next(n for n in rows if n.channel == Channel.SMS)
        assert sms.language == Language.ZH_HANS
        assert sms.subject == "您的办件已受理"
        assert sms.body.startswith("【云窗口】王**您好") and case.number in sms.body and case.matter.name in sms.body
        assert "{" not in sms.body

    def test_it_renders_in_english_for_a_citizen_who_chose_english(self, citizen, case):
        preference_update(user=citizen, sms=True, email=True, language=Language.EN)
        case.decision = "approved"
        with transaction.atomic():
            rows = notify(recipient=citizen, event="case.decided", case=case)
        email = next(n for n in rows if n.channel == Channel.EMAIL)
        assert email.language == Language.EN
        assert email.subject == "Your case has been decided"
        assert email.body.startswith("[Cloud Window] Dear 王**, your case " + case.number)
        # Case fields are rendered in the recipient's language too.
        with translation.override("en"):
            assert str(case.get_decision_display()) in email.body
        assert "【" not in email.body

    def test_it_renders_an_appointment_event_from_the_callers_context(self, citizen):
        with transaction.atomic():
            rows = notify(
                recipient=citizen,
                event="booking.confirmed",
                context={
                    "code": "A7K2Q9",
                    "matter": "居民身份证换领",
                    "hall": "副中心大厅",
                    "address": "运河东大街",
                    "time": "12月2日 09:00",
                },
            )
        inbox = next(n for n in rows if n.channel == Channel.INBOX)
        assert (
            "预约码A7K2Q9" in inbox.body and "12月2日 09:00" in inbox.body and "副中心大厅（运河东大街）" in inbox.body
        )

    def test_it_renders_a_missing_field_empty_instead_of_failing_the_business_step(self, citizen, caplog):
        with transaction.atomic():
            rows = notify(recipient=citizen, event="booking.confirmed", context={"code": "A7K2Q9"})
        assert "预约码A7K2Q9" in rows[0].body
        assert "uses 'hall'" in caplog.text


@pytest.mark.django_db
class TestVersions:
    def test_it_creates_version_one_from_the_code_on_first_use_in_both_languages(self):
        version = template_current_version(event="case.accepted", channel=Channel.SMS)
        assert version.version == 1 and version.source == TemplateSource.CODE
        assert version.subject_zh == "您的办件已受理" and version.subject_en == "Your application has been accepted"
        assert "{number}" in version.body_zh and "{number}" in version.body_en
        assert template_current_version(event="case.accepted", channel=Channel.SMS).pk == version.pk

    def test_it_makes_a_new_version_on_edit_and_each_message_records_its_version(self, citizen, case, clerk):
        with transaction.atomic():
            first = next(
                n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS
            )
        edited = template_version_create(
            event="case.accepted",
            channel=Channel.SMS,
            subject_zh="受理通知",
            body_zh="【云窗口】{name}：办件{number}已受理，请留意后续短信。",
            subject_en="Accepted",
            body_en="[Cloud Window] {name}: case {number} accepted.",
            author=clerk,
            note="缩短短信",
        )
        assert edited.version == 2 and edited.source == TemplateSource.EDIT
        with transaction.atomic():
            second = next(
                n for n in notify(recipient=citizen, event="case.accepted", case=case) if n.channel == Channel.SMS
            )
        assert first.template_version.version == 1 and second.template_version_id == edited.pk
        assert second.body == f"【云窗口】王**：办件{case.number}已受理，请留意后续短信。"
        # The earlier version is untouched: it is what the first message was rendered from.
        first.refresh_from_db()
        assert "承诺办结日期" in first.template_version.body_zh and "承诺办结日期" in first.body
        # Other channels keep their own template.
        assert template_current_version(event="case.accepted", channel=Channel.EMAIL).version == 1

    def test_it_refuses_an_edit_with_an_unknown_or_malformed_placeholder(self):
        with pytest.raises(DomainError, match="id_number"):
            template_version_create(
                event="case.accepted", channel=Channel.SMS, subject_zh="x", body_zh="身份证{id_number}"
            )
        with pytest.raises(DomainError, match="模板格式错误"):
            template_version_create(event="case.accepted", channel=Channel.SMS, subject_zh="x", body_zh="办件{number")
        with pytest.raises(DomainError, match="中文正文不能为空"):
            template_version_create(event="case.accepted", channel=Channel.SMS, subject_zh="x", body_zh=" ")
        assert MessageTemplateVersion.objects.filter(template__event="case.accepted", version__gt=1).count() == 0

    def test_sync_creates_every_template_once_and_never_overrides_an_edit(self):
        created = templates_sync()
        assert len(created) == len(MESSAGES) * len(Channel.values)
        assert templates_sync(update=True) == []
        template_version_create(
            event="case.refused", channel=Channel.SMS, subject_zh="不予受理", body_zh="【云窗口】{number}不予受理。"
        )
        assert templates_sync(update=True) == []
        assert (
            template_current_version(event="case.refused", channel=Channel.SMS).body_zh
            == "【云窗口】{number}不予受理。"
        )


@pytest.mark.django_db
class TestEditingInTheAdmin:
    @pytest.fixture
    def editor(self, client):
        from tests.factories import make_user

        user = make_user("editor", role="admin", is_staff=True, is_superuser=True)
        client.force_login(user)
        return user

    def test_saving_in_the_admin_adds_a_version_by_the_editor(self, client, editor):
        template = template_current_version(event="case.refused", channel=Channel.EMAIL).template
        response = client.post(
            "/admin/feedback/messagetemplateversion/add/",
            {
                "template": template.pk,
                "subject_zh": "不予受理通知",
                "body_zh": "{name}您好，办件{number}不予受理。",
                "subject_en": "Not accepted",
                "body_en": "Dear {name}, case {number} was not accepted.",
                "note": "更简洁",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        latest = template.versions.order_by("-version").first()
        assert (latest.version, latest.author, latest.source, latest.note) == (2, editor, TemplateSource.EDIT, "更简洁")

    def test_the_admin_explains_a_bad_placeholder_and_saves_nothing(self, client, editor):
        template = template_current_version(event="case.refused", channel=Channel.EMAIL).template
        response = client.post(
            "/admin/feedback/messagetemplateversion/add/",
            {
                "template": template.pk,
                "subject_zh": "x",
                "body_zh": "{name}的手机{phone}",
                "subject_en": "",
                "body_en": "",
            },
        )
        assert response.status_code == 200 and "模板占位符“{phone}”不可用" in response.content.decode()
        assert template.versions.count() == 1

    def test_a_used_version_cannot_be_changed_in_the_admin(self, client, editor):
        version = template_current_version(event="case.refused", channel=Channel.EMAIL)
        response = client.post(
            f"/admin/feedback/messagetemplateversion/{version.pk}/change/",
            {"template": version.template_id, "subject_zh": "改", "body_zh": "改"},
        )
        assert response.status_code == 403
        version.refresh_from_db()
        assert version.body_zh != "改"


@pytest.mark.django_db
def test_the_command_creates_every_template_once():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notification_templates", stdout=out)
    assert f"{len(MESSAGES) * len(Channel.values)} template version(s) created" in out.getvalue()
    out = StringIO()
    call_command("notification_templates", "--update", stdout=out)
    assert "0 template version(s) created" in out.getvalue()
