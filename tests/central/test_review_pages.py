"""The approver's page actions read a form before a service runs (issue 11 point 4), and their refusals
keep the status they answered, in one language at a time."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from apps.central.review import services
from apps.central.review.models import ReviewCase
from govservice.api import DomainError, status_for
from tests.central.test_review import package, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    # A request asking for English activates it for the thread; the tests after this one read Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def received(client, platform, matter):
    send(client, *package(matter))
    return ReviewCase.objects.get()


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_unreadable_deadline_is_refused_by_the_form_and_nothing_changes(approver, received):
    client = page(approver)
    client.post(f"/cases/{received.id}/do/claim/")
    received.refresh_from_db()
    response = client.post(
        f"/cases/{received.id}/do/correction/", {"items": "身份证复印件", "deadline": "soon"}, follow=True
    )
    assert "请填写有效的补正期限。" in response.content.decode()
    english = client.post(
        f"/cases/{received.id}/do/correction/", {"items": "x", "deadline": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Enter a valid deadline for the correction." in english.content.decode()
    status = received.status
    received.refresh_from_db()
    assert received.status == status and received.correction_items == []


def test_unknown_choices_keep_answering_422_with_their_own_codes(approver, received):
    services.case_claim(approver=approver, case_id=received.id)
    with pytest.raises(DomainError) as decision:
        services.case_decide(approver=approver, case_id=received.id, decision="maybe", reason="")
    with pytest.raises(DomainError) as procedure:
        services.case_start_special_procedure(
            approver=approver, case_id=received.id, kind="séance", reason="x", expected_days=3
        )
    assert (decision.value.code, status_for(decision.value)) == ("unknown_decision", 422)
    assert (procedure.value.code, status_for(procedure.value)) == ("unknown_procedure", 422)
