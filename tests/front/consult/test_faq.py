"""A supervisor publishes an answered ticket, edited and without personal data, as a FAQ of its matter."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from apps.front.consult.models import FaqEntry, TicketAction
from apps.front.consult.selectors import faq_for_matter
from apps.front.consult.services import faq_unpublish, ticket_claim, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(ask, clerk):
    ticket = ask(title="王小明问：社保卡丢了", content="我叫王小明，电话13800001111，社保卡丢了")
    ticket_claim(clerk=clerk, code=ticket.code)
    ticket_reply(actor=clerk, code=ticket.code, body="携带身份证到社保窗口挂失补办，补卡工本费由财政承担。")
    return ticket


def test_a_supervisor_publishes_an_edited_answer(api, answered, supervisor, matter):
    response = api(supervisor).post(
        f"/api/v1/consult/tickets/{answered.code}/faq/",
        {"question": "社保卡丢了怎么补办？", "answer": "携带身份证到社保窗口挂失补办，不收费。"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [e.question for e in faq_for_matter(matter.code)] == ["社保卡丢了怎么补办？"]
    assert answered.events.filter(action=TicketAction.FAQ, actor=supervisor).exists()
    public = api(None).get(f"/api/v1/matters/{matter.code}/faq/")
    assert public.status_code == 200 and public.json()[0]["answer"] == "携带身份证到社保窗口挂失补办，不收费。"
    page = api(None).get(f"/matters/{matter.code}/faq/")
    assert page.status_code == 200 and "社保卡丢了怎么补办？" in page.content.decode()
    # The include the matter guide uses.
    html = render_to_string("consult/_faq.html", {"faq": faq_for_matter(matter.code), "matter_code": matter.code})
    assert "社保卡丢了怎么补办？" in html and "不收费" in html
    faq_unpublish(supervisor=supervisor, entry_id=FaqEntry.objects.get().id)
    assert faq_for_matter(matter.code) == []


@pytest.mark.parametrize(
    "question",
    ["王小明的社保卡丢了怎么办？", "电话13800001111的市民问补办", "身份证11010519491231002X能补办吗"],
)
def test_it_refuses_personal_data(api, answered, supervisor, question):
    response = api(supervisor).post(
        f"/api/v1/consult/tickets/{answered.code}/faq/", {"question": question, "answer": "可以补办。"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "personal_data" and "个人信息" in response.json()["detail"]
    assert not FaqEntry.objects.exists()


def test_only_supervisors_publish_and_only_answered_tickets(api, ask, answered, clerk, supervisor):
    payload = {"question": "问题？", "answer": "答复。"}
    assert api(clerk).post(f"/api/v1/consult/tickets/{answered.code}/faq/", payload, format="json").status_code == 403
    unanswered = ask()
    response = api(supervisor).post(f"/api/v1/consult/tickets/{unanswered.code}/faq/", payload, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_answered"
    assert not FaqEntry.objects.exists()


def test_the_faq_of_an_unknown_matter_is_not_found(client, api, matter):
    assert client.get("/matters/NOPE/faq/").status_code == 404
    # The API as the page (and as /api/v1/matters/NOPE/ itself): not an empty list of a matter that does not exist.
    for path in ("/api/v1/matters/NOPE/faq/", "/api/v1/matters/NOPE/halls/"):
        answer = api(None).get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path
        assert answer.json()["detail"] == "No such matter."
    assert api(None).get(f"/api/v1/matters/{matter.code}/faq/").json() == []
    assert api(None).get(f"/api/v1/matters/{matter.code}/halls/").status_code == 200
