"""The admin's message lists: the query count stays the same however many rows are listed (the template
version column and the current-version column are read with the list, not once per row)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.front.notifications.models import Channel, MessageTemplate
from apps.front.notifications.services import notify, template_current_version, template_version_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("editor", role="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_notification_list_takes_the_same_queries_for_many_rows_as_for_few(client, editor, citizen, case):
    with transaction.atomic():
        notify(recipient=citizen, event="case.accepted", case=case)
    few, html = _queries(client, "/admin/feedback/notification/")
    version = template_current_version(event="case.accepted", channel=Channel.SMS)
    assert f"{version.template} v{version.version}" in html
    with transaction.atomic():
        for _ in range(4):
            notify(recipient=citizen, event="case.accepted", case=case)
    many, html = _queries(client, "/admin/feedback/notification/")
    assert html.count(f"{version.template} v{version.version}") == 5
    assert many == few


def test_the_template_lists_take_the_same_queries_for_many_rows_as_for_few(client, editor):
    template = template_current_version(event="case.refused", channel=Channel.EMAIL).template
    few_versions, _ = _queries(client, "/admin/feedback/messagetemplateversion/?q=case.refused&template__channel=email")
    for event in ("case.refused", "case.accepted"):
        for channel in (Channel.EMAIL, Channel.SMS):
            current = template_current_version(event=event, channel=channel)
            template_version_create(
                event=event,
                channel=channel,
                subject_zh=current.subject_zh,
                body_zh=current.body_zh,
                subject_en=current.subject_en,
                body_en=current.body_en,
                author=editor,
                note="复核",
            )
    template_current_version(event="case.delivered", channel=Channel.EMAIL)  # a third template, never edited
    assert MessageTemplate.objects.filter(channel=Channel.EMAIL).count() == 3
    one, html = _queries(client, "/admin/feedback/messagetemplate/?channel=email&q=case.refused")
    assert html.count('<td class="field-current_version">') == 1 and '<td class="field-current_version">2</td>' in html
    many, html = _queries(client, "/admin/feedback/messagetemplate/?channel=email")
    # The current version is the newest: 2 for the edited templates, 1 for the others.
    assert (
        html.count('<td class="field-current_version">2</td>') == 2
        and '<td class="field-current_version">1</td>' in html
    )
    assert many == one
    many_versions, html = _queries(client, "/admin/feedback/messagetemplateversion/")
    assert html.count(f'">{editor}</td>') == 4
    assert many_versions == few_versions
    assert template.versions.count() == 2
