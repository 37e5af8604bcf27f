"""Hall supervisors' reports: exact figures on a known data set, CSV exports, who may see what, and a
fixed number of queries whatever the data size."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from apps.front.booking.models import AppointmentStatus
from apps.front.floor.models import TicketStatus
from apps.front.reports import selectors
from apps.front.reports.tables import satisfaction_by_department
from apps.shared.accounts.models import Role
from govservice.lib.stats import Period
from tests.factories import make_user

from .conftest import SERVICE_DAY, TODAY, appointment, evaluate, ticket

pytestmark = pytest.mark.django_db

PERIOD = Period(start=TODAY - dt.timedelta(days=29), end=TODAY)


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode()), "Excel needs the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- The figures -----------------------------------------------------------------------------------------


def test_it_counts_bookings_and_the_no_show_rate(known_data, hall):
    rows = selectors.bookings_by_matter(period=PERIOD, hall_id=hall.id)
    assert rows == [
        {
            "hall": hall.name,
            "matter": "社会保障卡申领",
            "booked": 6,
            "cancelled": 1,
            "attended": 3,
            "no_show": 1,
            "no_show_rate": 25.0,
        }
    ]


def test_it_computes_wait_and_service_percentiles_per_hall_in_sql(known_data, hall):
    # Waits 2, 4, 6, 8, 10 → P50 6, P90 8 + 0.6 × 2 = 9.2; services 5, 10, 15, 20 → P50 12.5, P90 18.5.
    assert selectors.waits_by_hall(period=PERIOD, hall_id=hall.id) == [
        {
            "hall": hall.name,
            "issued": 6,
            "served": 4,
            "missed": 1,
            "wait_p50": 6.0,
            "wait_p90": 9.2,
            "service_p50": 12.5,
            "service_p90": 18.5,
        }
    ]


def test_it_computes_percentiles_per_window(known_data, hall):
    rows = selectors.waits_by_window(period=PERIOD, hall_id=hall.id)
    assert rows == [
        {
            "hall": hall.name,
            "window": 1,
            "group": "综合受理",
            "called": 3,
            "served": 3,
            "wait_p50": 4.0,
            "wait_p90": 5.6,
            "service_p50": 10.0,
            "service_p90": 14.0,
        },
        {
            "hall": hall.name,
            "window": 2,
            "group": "综合受理",
            "called": 2,
            "served": 1,
            "wait_p50": 9.0,
            "wait_p90": 9.8,
            "service_p50": 20.0,
            "service_p90": 20.0,
        },
    ]


def test_it_gives_acceptance_refusal_notice_and_deemed_acceptance_rates(known_data, hall):
    # The case accepted by law (行政许可法 Art. 32 (4)) counts as accepted and on its own as 视为受理.
    assert selectors.intake_by_matter(period=PERIOD, hall_id=hall.id) == [
        {
            "hall": hall.name,
            "matter": "社会保障卡申领",
            "received": 6,
            "accepted": 4,
            "refused": 1,
            "notice": 2,
            "deemed": 1,
            "accepted_rate": 66.7,
            "refused_rate": 16.7,
            "notice_rate": 33.3,
            "deemed_rate": 16.7,
        }
    ]


def test_it_gives_satisfaction_and_the_rectification_rate_by_department_and_matter(known_data, hall):
    assert selectors.satisfaction_by_matter(period=PERIOD, hall_id=hall.id) == [
        {
            "department": "区人力资源和社会保障局",
            "matter": "社会保障卡申领",
            # The 差评 voided on appeal counts only in its own column.
            "rated": 4,
            "good": 3,
            "bad": 1,
            "voided": 1,
            "rectified": 1,
            "good_rate": 75.0,
            "rectified_rate": 100.0,
        },
        {
            "department": "区医疗保障局",
            "matter": "城乡居民医保参保登记",
            "rated": 1,
            "good": 0,
            "bad": 1,
            "voided": 0,
            "rectified": 0,
            "good_rate": 0.0,
            "rectified_rate": 0.0,
        },
    ]


def test_it_agrees_with_the_ratings_overview(known_data, hall, supervisor):
    """The same 满意率 and 整改率 as the 好差评 overview of apps.front.ratings, whose definitions it follows."""
    from apps.front.ratings.selectors import overview

    theirs = overview(user=supervisor, date_from=PERIOD.start, date_to=PERIOD.end)["matters"]
    ours = selectors.satisfaction_by_matter(period=PERIOD, hall_id=hall.id)
    assert [(r.label, r.total, r.good, r.bad, r.rectified) for r in theirs] == [
        (f"{r['department']} · {r['matter']}", r["rated"], r["good"], r["bad"], r["rectified"]) for r in ours
    ]
    departments = overview(user=supervisor, date_from=PERIOD.start, date_to=PERIOD.end)["departments"]
    assert [
        (r.label, r.total, r.good, r.bad, r.rectified, r.satisfaction, r.rectification_rate) for r in departments
    ] == [
        (r["department"], r["rated"], r["good"], r["bad"], r["rectified"], r["good_rate"], r["rectified_rate"])
        for r in satisfaction_by_department(ours)
    ]


def test_it_leaves_out_what_falls_outside_the_period(known_data, hall):
    # From the day after the service day there is nothing left (the appointments were the day before it).
    later = Period(start=SERVICE_DAY + dt.timedelta(days=1), end=TODAY)
    for read in (
        selectors.bookings_by_matter,
        selectors.waits_by_hall,
        selectors.intake_by_matter,
        selectors.satisfaction_by_matter,
    ):
        assert read(period=later, hall_id=hall.id) == []
    # The appointments' day alone: the bookings and nothing else.
    before = Period(start=SERVICE_DAY - dt.timedelta(days=1), end=SERVICE_DAY - dt.timedelta(days=1))
    assert [r["booked"] for r in selectors.bookings_by_matter(period=before, hall_id=hall.id)] == [6]
    assert selectors.waits_by_hall(period=before, hall_id=hall.id) == []
    # Forty days back, only the old no-show.
    old = Period(start=TODAY - dt.timedelta(days=40), end=TODAY - dt.timedelta(days=40))
    assert selectors.bookings_by_matter(period=old, hall_id=hall.id)[0]["no_show_rate"] == 100.0


def test_it_shows_no_rate_when_there_is_nothing_to_divide(frozen, hall, matter, citizen):
    appointment(hall, matter, citizen, AppointmentStatus.BOOKED, TODAY)
    ticket(hall, matter, window=None, wait=None, service=None, status=TicketStatus.WAITING)
    assert selectors.bookings_by_matter(period=PERIOD, hall_id=hall.id)[0]["no_show_rate"] is None
    row = selectors.waits_by_hall(period=PERIOD, hall_id=hall.id)[0]
    assert (row["issued"], row["wait_p50"], row["service_p90"]) == (1, None, None)


# --- The page and its charts -----------------------------------------------------------------------------


def test_it_shows_the_supervisor_their_hall_with_figures_and_charts(known_data, supervisor, hall, other_hall):
    response = page_for(supervisor).get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert hall.name in html and other_hall.name not in html
    figures = html.split('id="report-figures"')[1].split("</dl>")[0]
    assert "<dd>6</dd>" in figures  # bookings
    assert "<dd>25.0%</dd>" in figures  # no-show rate
    assert "<dd>60.0%</dd>" in figures  # 满意率: 3 of 5 counted ratings
    assert "<dd>50.0%</dd>" in figures  # 差评整改率: 1 of 2 counted 差评
    assert html.count("<svg") == 6  # one chart per table
    satisfaction = html.split('id="report-satisfaction"')[1].split("</section>")[0]
    assert ">满意度</h2>" in satisfaction
    # 医保: one rating, a 5 (非常不满意): no good ones, one 差评 not yet rectified.
    assert (
        '<td>区医疗保障局</td><td>城乡居民医保参保登记</td><td class="num">1</td><td class="num">0</td><td class="num">0.0%</td>'
        '<td class="num">1</td><td class="num">0</td><td class="num">0</td><td class="num">0.0%</td>'
    ) in satisfaction.replace("\n", "")
    departments = satisfaction.split('id="h-satisfaction-departments"')[1]
    # Per department: 区人力资源和社会保障局 4 rated, 3 good, 1 counted 差评 (fixed), 1 voided.
    assert (
        '<td>区人力资源和社会保障局</td><td class="num">4</td><td class="num">3</td><td class="num">75.0%</td>'
        in departments.replace("\n", "")
    )
    windows = html.split('id="report-windows"')[1].split("</section>")[0]
    assert "1号窗口" in windows and ">5.6</td>" in windows
    # The period defaults to the last 30 days, both ends included.
    assert 'value="2026-05-17"' in html and 'value="2026-06-15"' in html


def test_it_reports_a_chosen_period(known_data, supervisor):
    html = page_for(supervisor).get("/reports/", {"start": "2026-06-14", "end": "2026-06-15"}).content.decode()
    figures = html.split('id="report-figures"')[1].split("</dl>")[0]
    assert "<dt>预约数</dt><dd>0</dd>" in figures  # no bookings on those two days
    assert html.count("本期暂无数据") == 6


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01"}, "日期格式应为"),
        ({"start": "2026-06-15", "end": "2026-06-01"}, "开始日期不能晚于结束日期"),
        ({"start": "2025-01-01", "end": "2026-06-15"}, "统计区间最长366天"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "日期应在2000年至2099年之间"),
        # Only an end near the calendar's first day: its default start (29 days before) was a 500.
        ({"end": "0001-01-05"}, "日期应在2000年至2099年之间"),
    ],
)
def test_it_refuses_a_bad_period_with_a_clear_message(frozen, supervisor, params, message):
    for url in ("/reports/", "/reports/bookings.csv"):
        response = page_for(supervisor).get(url, params)
        assert response.status_code == 400
        assert message in response.content.decode()


# --- CSV ---------------------------------------------------------------------------------------------------


def test_it_exports_each_table_as_csv_for_excel(known_data, supervisor, hall, citizen):
    client = page_for(supervisor)
    response = client.get("/reports/waits.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="waits_TZ_20260517-20260615.csv"'
    assert read_csv(response) == [
        ["大厅", "取号数", "办结数", "过号", "等候P50(分钟)", "等候P90(分钟)", "办理P50(分钟)", "办理P90(分钟)"],
        [hall.name, "6", "4", "1", "6.0", "9.2", "12.5", "18.5"],
    ]
    assert read_csv(client.get("/reports/satisfaction.csv"))[0] == [
        "部门",
        "事项",
        "评价数",
        "满意数",
        "满意率(%)",
        "差评数",
        "申诉成立数",
        "整改数",
        "差评整改率(%)",
    ]
    assert read_csv(client.get("/reports/bookings.csv"))[1] == [hall.name, "社会保障卡申领", "6", "1", "3", "1", "25.0"]
    for slug in ("bookings", "waits", "windows", "intake", "satisfaction"):
        text = client.get(f"/reports/{slug}.csv").content.decode("utf-8-sig")
        # Aggregates only: no citizen, no phone, no ID number, no case number.
        for personal in (citizen.real_name, citizen.phone, citizen.id_number, "TZ0000"):
            assert personal not in text


def test_it_exports_an_empty_table_with_its_header_and_a_404_for_an_unknown_one(frozen, supervisor):
    client = page_for(supervisor)
    assert read_csv(client.get("/reports/intake.csv")) == [
        [
            "大厅",
            "事项",
            "收件数",
            "受理数",
            "受理率(%)",
            "不予受理数",
            "不予受理率(%)",
            "一次性告知数",
            "一次性告知率(%)",
            "逾期视为受理数",
            "逾期视为受理率(%)",
        ]
    ]
    assert client.get("/reports/nothing.csv").status_code == 404


def test_it_keeps_a_name_from_running_as_a_formula_in_excel(frozen, supervisor, hall, matter, citizen):
    matter.name = "=HYPERLINK(1)"
    matter.save()
    appointment(hall, matter, citizen, AppointmentStatus.COMPLETED, TODAY)
    rows = read_csv(page_for(supervisor).get("/reports/bookings.csv"))
    assert rows[1][1] == "'=HYPERLINK(1)"


# --- Who may see what ---------------------------------------------------------------------------------------


def test_it_is_for_hall_supervisors_and_admins_only(frozen, clerk, citizen, client):
    for user in (clerk, citizen):
        for url in ("/reports/", "/reports/bookings.csv"):
            response = page_for(user).get(url)
            assert response.status_code == 403
            assert "您无权访问此页面" in response.content.decode()
    assert client.get("/reports/").status_code == 302  # anonymous: to the login page


def test_it_keeps_a_supervisor_to_their_own_hall(known_data, supervisor, other_hall):
    client = page_for(supervisor)
    for url in ("/reports/", "/reports/waits.csv"):
        response = client.get(url, {"hall": other_hall.code})
        assert response.status_code == 403
        assert "只能查看本大厅" in response.content.decode()
    text = client.get("/reports/waits.csv").content.decode("utf-8-sig")
    assert other_hall.name not in text


def test_it_refuses_a_supervisor_without_a_hall(frozen):
    loose = make_user("loosesup", Role.HALL_SUPERVISOR)
    response = page_for(loose).get("/reports/")
    assert response.status_code == 403
    assert "尚未分配到大厅" in response.content.decode()


def test_it_shows_an_admin_every_hall_or_the_one_chosen(known_data, admin_user, hall, other_hall):
    client = page_for(admin_user)
    rows = read_csv(client.get("/reports/waits.csv"))
    assert [r[0] for r in rows[1:]] == [hall.name, other_hall.name]  # by hall code: TZ, YS
    html = client.get("/reports/").content.decode()
    assert "全部大厅" in html and "<dd>7</dd>" in html  # both halls' bookings
    only = read_csv(client.get("/reports/waits.csv", {"hall": other_hall.code}))
    assert only[1][:2] == [other_hall.name, "1"] and only[1][4] == "90.0"
    assert client.get("/reports/", {"hall": "NOPE"}).status_code == 404


# --- Queries ------------------------------------------------------------------------------------------------


def test_it_reads_each_table_in_one_query_whatever_the_data_size(
    known_data, supervisor, hall, matter, citizen, django_assert_max_num_queries
):
    client = page_for(supervisor)
    # session, user, the supervisor's hall, then one query per table (six).
    with django_assert_max_num_queries(9):
        assert client.get("/reports/").status_code == 200
    for index in range(40):
        done = ticket(
            hall,
            matter,
            window=hall.windows.get(number=1 + index % 2),
            wait=index,
            service=index + 1,
            status=TicketStatus.DONE,
        )
        evaluate(hall=hall, matter=matter, score=1 + index % 5, ticket=done)
        appointment(hall, matter, citizen, AppointmentStatus.COMPLETED, TODAY - dt.timedelta(days=index % 20))
    with django_assert_max_num_queries(9):
        assert client.get("/reports/").status_code == 200
    for slug in ("bookings", "waits", "windows", "intake", "applicants", "satisfaction"):
        with django_assert_max_num_queries(4):
            assert client.get(f"/reports/{slug}.csv").status_code == 200


def test_it_keeps_the_csv_file_name_safe(frozen, admin_user, other_hall):
    other_hall.code = 'Y"S;x'
    other_hall.save()
    response = page_for(admin_user).get("/reports/intake.csv", {"hall": other_hall.code})
    assert response["Content-Disposition"] == 'attachment; filename="intake_YSx_20260517-20260615.csv"'


def test_it_speaks_english_when_asked(known_data, supervisor):
    client = page_for(supervisor)
    html = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h2 id="h-satisfaction">Satisfaction</h2>' in html and "No-show rate" in html
    assert "Window 1" in html  # a chart label
    header = read_csv(client.get("/reports/waits.csv", HTTP_ACCEPT_LANGUAGE="en"))[0]
    assert header[:3] == ["Hall", "Tickets", "Finished"]
