"""Central supervisors' dashboard: approval durations against the promise, overdue cases, CSV exports,
who may open it, and a fixed number of queries whatever the data size."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from apps.central.review.models import ReviewCase, ReviewStatus
from apps.central.review.selectors import (
    durations_by_department_matter,
    open_case_clocks,
    overdue_cases,
    platforms_summary,
)
from apps.shared.accounts.models import Role
from apps.shared.exchange.models import OutboxMessage, OutboxStatus, Peer
from govservice.lib.stats import Period
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)  # a Monday
NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
PERIOD = Period(start=TODAY - dt.timedelta(days=29), end=TODAY)
_numbers = itertools.count(1)


def review_case(
    matter, platform, *, status=ReviewStatus.DECIDED, used=0, running_since=None, decided_days_ago=2, extended=0
):
    decided_at = NOW - dt.timedelta(days=decided_days_ago) if status == ReviewStatus.DECIDED else None
    return ReviewCase.objects.create(
        platform=platform,
        front_number=f"TZ2026{next(_numbers):09d}",
        matter=matter,
        department=matter.department,
        hall_name="北京城市副中心政务服务中心",
        applicant_name="王小明",
        applicant_id_number="11010519491231002X",
        status=status,
        accepted_at=NOW - dt.timedelta(days=30),
        promised_limit=matter.promised_days,
        legal_limit=matter.legal_days,
        clock_used=used,
        clock_running_since=running_since,
        decided_at=decided_at,
        extended_days=extended,
    )


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def supervisor(db):
    return make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")


@pytest.fixture
def known_cases(frozen, matter, other_department, platform):
    """社保卡 (promised 5): decided in 2, 4, 5, 7 working days; 婚姻登记 (promised 10, legal 20): 25 days
    (past the legal limit) and 25 days with a 10-day extension (not past it). Outside: a decision 40 days
    back, a withdrawal. Open: two overdue, one yellow, one paused past its limit, one extended."""
    marriage = make_matter("M-MZ01", department=other_department, name="婚姻登记", promised_days=10)
    for used in (2, 4, 5, 7):
        review_case(matter, platform, used=used)
    review_case(marriage, platform, used=25)
    review_case(marriage, platform, used=25, extended=10)
    review_case(matter, platform, used=1, decided_days_ago=40)
    review_case(matter, platform, status=ReviewStatus.WITHDRAWN, used=30)
    overdue = [
        review_case(matter, platform, status=ReviewStatus.IN_REVIEW, running_since=dt.date(2026, 6, 1)),
        review_case(
            marriage, platform, status=ReviewStatus.SPECIAL_PROCEDURE, used=2, running_since=dt.date(2026, 6, 5)
        ),
    ]
    overdue[1].promised_limit = 5
    overdue[1].save(update_fields=["promised_limit"])
    review_case(matter, platform, status=ReviewStatus.IN_REVIEW, running_since=dt.date(2026, 6, 10))  # yellow
    review_case(matter, platform, status=ReviewStatus.CORRECTION, used=9)  # paused
    review_case(matter, platform, status=ReviewStatus.IN_REVIEW, running_since=dt.date(2026, 6, 1), extended=10)
    return overdue


def page_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_measures_approval_durations_against_the_promise(known_cases, department, other_department):
    assert durations_by_department_matter(period=PERIOD) == [
        {
            "department": other_department.name,
            "matter": "婚姻登记",
            "decided": 2,
            "within": 0,
            "late": 2,
            "within_rate": 0.0,
            "median_days": 25.0,
            "p90_days": 25.0,
            "promised_days": 10.0,
            "beyond_legal": 1,
        },
        {
            # 2, 4, 5, 7 → median 4.5, P90 5 + 0.7 × 2 = 6.4; three of four within the 5 promised days.
            "department": department.name,
            "matter": "社会保障卡申领",
            "decided": 4,
            "within": 3,
            "late": 1,
            "within_rate": 75.0,
            "median_days": 4.5,
            "p90_days": 6.4,
            "promised_days": 5.0,
            "beyond_legal": 0,
        },
    ]
    one_day = Period(start=TODAY - dt.timedelta(days=40), end=TODAY - dt.timedelta(days=40))
    assert [(r["decided"], r["median_days"]) for r in durations_by_department_matter(period=one_day)] == [(1, 1.0)]


def test_it_lists_the_overdue_cases_most_overdue_first(known_cases):
    rows = overdue_cases(today=TODAY)
    # 10 working days used of 5 (2–5, 8–12, 15 June); 2 + 6 of 5.
    assert [(r["number"], r["used"], r["limit"], r["over"]) for r in rows] == [
        (known_cases[0].front_number, 10, 5, 5),
        (known_cases[1].front_number, 8, 5, 3),
    ]
    assert rows[1]["status"] == "特别程序" and rows[1]["matter"] == "婚姻登记"


def test_it_shows_the_dashboard_with_figures_a_chart_and_the_overdue_cases(known_cases, supervisor):
    response = page_for(supervisor).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    figures = html.split('id="report-figures"')[1].split("</dl>")[0]
    assert "<dd>6</dd>" in figures and "<dd>50.0%</dd>" in figures and "<dd>2</dd>" in figures
    durations = html.split('id="report-durations"')[1]
    assert "<svg" in durations and "75.0%" in durations and ">4.5</td>" in durations
    overdue = html.split('id="report-overdue"')[1].split("</section>")[0]
    assert known_cases[0].front_number in overdue and known_cases[1].front_number in overdue
    assert "王小明" not in html  # the applicant is nobody's business on a dashboard
    assert 'value="2026-05-17"' in html and 'value="2026-06-15"' in html


def test_the_dashboard_reads_the_open_cases_once(known_cases, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert page_for(supervisor).get("/dashboard/").status_code == 200
    open_case_reads = [
        q["sql"]
        for q in queries
        if 'FROM "review_reviewcase"' in q["sql"] and "NOT" in q["sql"] and "GROUP BY" not in q["sql"]
    ]
    assert len(open_case_reads) == 1, open_case_reads


def test_it_exports_durations_and_overdue_cases_as_csv(known_cases, supervisor, department):
    client = page_for(supervisor)
    durations = client.get("/dashboard/", {"export": "durations"})
    assert durations["Content-Disposition"] == 'attachment; filename="durations_20260517-20260615.csv"'
    rows = read_csv(durations)
    assert rows[0] == [
        "部门",
        "事项",
        "决定数",
        "承诺时限内办结",
        "超承诺时限",
        "承诺时限内办结率(%)",
        "用时中位数(工作日)",
        "用时P90(工作日)",
        "承诺时限(工作日)",
        "超法定时限",
    ]
    assert rows[2] == [department.name, "社会保障卡申领", "4", "3", "1", "75.0", "4.5", "6.4", "5.0", "0"]
    overdue = read_csv(client.get("/dashboard/", {"export": "overdue"}))
    assert overdue[0] == ["办件编号", "部门", "事项", "状态", "已用工作日", "时限(工作日)", "超期工作日"]
    assert overdue[1] == [known_cases[0].front_number, department.name, "社会保障卡申领", "审查中", "10", "5", "5"]
    for response in (durations, client.get("/dashboard/", {"export": "overdue"})):
        text = response.content.decode("utf-8-sig")
        assert "王小明" not in text and "11010519491231002X" not in text
    assert client.get("/dashboard/", {"export": "nothing"}).status_code == 404


def test_it_splits_the_dashboard_by_platform_with_the_wire_to_each(known_cases, supervisor, matter, platform):
    second = Peer.objects.create(code="BJ-SZ", name="北京市政务服务中心前台", base_url="http://127.0.0.1:9")
    ReviewCase.objects.filter(id=known_cases[0].id).update(platform=second, received_at=NOW - dt.timedelta(days=1))
    review_case(matter, second, used=3)
    for status in (OutboxStatus.DEAD, OutboxStatus.DEAD, OutboxStatus.PENDING):
        OutboxMessage.objects.create(peer=second, kind="case.decided", payload={"number": "SZ1"}, status=status)
    OutboxMessage.objects.create(
        peer=platform, kind="case.decided", payload={"number": "TZ1"}, status=OutboxStatus.DELIVERED
    )

    rows = {row["code"]: row for row in platforms_summary(period=PERIOD, clocks=open_case_clocks(today=TODAY))}

    assert (rows["BJ-SZ"]["received"], rows["BJ-SZ"]["decided"], rows["BJ-SZ"]["open"], rows["BJ-SZ"]["overdue"]) == (
        2,
        1,
        1,
        1,
    )
    assert (rows["BJ-SZ"]["pending"], rows["BJ-SZ"]["dead"]) == (1, 2)
    assert (rows["BJ-TZ"]["decided"], rows["BJ-TZ"]["open"], rows["BJ-TZ"]["pending"], rows["BJ-TZ"]["dead"]) == (
        6,
        4,
        0,
        0,
    )
    html = page_for(supervisor).get("/dashboard/").content.decode()
    table = html.split('id="report-platforms"')[1].split("</section>")[0]
    assert "北京市政务服务中心前台" in table and "北京城市副中心前台" in table
    row = table.split('data-platform="BJ-SZ"')[1].split("</tr>")[0]
    assert f"peer__id__exact={second.id}" in row and "<strong>2</strong>" in row


def test_it_refuses_a_bad_period_with_a_clear_message(frozen, supervisor):
    response = page_for(supervisor).get("/dashboard/", {"start": "2026-06-15", "end": "2026-06-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_it_is_for_central_supervisors_and_admins_only(frozen, approver, client):
    assert page_for(approver).get("/dashboard/").status_code == 403
    assert page_for(approver).get("/dashboard/", {"export": "overdue"}).status_code == 403
    assert client.get("/dashboard/").status_code == 302
    admin = make_user("siteadmin", Role.ADMIN)
    assert page_for(admin).get("/dashboard/").status_code == 200


def test_it_reads_the_dashboard_in_a_fixed_number_of_queries(
    known_cases, supervisor, matter, platform, django_assert_max_num_queries
):
    client = page_for(supervisor)
    # 10, and 4 for the table of platforms (grouped: whatever the number of platforms).
    with django_assert_max_num_queries(14) as first:
        client.get("/dashboard/")
    second = Peer.objects.create(code="BJ-SZ", name="北京市政务服务中心前台", base_url="http://127.0.0.1:9")
    for index in range(30):
        review_case(matter, second if index % 2 else platform, used=index % 9)
        review_case(
            matter,
            platform,
            status=ReviewStatus.IN_REVIEW,
            running_since=dt.date(2026, 5, 1) + dt.timedelta(days=index),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/dashboard/")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/dashboard/", {"export": "durations"})
