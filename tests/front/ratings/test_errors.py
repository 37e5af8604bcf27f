"""好差评 refusals are domain errors (issue 11 point 4): a code and a translated sentence from the service,
the status from the edge's one table; page input is read by forms before a service runs."""

from __future__ import annotations

import pytest

from apps.front.ratings.models import AppealStatus, Rectification
from apps.front.ratings.services import rectification_appeal, rectification_reveal_rater
from apps.front.ratings.services.rectifications import TEXT_CODES
from govservice.api import STATUS_BY_CODE, DomainError, status_for

pytestmark = pytest.mark.django_db


def _rate_badly(api, citizen, case) -> Rectification:
    response = api(citizen).post(
        f"/api/v1/cases/{case.number}/evaluation/",
        {"score": 5, "tags": ["rude"], "comment": "窗口态度差"},
        format="json",
    )
    assert response.status_code == 201
    return Rectification.objects.get(evaluation__case=case)


def test_every_text_code_answers_400_from_the_table():
    assert all(STATUS_BY_CODE[code] == 400 for code in TEXT_CODES)


def test_only_the_assignee_calls_back_a_403_of_its_own(api, citizen, decided_case, clerk, colleague):
    rectification = _rate_badly(api, citizen, decided_case)
    assert api(clerk).post(f"/api/v1/rectifications/{rectification.id}/assign/", {}, format="json").status_code == 200
    with pytest.raises(DomainError) as refused:
        rectification_reveal_rater(viewer=colleague, rectification_id=rectification.id)
    assert refused.value.code == "not_callback_assignee" and status_for(refused.value) == 403
    answer = api(colleague).post(
        f"/api/v1/rectifications/{rectification.id}/rater/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 403
    assert answer.json() == {
        "code": "not_callback_assignee",
        "detail": "Only the staff member assigned to call the rater back may do this.",
    }


def test_an_appeal_without_a_reason_answers_400_with_its_own_code(api, citizen, decided_case, clerk):
    rectification = _rate_badly(api, citizen, decided_case)
    with pytest.raises(DomainError) as refused:
        rectification_appeal(actor=clerk, rectification_id=rectification.id, reason="  ")
    assert refused.value.code == "appeal_reason_required" and status_for(refused.value) == 400
    assert str(refused.value.message) == "请填写申诉理由。"


def test_a_forged_link_reads_in_english_when_asked(client):
    page = client.get("/rate/forged/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404 and "This link is not valid." in page.content.decode()
    assert "评价链接无效。" in client.get("/rate/forged/").content.decode()


def test_the_decision_form_refuses_an_unknown_decision_before_the_service_runs(
    client, api, citizen, decided_case, clerk, supervisor
):
    rectification = _rate_badly(api, citizen, decided_case)
    rectification_appeal(actor=clerk, rectification_id=rectification.id, reason="评价的不是本窗口的服务")
    client.force_login(supervisor)
    url = f"/rectifications/{rectification.id}/decide/"
    refused = client.post(url, {"decision": "maybe", "note": "核实"})
    assert refused.status_code == 400 and "请选择审核结果。" in refused.content.decode()
    assert Rectification.objects.get(id=rectification.id).appeal_status == AppealStatus.PENDING
    assert client.post(url, {"decision": "uphold", "note": "核实属实"}).status_code == 302
    assert Rectification.objects.get(id=rectification.id).appeal_status == AppealStatus.UPHELD
