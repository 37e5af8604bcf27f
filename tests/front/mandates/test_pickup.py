"""代领 at the pickup desk (DOMAIN.md §9): another person's ID card is checked against the applicant's mandates
instead of refused — an agent allowed to collect gets the result, recorded on the delivery and the 送达回执
beside the applicant; an agent without that power, with a revoked mandate, or anyone else is refused with the
reason, the attempt recorded. A company's result goes to its representative or its 经办人."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.front.delivery.models import Delivery, DeliveryEvent, HandoverStatus
from apps.front.intake.models import CaseStatus, Document, DocumentKind
from apps.front.mandates.models import MandateEvent
from apps.front.mandates.services import mandate_revoke
from apps.front.notifications.models import Notification
from tests.front.delivery.conftest import _courier, case, decide, issue_result, pdf_text  # noqa: F401 - fixtures
from tests.front.delivery.test_delivery import choose

from .conftest import make_mandate

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(api, client, citizen, case):  # noqa: F811 - the delivery tests' case fixture
    assert choose(api, citizen, case, {"method": "pickup"}).status_code == 200
    decide(client, case)
    issue_result(client, case)
    return case


def pickup(api, clerk, ready_case, id_number: str):
    return api(clerk).post(
        f"/api/v1/workbench/cases/{ready_case.number}/pickup/", {"id_number": id_number}, format="json"
    )


def test_an_authorised_agent_collects_with_both_people_on_the_receipt(api, ready, clerk, citizen, agent):
    mandate = make_mandate(citizen, agent, case=ready, may_apply=False)
    response = pickup(api, clerk, ready, agent.id_number)
    assert response.status_code == 200, response.content
    ready.refresh_from_db()
    assert ready.status == CaseStatus.DELIVERED
    delivery = Delivery.objects.get(case=ready)
    assert (
        delivery.status == HandoverStatus.DELIVERED
        and delivery.collected_by == agent
        and delivery.handed_over_by == clerk
    )
    receipt = Document.objects.get(case=ready, kind=DocumentKind.DELIVERY_RECEIPT)
    assert receipt.content["applicant"] == "王小明" and receipt.content["collector"] == "张丽"
    assert receipt.content["collector_role"] == "代领人" and receipt.content["collector_id"].endswith(
        agent.id_number[-4:]
    )
    staff = Client()
    staff.force_login(clerk)
    text = pdf_text(staff.get(response.json()["receipt_url"]).content)
    assert "代领人" in text and "张丽" in text and agent.id_number not in text
    # The principal is told who collected it, and sees the act under the mandate.
    [sms] = Notification.objects.filter(recipient=citizen, event="case.delivered", channel="sms")
    assert "代领人" in sms.body
    assert MandateEvent.objects.filter(mandate=mandate, kind="collected", reference=ready.number).exists()
    assert "窗口代领人领取：张丽" in ready.events.get(to_status=CaseStatus.DELIVERED).note


def test_an_agent_without_the_power_to_collect_is_refused(api, ready, clerk, citizen, agent):
    make_mandate(citizen, agent, case=ready, may_collect=False)
    response = pickup(api, clerk, ready, agent.id_number)
    assert response.status_code == 403 and response.json()["code"] == "mandate_out_of_scope"
    assert "不包括代为领取" in response.json()["detail"]
    assert Delivery.objects.get(case=ready).status == HandoverStatus.READY
    assert DeliveryEvent.objects.filter(delivery__case=ready, note__contains="未发放").exists()


def test_a_revoked_mandate_collects_nothing(api, ready, clerk, citizen, agent):
    mandate = make_mandate(citizen, agent, case=ready)
    mandate_revoke(by=citizen, number=mandate.number)
    response = pickup(api, clerk, ready, agent.id_number)
    assert response.status_code == 403 and response.json()["code"] == "mandate_revoked"
    english = api(clerk).post(
        f"/api/v1/workbench/cases/{ready.number}/pickup/",
        {"id_number": agent.id_number},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "revoked" in english.json()["detail"]
    assert Delivery.objects.get(case=ready).status == HandoverStatus.READY


def test_a_registered_person_without_a_mandate_is_refused_as_before(api, ready, clerk, stranger):
    response = pickup(api, clerk, ready, stranger.id_number)
    assert response.status_code == 422 and response.json()["code"] == "id_mismatch"
    assert stranger.id_number not in response.content.decode()
    refused = DeliveryEvent.objects.get(delivery__case=ready, note__contains="不符")
    assert stranger.id_number not in refused.note


def test_a_mandate_for_another_case_does_not_collect_this_one(api, ready, clerk, citizen, agent, matter, hall):
    from apps.front.intake.models import Case

    other = Case.objects.create(
        number="TZ2026120700077", query_password_hash="x", citizen=citizen, matter=matter, hall=hall
    )
    make_mandate(citizen, agent, case=other)
    response = pickup(api, clerk, ready, agent.id_number)
    assert response.status_code == 403 and response.json()["code"] == "mandate_out_of_scope"


def test_the_desk_page_says_who_collected(ready, clerk, citizen, agent):
    make_mandate(citizen, agent, case=ready)
    page = Client()
    page.force_login(clerk)
    done = page.post("/workbench/pickup/", {"number": ready.number, "id_number": agent.id_number})
    html = done.content.decode()
    assert done.status_code == 200 and 'id="handed-over"' in html and "由张丽代领" in html


class TestElectronic:
    """The e-licence: an agent allowed to collect downloads it for the principal, and for an electronic delivery
    that download is the handover — by the agent, recorded as such. Reading a case's documents is within scope
    only; the certificate needs the power to collect."""

    @pytest.fixture
    def ready(self, client, case):  # noqa: F811 - the delivery tests' case fixture
        decide(client, case)
        issue_result(client, case)
        return case

    def test_an_agent_collects_the_e_licence_by_downloading_it(self, ready, citizen, agent):
        mandate = make_mandate(citizen, agent, case=ready, may_apply=False)
        certificate = Document.objects.get(case=ready, kind=DocumentKind.CERTIFICATE)
        page = Client()
        page.force_login(agent)
        shown = page.get(f"/acting/{citizen.pk}/cases/{ready.number}/").content.decode()
        url = f"/acting/{citizen.pk}/cases/{ready.number}/documents/{certificate.verification_code}/"
        assert url in shown
        response = page.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        delivery = Delivery.objects.get(case=ready)
        assert delivery.status == HandoverStatus.DELIVERED and delivery.collected_by == agent
        event = delivery.events.get(to_status=HandoverStatus.DELIVERED)
        assert event.actor == agent and event.actor_label == "代领人"
        assert MandateEvent.objects.filter(mandate=mandate, kind="downloaded", reference=ready.number).exists()

    def test_an_agent_who_may_not_collect_does_not_get_the_certificate(self, ready, citizen, agent):
        make_mandate(citizen, agent, case=ready, may_collect=False)
        certificate = Document.objects.get(case=ready, kind=DocumentKind.CERTIFICATE)
        page = Client()
        page.force_login(agent)
        refused = page.get(f"/acting/{citizen.pk}/cases/{ready.number}/documents/{certificate.verification_code}/")
        assert refused.status_code == 403 and "不包括代为领取" in refused.content.decode()
        assert Delivery.objects.get(case=ready).status == HandoverStatus.READY

    def test_a_stranger_gets_nothing(self, ready, citizen, agent, stranger):
        make_mandate(citizen, agent, case=ready)
        certificate = Document.objects.get(case=ready, kind=DocumentKind.CERTIFICATE)
        page = Client()
        page.force_login(stranger)
        assert (
            page.get(
                f"/acting/{citizen.pk}/cases/{ready.number}/documents/{certificate.verification_code}/"
            ).status_code
            == 404
        )
