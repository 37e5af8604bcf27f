"""The unit's and the supervisor's pages: lists by ownership, the overview with its CSV and chart, the
fix rating from the case page, a fixed number of queries for the list API."""

import csv
import io
import re

import pytest
from django.test import Client

from apps.front.ratings.models import EvaluationChannel, Rectification, RectificationStatus
from apps.front.ratings.services import (
    evaluation_submit_for_ticket,
    rectification_assign,
    rectification_callback_record,
    rectification_reply,
)

from .conftest import MONDAY, at, make_ticket

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ratings(frozen, hall, matter, citizen, other_citizen):
    """Four window services of one matter: two good, two 差评 (one of them real-name)."""
    made = []
    for number, (who, score) in enumerate([(citizen, 1), (other_citizen, 2), (citizen, 5), (None, 4)], start=1):
        ticket = make_ticket(hall, matter, citizen=who, number=number)
        made.append(
            evaluation_submit_for_ticket(
                ticket_id=ticket.id, hall_id=hall.id, score=score, channel=EvaluationChannel.TABLET
            )
        )
    return made


def test_the_unit_sees_its_rectifications_and_other_units_and_halls_do_not(
    ratings, clerk, other_unit_clerk, other_hall_clerk, citizen
):
    mine = _login(clerk).get("/rectifications/").content.decode()
    table = mine.split('<table id="rectifications">')[1].split("</table>")[0]
    # Both 差评 of the unit (scores 4 and 5), each once, and nothing else.
    assert sorted(r.reference for r in Rectification.objects.all()) == sorted(re.findall(r">(ZG[^<]+)</a>", table))
    assert Rectification.objects.count() == 2
    for outsider in (other_unit_clerk, other_hall_clerk):
        assert "暂无整改单" in _login(outsider).get("/rectifications/").content.decode()
        rectification = Rectification.objects.first()
        assert _login(outsider).get(f"/rectifications/{rectification.id}/").status_code == 404
    assert _login(citizen).get("/rectifications/").status_code == 403


def test_the_list_api_takes_a_fixed_number_of_queries(
    ratings, api, supervisor, hall, matter, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        first = api(supervisor).get("/api/v1/rectifications/")
    for number in (11, 12, 13):
        ticket = make_ticket(hall, matter, number=number)
        evaluation_submit_for_ticket(ticket_id=ticket.id, hall_id=hall.id, score=5, channel=EvaluationChannel.TERMINAL)
    with django_assert_max_num_queries(8):
        more = api(supervisor).get("/api/v1/rectifications/")
    assert len(first.json()) == 2 and len(more.json()) == 5


def test_the_overview_shows_satisfaction_and_rectification_with_csv_and_chart(ratings, supervisor, clerk, matter):
    bad = ratings[2].rectification
    rectification_assign(actor=clerk, rectification_id=bad.id)
    rectification_callback_record(
        actor=clerk, rectification_id=bad.id, called_at=at(MONDAY, 10), outcome="reached", summary="已致歉"
    )
    rectification_reply(actor=clerk, rectification_id=bad.id, fix="培训", reply="已整改")
    page = _login(supervisor).get("/ratings/overview/").content.decode()
    # 4 ratings, 2 good: 50 %; 2 差评, 1 fixed and answered: 50 %; the one real-name 差评 called back: 100 %.
    row = page[page.index('id="by-department"') :]
    row = row[row.index(matter.department.name) :]
    cells = row[: row.index("</tr>")]
    assert ">4<" in cells and "50.0%" in cells and "100.0%" in cells
    assert page.count("<svg") == 2 and "cdn" not in page.lower()
    satisfaction = page[page.index("<title>各部门满意率</title>") :]
    assert matter.department.name in satisfaction[: satisfaction.index("</svg>")] and ">50%<" in satisfaction
    rectified = page[page.index("<title>各部门差评整改率</title>") :]
    assert ">50%<" in rectified[: rectified.index("</svg>")]
    response = _login(supervisor).get("/ratings/overview.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["分组", "部门 / 事项", "评价数", "满意率%"]
    department = next(r for r in rows if r[0] == "部门")
    assert department[1] == matter.department.name and department[2:4] == ["4", "50.0"] and department[7] == "50.0"
    assert any(r[0] == "事项" and matter.name in r[1] for r in rows)


def test_the_overview_refuses_a_bad_date_and_is_for_supervisors(ratings, supervisor, clerk):
    bad = _login(supervisor).get("/ratings/overview/?from=2026-13-01")
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()
    assert _login(supervisor).get("/ratings/overview.csv?to=x").status_code == 400
    assert _login(clerk).get("/ratings/overview/").status_code == 403
    assert _login(supervisor).get("/ratings/overview/?from=2026-03-03").content.decode().count("暂无评价") == 2


def test_the_assignee_works_the_rectification_on_its_page(ratings, clerk, citizen, supervisor):
    rectification = ratings[2].rectification
    page_url = f"/rectifications/{rectification.id}/"
    window = _login(clerk)
    window.post(f"{page_url}assign/")
    error = window.post(
        f"{page_url}callback/", {"called_at": "2026-03-02T09:00", "outcome": "reached", "summary": "已沟通"}
    )
    # Refused with the reason, and what was typed comes back in the form.
    assert (
        error.status_code == 400 and "不能早于评价时间" in error.content.decode() and "已沟通" in error.content.decode()
    )
    window.post(f"{page_url}callback/", {"called_at": "2026-03-02T10:00", "outcome": "reached", "summary": "已沟通"})
    window.post(f"{page_url}reply/", {"fix": "改进取号引导", "reply": "我们已改进取号引导，感谢监督。"})
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.REPLIED
    assert list(rectification.events.values_list("action", flat=True)) == ["open", "assign", "callback", "reply"]


def test_the_citizen_rates_the_fix_on_the_case_page(decided_case, citizen, clerk, api):
    api(citizen).post(f"/api/v1/cases/{decided_case.number}/evaluation/", {"score": 4}, format="json")
    rectification = Rectification.objects.get()
    rectification_assign(actor=clerk, rectification_id=rectification.id)
    rectification_callback_record(
        actor=clerk, rectification_id=rectification.id, called_at=at(MONDAY, 10), outcome="reached", summary="沟通"
    )
    rectification_reply(actor=clerk, rectification_id=rectification.id, fix="改进", reply="已改进材料说明")
    client = _login(citizen)
    page = client.get(f"/cases/{decided_case.number}/").content.decode()
    assert "已改进材料说明" in page and "评价整改结果" in page
    client.post(f"/cases/{decided_case.number}/evaluate/fix/", {"rating": "9"})
    rectification.refresh_from_db()
    assert rectification.fix_rating is None
    client.post(f"/cases/{decided_case.number}/evaluate/fix/", {"rating": "1"})
    rectification.refresh_from_db()
    assert rectification.fix_rating == 1 and rectification.status == RectificationStatus.CLOSED


def test_an_id_out_of_range_is_not_found(ratings, api, supervisor):
    huge = "9" * 30
    assert api(supervisor).get(f"/api/v1/rectifications/{huge}/").status_code == 404
    assert _login(supervisor).get(f"/rectifications/{huge}/").status_code == 404
    assert api(None).post(f"/api/v1/ratings/links/{huge}.x/", {"score": 1}, format="json").status_code == 404


def test_another_citizen_cannot_rate_the_fix_of_my_rating(decided_case, citizen, other_citizen, api):
    api(citizen).post(f"/api/v1/cases/{decided_case.number}/evaluation/", {"score": 4}, format="json")
    assert _login(other_citizen).post(f"/cases/{decided_case.number}/evaluate/fix/", {"rating": "1"}).status_code == 404
    assert Rectification.objects.get().fix_rating is None


def test_the_overview_csv_keeps_a_name_from_running_as_a_formula_in_excel(frozen, hall, matter, supervisor):
    matter.name = "=HYPERLINK(1)"
    matter.save()
    matter.department.name = "@SUM(A1)"
    matter.department.save()
    ticket = make_ticket(hall, matter, number=7)
    evaluation_submit_for_ticket(ticket_id=ticket.id, hall_id=hall.id, score=1, channel=EvaluationChannel.TABLET)
    response = _login(supervisor).get("/ratings/overview.csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["'@SUM(A1)", "'@SUM(A1) · =HYPERLINK(1)"]


def test_a_call_time_with_no_such_hour_is_refused_with_the_form_kept(ratings, clerk):
    rectification = ratings[2].rectification
    window = _login(clerk)
    window.post(f"/rectifications/{rectification.id}/assign/")
    refused = window.post(
        f"/rectifications/{rectification.id}/callback/",
        {"called_at": "2026-03-02T25:00", "outcome": "reached", "summary": "已沟通"},
    )
    assert refused.status_code == 400
    assert "请填写回访时间" in refused.content.decode() and "已沟通" in refused.content.decode()
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.OPEN


def test_the_overview_rounds_half_up_like_the_hall_reports(frozen, hall, matter, supervisor):
    """1 good rating in 16 is 6.25 %: 6.3 % here as on /reports/ (govservice.lib.stats.rate), not the 6.2 %
    of Python's round() on a float."""
    from apps.front.reports.selectors import satisfaction_by_matter
    from govservice.lib.stats import Period

    for number in range(1, 17):
        ticket = make_ticket(hall, matter, number=number)
        evaluation_submit_for_ticket(
            ticket_id=ticket.id, hall_id=hall.id, score=1 if number == 1 else 4, channel=EvaluationChannel.TABLET
        )
    from apps.front.ratings.selectors import overview

    row = overview(user=supervisor)["departments"][0]
    today = ticket.service_date
    theirs = satisfaction_by_matter(period=Period(start=today, end=today), hall_id=hall.id)[0]
    assert (row.total, row.good) == (16, 1)
    assert row.satisfaction == theirs["good_rate"] == 6.3


def test_the_case_page_shows_the_rating_and_its_comment_in_the_readers_language(decided_case, citizen, api):
    api(citizen).post(
        f"/api/v1/cases/{decided_case.number}/evaluation/", {"score": 5, "comment": "办得很快"}, format="json"
    )
    client = _login(citizen)
    chinese = client.get(f"/cases/{decided_case.number}/").content.decode()
    assert re.search(r'您的评价：<strong id="my-evaluation">[^<]+</strong>.*——办得很快</p>', chinese)
    english = client.get(f"/cases/{decided_case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'Your rating: <strong id="my-evaluation">[^<]+</strong>.*: 办得很快</p>', english)
    assert "——" not in english
