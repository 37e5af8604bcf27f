"""Response, resolution and satisfaction rates and overdue tickets on a known data set."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import time_machine

from apps.front.booking.models import GroupMatter
from apps.front.consult.services import ticket_claim, ticket_rate, ticket_reply
from tests.factories import make_matter

from .conftest import at

pytestmark = pytest.mark.django_db

TODAY = at(2026, 12, 10, 15)


@pytest.fixture
def data(ask, hall, other_hall, matter, other_department, clerk, other_hall_clerk, citizen):
    """Period November 2026 at the hall TZ (matter = 社会保障卡申领 of 人社局):

    T1 asked Mon 23 Nov, taken the same day, answered the next day, rated 非常满意;
    T2 asked Mon 23 Nov, taken the next day (late), answered 30 Nov after its 26 Nov limit, rated 非常不满意;
    T3 (another matter of 人社局) asked Tue 24 Nov, never taken: overdue since 27 Nov;
    T4 (医保局 complaint) asked Wed 25 Nov, taken that day, answered 26 Nov, rated 基本满意;
    T5 (医保局 complaint) asked Wed 25 Nov, taken that day, open, due 14 Dec: not overdue.
    Outside: one ticket of October, one of the other hall.
    """
    card_photo = make_matter("M-002", name="社会保障卡照片修改", department=matter.department)
    insurance = make_matter("M-101", name="城乡居民医保参保登记", department=other_department)
    group = hall.groups.get()
    GroupMatter.objects.create(group=group, matter_code=card_photo.code)
    GroupMatter.objects.create(group=group, matter_code=insurance.code)
    GroupMatter.objects.create(group=other_hall.groups.get(), matter_code=matter.code)

    def ask_at(when, matter_code, kind="consultation"):
        from apps.front.consult.services import ticket_ask

        with time_machine.travel(when, tick=False):
            return ticket_ask(citizen=citizen, matter_code=matter_code, kind=kind, title="问题", content="内容")

    def act(when, fn, **kwargs):
        with time_machine.travel(when, tick=False):
            return fn(**kwargs)

    t1 = ask_at(at(2026, 11, 23, 10), matter.code)
    act(at(2026, 11, 23, 11), ticket_claim, clerk=clerk, code=t1.code)
    act(at(2026, 11, 24, 9), ticket_reply, actor=clerk, code=t1.code, body="答复")
    act(at(2026, 11, 24, 12), ticket_rate, citizen=citizen, code=t1.code, score=1)
    t2 = ask_at(at(2026, 11, 23, 15), matter.code)
    act(at(2026, 11, 24, 9), ticket_claim, clerk=clerk, code=t2.code)
    act(at(2026, 11, 30, 9), ticket_reply, actor=clerk, code=t2.code, body="答复")
    act(at(2026, 11, 30, 12), ticket_rate, citizen=citizen, code=t2.code, score=5)
    ask_at(at(2026, 11, 24, 10), card_photo.code)
    t4 = ask_at(at(2026, 11, 25, 10), insurance.code, "complaint")
    act(at(2026, 11, 25, 11), ticket_claim, clerk=clerk, code=t4.code)
    act(at(2026, 11, 26, 11), ticket_reply, actor=clerk, code=t4.code, body="答复")
    act(at(2026, 11, 26, 12), ticket_rate, citizen=citizen, code=t4.code, score=3)
    t5 = ask_at(at(2026, 11, 25, 10), insurance.code, "complaint")
    act(at(2026, 11, 25, 11), ticket_claim, clerk=clerk, code=t5.code)
    ask_at(at(2026, 10, 15, 10), matter.code)
    from apps.front.consult.services import ticket_ask

    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        ticket_ask(
            citizen=citizen,
            matter_code=matter.code,
            kind="consultation",
            title="问题",
            content="内容",
            hall_id=other_hall.id,
        )


def _report(api, user, **params):
    with time_machine.travel(TODAY, tick=False):
        return api(user).get("/api/v1/consult/reports/", {"from": "2026-11-01", "to": "2026-11-30", **params})


def test_figures_by_department(api, data, supervisor):
    response = _report(api, supervisor, by="department")
    assert response.status_code == 200, response.content
    rows = {r["name"]: r for r in response.json()}
    assert set(rows) == {"区人力资源和社会保障局", "区医疗保障局", "合计"}
    rsj = rows["区人力资源和社会保障局"]
    assert (rsj["total"], rsj["responded"], rsj["resolved"], rsj["rated"], rsj["satisfied"], rsj["overdue"]) == (
        3,
        1,
        2,
        2,
        1,
        2,
    )
    assert (Decimal(rsj["response_rate"]), Decimal(rsj["resolution_rate"]), Decimal(rsj["satisfaction_rate"])) == (
        Decimal("33.3"),
        Decimal("66.7"),
        Decimal("50.0"),
    )
    ybj = rows["区医疗保障局"]
    assert (ybj["total"], ybj["responded"], ybj["resolved"], ybj["rated"], ybj["satisfied"], ybj["overdue"]) == (
        2,
        2,
        1,
        1,
        1,
        0,
    )
    total = rows["合计"]
    assert (total["total"], total["responded"], total["resolved"], total["overdue"]) == (5, 3, 3, 2)
    assert Decimal(total["satisfaction_rate"]) == Decimal("66.7")


def test_figures_by_matter_show_no_rate_without_a_denominator(api, data, supervisor):
    rows = {r["key"]: r for r in _report(api, supervisor, by="matter").json()}
    assert rows["M-002"]["total"] == 1 and rows["M-002"]["overdue"] == 1
    assert rows["M-002"]["satisfaction_rate"] is None  # nobody rated: "—", never 0 %
    assert Decimal(rows["M-002"]["response_rate"]) == Decimal("0.0")
    assert (rows["M-001"]["total"], rows["M-001"]["overdue"]) == (2, 1)


def test_the_page_and_the_csv_export(client, data, supervisor):
    with time_machine.travel(TODAY, tick=False):
        client.force_login(supervisor)
        page = client.get("/consult/reports/", {"from": "2026-11-01", "to": "2026-11-30"})
        exported = client.get(
            "/consult/reports/", {"from": "2026-11-01", "to": "2026-11-30", "by": "matter", "export": "csv"}
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert "33.3%" in text and "66.7%" in text and "区医疗保障局" in text
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["事项编码", "名称", "工单数"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["M-001"][2:5] == ["2", "1", "50.0%"]
    assert by_code[""][1:3] == ["合计", "5"]


def test_only_supervisors_read_reports_and_bad_dates_are_refused(api, client, data, clerk, supervisor):
    assert api(clerk).get("/api/v1/consult/reports/").status_code == 403
    client.force_login(clerk)
    assert client.get("/consult/reports/").status_code == 403
    bad = api(supervisor).get("/api/v1/consult/reports/", {"from": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date"
    backwards = api(supervisor).get("/api/v1/consult/reports/", {"from": "2026-11-30", "to": "2026-11-01"})
    assert backwards.status_code == 400 and backwards.json()["code"] == "invalid_period"
    assert api(supervisor).get("/api/v1/consult/reports/", {"by": "clerk"}).status_code == 400


def test_the_api_exports_csv_too(api, data, supervisor):
    response = _report(api, supervisor, by="department", export="csv")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "部门编码"
    assert {r[1]: r[2] for r in rows[1:]} == {"区人力资源和社会保障局": "3", "区医疗保障局": "2", "合计": "5"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        # The default start (30 days before the end) of a date near the calendar's first day was a 500.
        ({"to": "0001-01-05"}, "invalid_date"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "invalid_date"),
        # A report covers at most a year, as the hall reports (govservice/lib/stats.py).
        ({"from": "2024-01-01", "to": "2026-11-30"}, "invalid_period"),
    ],
)
def test_out_of_range_dates_and_spans_are_refused_with_a_message(api, client, supervisor, params, code):
    response = api(supervisor).get("/api/v1/consult/reports/", params)
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["detail"][:1] > "\u4e00"  # Chinese first
    client.force_login(supervisor)
    page = client.get("/consult/reports/", params)
    assert page.status_code == 400


def test_the_csv_keeps_a_name_from_running_as_a_formula_in_excel(api, ask, matter, supervisor):
    matter.name = "=HYPERLINK(1)"
    matter.save()
    ask()
    response = api(supervisor).get("/api/v1/consult/reports/", {"by": "matter", "export": "csv"})
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == [matter.code, "'=HYPERLINK(1)", "1"]
