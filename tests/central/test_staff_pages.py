"""Central's staff-only work on pages outside the Django admin (issue 13): approver posts (TestPosts), loading a
registry file and seeing what came of it (TestRegistryLoad), publishing a holiday year (TestCalendar). Each for
central supervisors (and administrators) only: an approver, a citizen and a stranger are turned away."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from apps.central.registry.models import RegistryCompany, RegistryLoad, RegistryPerson
from apps.central.review.models import ApproverPost, ReviewCase
from apps.shared.accounts.models import Role
from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from apps.shared.workcalendar.selectors import calendar_get
from tests.central.test_review import package, send
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGES = ["/staff/posts/", "/registry/load/", "/calendar/"]


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supervisor(db):
    return make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")


@pytest.fixture
def admin(db):
    return make_user("siteadmin", Role.ADMIN, real_name="管理员")


@pytest.mark.parametrize("path", PAGES)
def test_only_central_supervisors_and_administrators_open_them(client, approver, supervisor, admin, path):
    assert client.get(path).status_code == 302  # to the login page
    assert page(approver).get(path).status_code == 403
    assert page(approver).post(path, {}).status_code == 403
    assert page(make_user("someone", Role.CITIZEN)).get(path).status_code == 403
    assert page(make_user("clerk", Role.CLERK)).get(path).status_code == 403
    assert page(supervisor).get(path).status_code == 200
    assert page(admin).get(path).status_code == 200


class TestPosts:
    def test_a_supervisor_posts_an_approver_to_a_department_and_moves_them(
        self, supervisor, approver, department, other_department
    ):
        newcomer = make_user("newcomer", Role.APPROVER, real_name="周新")
        client = page(supervisor)
        listing = client.get("/staff/posts/").content.decode()
        assert f'id="staff-{newcomer.id}"' in listing and "未设岗位" in listing
        done = client.post("/staff/posts/", {"action": "set", "user": newcomer.id, "department": "MZJ"})
        assert done.status_code == 200 and "岗位已保存" in done.content.decode()
        assert ApproverPost.objects.get(user=newcomer).department == other_department
        moved = client.post("/staff/posts/", {"action": "set", "user": newcomer.id, "department": "RSJ"})
        assert moved.status_code == 200 and ApproverPost.objects.get(user=newcomer).department == department
        # Every change is in the post's audit trail.
        post = ApproverPost.objects.get(user=newcomer)
        assert [row.department_id for row in post.audit_trail.order_by("pgh_id")] == [
            other_department.id,
            department.id,
        ]
        ended = client.post("/staff/posts/", {"action": "end", "user": newcomer.id})
        assert ended.status_code == 200 and not ApproverPost.objects.filter(user=newcomer).exists()

    def test_only_an_administrator_makes_a_central_supervisor(self, supervisor, admin, approver):
        refused = page(supervisor).post(
            "/staff/posts/",
            {"action": "set", "user": approver.id, "department": "RSJ", "role": Role.CENTRAL_SUPERVISOR},
        )
        assert refused.status_code == 403 and "只有系统管理员可以任免后台主管" in refused.content.decode()
        approver.refresh_from_db()
        assert approver.role == Role.APPROVER
        made = page(admin).post(
            "/staff/posts/",
            {"action": "set", "user": approver.id, "department": "RSJ", "role": Role.CENTRAL_SUPERVISOR},
        )
        assert made.status_code == 200
        approver.refresh_from_db()
        assert approver.role == Role.CENTRAL_SUPERVISOR

    def test_it_refuses_what_it_cannot_do_with_the_reason(
        self, client, platform, matter, supervisor, approver, other_department
    ):
        clerk = make_user("clerk", Role.CLERK)
        wrong = page(supervisor)
        not_central = wrong.post("/staff/posts/", {"action": "set", "user": clerk.id, "department": "RSJ"})
        assert not_central.status_code == 422 and "只能为审批总后台的在岗人员设置岗位" in not_central.content.decode()
        unknown = wrong.post("/staff/posts/", {"action": "set", "user": approver.id, "department": "XXX"})
        assert unknown.status_code == 400 and "没有这个部门" in unknown.content.decode()
        blank = wrong.post("/staff/posts/", {"action": "set", "user": approver.id})
        assert blank.status_code == 400 and "请选择部门" in blank.content.decode()
        assert wrong.post("/staff/posts/", {"action": "set", "user": "x"}).status_code == 400
        # Someone holding an open case of their department is not moved away from it.
        assert send(client, *package(matter)).status_code == 200
        ReviewCase.objects.update(assignee=approver)
        holding = wrong.post("/staff/posts/", {"action": "set", "user": approver.id, "department": "MZJ"})
        assert holding.status_code == 409 and "请先改派" in holding.content.decode()
        assert wrong.post("/staff/posts/", {"action": "end", "user": approver.id}).status_code == 409
        assert ApproverPost.objects.get(user=approver).department.code == "RSJ"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class TestRegistryLoad:
    def test_a_supervisor_loads_people_and_sees_what_came_of_it(self, supervisor):
        rows = [{"name": "王小明", "id_number": "11010519491231002X"}, {"name": "坏号码", "id_number": "123"}]
        client = page(supervisor)
        done = client.post(
            "/registry/load/",
            {"kind": "people", "file": upload("people.json", json.dumps(rows, ensure_ascii=False).encode())},
        )
        html = done.content.decode()
        assert done.status_code == 200, html
        assert (
            'id="load-result"' in html
            and "新增 1 条，更新 0 条，未导入 1 条" in html
            and "row 2: invalid ID number" in html
        )
        assert "11010519491231002X" not in html and "123" not in html.split('id="load-errors"')[1].split("</ul>")[0]
        assert RegistryPerson.objects.count() == 1
        load = RegistryLoad.objects.get()
        assert (load.kind, load.file_name, load.loaded_by, load.created) == ("people", "people.json", supervisor, 1)
        # The same file again updates; the history lists both loads.
        again = client.post(
            "/registry/load/",
            {"kind": "people", "file": upload("people.json", json.dumps(rows, ensure_ascii=False).encode())},
        )
        assert "新增 0 条，更新 1 条" in again.content.decode() and RegistryLoad.objects.count() == 2

    def test_a_supervisor_loads_companies_from_a_csv(self, supervisor):
        csv = (
            "credit_code,name,representative_name,representative_id_number,active\n"
            "91350100M000100Y43,北京云窗科技有限公司,王小明,11010519491231002X,true\n"
        ).encode("utf-8-sig")
        done = page(supervisor).post("/registry/load/", {"kind": "companies", "file": upload("companies.csv", csv)})
        assert done.status_code == 200 and "新增 1 条" in done.content.decode()
        assert RegistryCompany.objects.get().credit_code == "91350100M000100Y43"

    def test_it_says_what_is_wrong_with_a_file_and_loads_nothing(self, supervisor):
        client = page(supervisor)
        for name, content in [
            ("people.json", b"{not json"),
            ("people.json", b'{"a": 1}'),
            ("people.json", b"[1, 2]"),
            ("people.csv", b"\xff\xfe\x00bad"),
        ]:
            refused = client.post("/registry/load/", {"kind": "people", "file": upload(name, content)})
            assert refused.status_code == 400 and "无法读取该文件" in refused.content.decode(), (name, content)
        wrong_type = client.post("/registry/load/", {"kind": "people", "file": upload("people.xlsx", b"PK")})
        assert wrong_type.status_code == 422 and "请上传 JSON 或 CSV 文件" in wrong_type.content.decode()
        no_file = client.post("/registry/load/", {"kind": "people"})
        assert no_file.status_code == 400 and "请选择要导入的文件" in no_file.content.decode()
        no_kind = client.post("/registry/load/", {"kind": "pets", "file": upload("p.json", b"[]")})
        assert no_kind.status_code == 400
        assert not RegistryPerson.objects.exists() and not RegistryLoad.objects.exists()


@pytest.mark.unpublished_calendar
class TestCalendar:
    def test_a_supervisor_publishes_a_year_and_its_days_count_from_then(self, supervisor):
        client = page(supervisor)
        before = client.get("/calendar/").content.decode()
        assert 'id="calendar-years"' in before
        done = client.post(
            "/calendar/",
            {"year": "2027", "off": "2027-01-01\n2027-02-06:2027-02-12", "work": "2027-02-14", "note": "国办发明电"},
        )
        html = done.content.decode()
        assert done.status_code == 200, html
        assert "2027年已发布：放假8天，调休上班1天" in html
        assert PublishedYear.objects.filter(year=2027, note="国办发明电").exists()
        calendar = calendar_get()
        assert not calendar.is_workday(dt.date(2027, 2, 8)) and calendar.is_workday(dt.date(2027, 2, 14))
        assert calendar.add_workdays(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 14)  # the 调休 Sunday

    def test_publishing_again_replaces_the_years_days(self, supervisor):
        client = page(supervisor)
        client.post("/calendar/", {"year": "2027", "off": "2027-01-01\n2027-02-06:2027-02-12"})
        client.post("/calendar/", {"year": "2027", "off": "2027-01-01"})
        assert list(CalendarOverride.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]

    def test_it_refuses_a_bad_notice_with_the_reason_and_publishes_nothing(self, supervisor):
        client = page(supervisor)
        for form, reason in [
            ({"year": "2026", "off": "2026-01-01"}, "已在法定数据中"),
            ({"year": "2027", "off": "2027-13-01"}, "日期格式有误"),
            ({"year": "2027", "off": "2028-01-01"}, "不在 2027 年内"),
            ({"year": "2027", "off": "2027-02-12:2027-02-06"}, "日期区间颠倒"),
            ({"year": "2027", "off": "2027-02-14", "work": "2027-02-14"}, "同时被列为休息日和工作日"),
            ({"year": "abc"}, "请填写有效的年份"),
        ]:
            refused = client.post("/calendar/", form)
            assert refused.status_code == 400 and reason in refused.content.decode(), form
        assert not PublishedYear.objects.exists() and not CalendarOverride.objects.exists()

    def test_the_command_uses_the_same_rules(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="同时被列为休息日和工作日"):
            call_command("calendar_publish", "2027", "--off", "2027-02-14", "--work", "2027-02-14")
        assert not PublishedYear.objects.exists()
