"""Consultation refusals are domain errors (issue 11 point 4): a code and a translated sentence from the
service, the status from the edge's one table; page input is read by forms before a service runs."""

from __future__ import annotations

import pytest

from apps.front.consult.models import ConsultTicket
from apps.front.consult.services import ticket_extend, ticket_phone_reveal
from apps.front.consult.services.records import TEXT_FIELDS
from govservice.api import STATUS_BY_CODE, DomainError, status_for

pytestmark = pytest.mark.django_db


def test_every_text_field_code_answers_400_from_the_table():
    for field in TEXT_FIELDS:
        assert STATUS_BY_CODE[f"{field}_required"] == 400, field
        assert STATUS_BY_CODE[f"{field}_too_long"] == 400, field


def test_a_missing_reason_has_a_code_of_its_own_and_still_answers_400(ask, clerk, supervisor):
    ticket = ask()
    with pytest.raises(DomainError) as extending:
        ticket_extend(supervisor=supervisor, code=ticket.code, days=2, reason=" ")
    assert extending.value.code == "extension_reason_required" and status_for(extending.value) == 400
    assert extending.value.status_override is None  # the service picked no status
    with pytest.raises(DomainError) as revealing:
        ticket_phone_reveal(actor=supervisor, code=ticket.code, reason="")
    assert revealing.value.code == "reveal_reason_required" and status_for(revealing.value) == 400


def test_the_api_answers_in_the_readers_language_one_language_at_a_time(api, clerk, matter):
    body = {"matter": matter.code, "kind": "consultation", "title": "问", "content": "内容"}
    chinese = api(clerk).post("/api/v1/consult/tickets/", body, format="json")
    assert chinese.status_code == 403 and chinese.json() == {"code": "not_citizen", "detail": "只有市民可以提交咨询。"}
    english = api(clerk).post("/api/v1/consult/tickets/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403 and english.json() == {"code": "not_citizen", "detail": "Only citizens may ask."}


def test_a_required_field_is_named_in_the_readers_language(client, ask, supervisor):
    ticket = ask()
    client.force_login(supervisor)
    refused = client.post(
        f"/consult/desk/{ticket.code}/extend/", {"days": "2", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert "Please fill in “Reason for the extension”." in refused.content.decode()


def test_the_page_form_refuses_what_is_no_number_before_the_service_runs(client, ask, supervisor):
    ticket = ask()
    client.force_login(supervisor)
    refused = client.post(f"/consult/desk/{ticket.code}/extend/", {"days": "两天", "reason": "需部门核实"})
    assert refused.status_code == 400 and "延期天数应为1至10个工作日。" in refused.content.decode()
    assert ConsultTicket.objects.get(id=ticket.id).extension_days == 0
    done = client.post(f"/consult/desk/{ticket.code}/extend/", {"days": "2", "reason": "需部门核实"})
    assert done.status_code == 302 and ConsultTicket.objects.get(id=ticket.id).extension_days == 2


def test_a_kind_that_is_none_of_the_kinds_is_refused_by_the_form(client, citizen, matter):
    client.force_login(citizen)
    refused = client.post("/consult/ask/", {"matter": matter.code, "kind": "praise", "title": "问", "content": "内容"})
    assert refused.status_code == 400 and "请选择咨询、投诉或建议。" in refused.content.decode()
    assert not ConsultTicket.objects.exists()
