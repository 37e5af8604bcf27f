"""The clerks' and supervisors' pages: logging a call, routing, extending, publishing; a refused form
comes back with what was typed. And the beat schedule runs the sweep."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.front.consult import tasks
from apps.front.consult.models import ConsultTicket, FaqEntry, TicketAction, TicketStatus
from apps.front.consult.services import ticket_claim, ticket_reply

pytestmark = pytest.mark.django_db


def test_a_clerk_logs_a_call_on_the_page(client, clerk, matter):
    client.force_login(clerk)
    assert matter.name in client.get("/consult/desk/call/").content.decode()
    form = {
        "caller_name": "陈大爷",
        "caller_phone": "1351234",
        "matter": matter.code,
        "kind": "consultation",
        "title": "异地办理",
        "content": "能在永顺办吗？",
    }
    refused = client.post("/consult/desk/call/", form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "请填写11位手机号码" in text and "能在永顺办吗？" in text and "陈大爷" in text
    response = client.post("/consult/desk/call/", {**form, "caller_phone": "13512345678"})
    ticket = ConsultTicket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consult/desk/{ticket.code}/"
    page = client.get(response["Location"]).content.decode()
    assert "陈**" in page and "135****5678" in page and "13512345678" not in page and "电话回复" in page


def test_routing_on_the_page_keeps_the_note_when_refused(client, ask, clerk, other_department):
    ticket = ask()
    client.force_login(clerk)
    client.post(f"/consult/desk/{ticket.code}/claim/")
    refused = client.post(f"/consult/desk/{ticket.code}/route/", {"department": "NOPE", "note": "请医保局答复参保问题"})
    assert refused.status_code == 400 and "请医保局答复参保问题" in refused.content.decode()
    done = client.post(
        f"/consult/desk/{ticket.code}/route/", {"department": other_department.code, "note": "请医保局答复参保问题"}
    )
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ROUTED and ticket.department == other_department
    page = client.get(f"/consult/desk/{ticket.code}/").content.decode()
    assert "转办" in page and "区医疗保障局" in page and "请医保局答复参保问题" in page


def test_a_supervisor_extends_and_publishes_on_the_page(client, ask, clerk, supervisor, matter):
    ticket = ask()
    ticket_claim(clerk=clerk, code=ticket.code)
    client.force_login(supervisor)
    refused = client.post(f"/consult/desk/{ticket.code}/extend/", {"days": "2", "reason": " "})
    assert refused.status_code == 400 and "请填写延期理由" in refused.content.decode()
    client.post(f"/consult/desk/{ticket.code}/extend/", {"days": "2", "reason": "需部门核实"})
    ticket.refresh_from_db()
    assert ticket.extension_days == 2 and ticket.events.filter(action=TicketAction.EXTEND).exists()
    ticket_reply(actor=clerk, code=ticket.code, body="答复")
    client.post(f"/consult/desk/{ticket.code}/publish/", {"question": "补办要多久？", "answer": "当场可取。"})
    assert FaqEntry.objects.get().matter_code == matter.code
    # On an open ticket the supervisor sees the extension form and the clerk does not; the FAQ form neither.
    open_ticket = ask(kind="consultation", title="能否异地补办？")
    client.force_login(supervisor)
    assert "延期理由" in client.get(f"/consult/desk/{open_ticket.code}/").content.decode()
    client.force_login(clerk)
    response = client.get(f"/consult/desk/{open_ticket.code}/")
    page = response.content.decode()
    assert response.status_code == 200 and open_ticket.code in page and "能否异地补办" in page
    assert "发布为常见问题" not in page and "延期理由" not in page


def test_the_staff_queue_costs_a_fixed_number_of_queries(api, ask, clerk):
    for _ in range(2):
        ask()
    client = api(clerk)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/consult/tickets/").json()) == 2
    for _ in range(5):
        ask()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/consult/tickets/").json()) == 7
    assert len(many) == len(few)


def test_the_front_beat_runs_the_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["consult-remind"]
    assert entry["task"] == tasks.tickets_remind_and_escalate.name
    assert entry["schedule"] <= 3600  # often enough to warn on the last day


def test_digits_str_isdigit_takes_but_int_does_not_are_refused_not_a_500(
    client, ask, clerk, supervisor, citizen, matter
):
    # Superscript two: "²".isdigit() is True, int("²") raises.
    ticket = ask()
    ticket_claim(clerk=clerk, code=ticket.code)
    ticket_reply(actor=clerk, code=ticket.code, body="带身份证。")
    client.force_login(citizen)
    rated = client.post(f"/consult/{ticket.code}/rate/", {"score": "\u00b2"})
    assert rated.status_code == 400 and "请选择评价等级" in rated.content.decode()
    asked = client.post(
        "/consult/ask/",
        {"matter": matter.code, "kind": "consultation", "title": "问", "content": "内容", "hall": "\u00b2"},
    )
    assert asked.status_code == 302  # an unusable hall is no choice: the default hall of the matter
    other = ask()
    client.force_login(supervisor)
    extended = client.post(f"/consult/desk/{other.code}/extend/", {"days": "\u00b2", "reason": "核实"})
    assert extended.status_code == 400 and "延期天数" in extended.content.decode()
