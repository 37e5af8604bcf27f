"""Hall configuration (DOMAIN.md §3): each window group's booking settings, opening sessions per weekday,
closures, the working-day calendar (调休 Saturdays, holidays, an unpublished year failing closed with an
admin warning), and idempotent generation that never drops booked places; the admin scoped to a
supervisor's own hall."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.booking.models import (
    Appointment,
    GroupMatter,
    Hall,
    HallClosure,
    OpeningSession,
    Slot,
    StaffPost,
    Window,
    WindowGroup,
)
from apps.front.booking.selectors import calendar_warning
from apps.front.booking.services import appointment_book, capacity_split, slots_generate
from apps.shared.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TZ = timezone.get_fixed_timezone(8 * 60)
# 2026: Oct 1–7 National Day holiday, Oct 8 (Thu) and Oct 9 (Fri) work, Oct 10 is a 调休 Saturday.
BEFORE_HOLIDAY = dt.date(2026, 9, 30)


def starts(group, day) -> list[str]:
    return [
        f"{timezone.localtime(s.start):%H:%M}" for s in Slot.objects.filter(group=group, date=day).order_by("start")
    ]


class TestGroupSettings:
    def test_slot_length_quota_split_and_release_time(self, hall, matter):
        group = hall.groups.get()
        Window.objects.create(hall=hall, group=group, number=2)
        group.people_per_window = 2
        group.slot_minutes = 60
        group.online_percent = 75
        group.release_time = dt.time(9, 15)
        group.save()
        slots_generate(today=BEFORE_HOLIDAY, horizon=3)
        assert starts(group, dt.date(2026, 10, 8)) == ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30"]
        slot = Slot.objects.filter(group=group).first()
        # 2 windows × 2 people = 4 places: 3 online, 1 kept for phone / on-site booking.
        assert (slot.capacity, slot.reserved) == (3, 1)
        # Oct 8 is released 3 working days before, at the group's release time: the working days before
        # Oct 8 are Sep 30, Sep 29, Sep 28 (Oct 1–7 are off), so Sep 28 at 09:15.
        oct8 = Slot.objects.filter(group=group, date=dt.date(2026, 10, 8)).first()
        assert timezone.localtime(oct8.release_at).replace(tzinfo=None) == dt.datetime(2026, 9, 28, 9, 15)

    @pytest.mark.parametrize(
        ("total", "percent", "split"),
        [(1, 100, (1, 0)), (1, 40, (0, 1)), (1, 50, (1, 0)), (4, 75, (3, 1)), (5, 0, (0, 5))],
    )
    def test_the_online_share_rounds_half_up(self, total, percent, split):
        assert capacity_split(windows=total, people_per_window=1, online_percent=percent) == split

    def test_the_horizon_is_per_group(self, hall, matter):
        group = hall.groups.get()
        group.horizon_workdays = 2
        group.save()
        slots_generate(today=BEFORE_HOLIDAY)
        assert sorted(set(Slot.objects.values_list("date", flat=True))) == [dt.date(2026, 10, 8), dt.date(2026, 10, 9)]


class TestOpeningSessions:
    def test_each_weekday_has_its_own_hours_and_a_tiaoxiu_saturday_follows_monday(self, hall, matter):
        group = hall.groups.get()
        OpeningSession.objects.create(hall=hall, weekday=0, start=dt.time(9, 0), end=dt.time(10, 0))
        OpeningSession.objects.create(hall=hall, weekday=3, start=dt.time(14, 0), end=dt.time(15, 0))
        OpeningSession.objects.create(hall=hall, weekday=4, start=dt.time(8, 30), end=dt.time(9, 30))
        slots_generate(today=BEFORE_HOLIDAY, horizon=3)
        assert starts(group, dt.date(2026, 10, 8)) == ["14:00", "14:30"]  # Thursday
        assert starts(group, dt.date(2026, 10, 9)) == ["08:30", "09:00"]  # Friday
        assert starts(group, dt.date(2026, 10, 10)) == ["09:00", "09:30"]  # 调休 Saturday: Monday's hours
        # The holiday has none.
        assert not Slot.objects.filter(date__range=(dt.date(2026, 10, 1), dt.date(2026, 10, 7))).exists()

    def test_a_saturday_row_wins_for_a_tiaoxiu_saturday(self, hall, matter):
        OpeningSession.objects.create(hall=hall, weekday=5, start=dt.time(9, 0), end=dt.time(9, 30))
        slots_generate(today=BEFORE_HOLIDAY, horizon=3)
        assert starts(hall.groups.get(), dt.date(2026, 10, 10)) == ["09:00"]
        # A weekday without rows in a hall that has rows is closed.
        assert not Slot.objects.filter(date=dt.date(2026, 10, 8)).exists()


class TestIdempotentGeneration:
    def test_regenerating_after_a_settings_change_keeps_booked_places(self, hall, matter, citizen):
        group = hall.groups.get()
        today = timezone.localdate()
        assert slots_generate(today=today, horizon=1) == 13
        first_day = Slot.objects.get(start=Slot.objects.order_by("start").first().start)
        Slot.objects.filter(id=first_day.id).update(release_at=timezone.now() - dt.timedelta(minutes=1))
        appointment_book(citizen=citizen, slot_id=first_day.id, matter_code=matter.code)
        before = list(Slot.objects.order_by("start").values_list("id", "start", "capacity", "booked"))
        group.slot_minutes = 60
        group.people_per_window = 3
        group.save()
        created = slots_generate(today=today, horizon=2)
        # The day already made is left exactly as it was; the new day follows the new settings.
        assert (
            list(
                Slot.objects.filter(date=first_day.date)
                .order_by("start")
                .values_list("id", "start", "capacity", "booked")
            )
            == before
        )
        new_day = Slot.objects.exclude(date=first_day.date)
        assert created == new_day.count() == 6
        assert set(new_day.values_list("capacity", flat=True)) == {3}
        assert slots_generate(today=today, horizon=2) == 0

    def test_a_booked_slot_survives_regeneration(self, hall, matter, citizen):
        slots_generate(today=timezone.localdate(), horizon=1)
        slot = Slot.objects.order_by("start").first()
        Slot.objects.filter(id=slot.id).update(release_at=timezone.now() - dt.timedelta(minutes=1))
        appointment_book(citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        count = Slot.objects.count()
        assert slots_generate(today=timezone.localdate(), horizon=1) == 0
        assert Slot.objects.count() == count and Slot.objects.get(id=slot.id).booked == 1
        assert Appointment.objects.get(citizen=citizen).slot_id == slot.id

    def test_closures_made_before_generation_leave_their_period_out(self, hall, matter):
        group = hall.groups.get()
        HallClosure.objects.create(hall=hall, date=dt.date(2026, 10, 8), reason="消防演练")
        HallClosure.objects.create(
            hall=hall,
            group=group,
            date=dt.date(2026, 10, 9),
            start=dt.time(9, 0),
            end=dt.time(10, 0),
            reason="系统升级",
        )
        slots_generate(today=BEFORE_HOLIDAY, horizon=3)
        assert starts(group, dt.date(2026, 10, 8)) == []
        assert starts(group, dt.date(2026, 10, 9))[:2] == ["10:00", "10:30"]


@pytest.mark.unpublished_calendar
class TestUnpublishedYear:
    def test_generation_fails_closed_and_the_admin_warns(self, client, admin_user, hall, matter):
        slots_generate(today=dt.date(2026, 12, 28), horizon=10)
        assert max(Slot.objects.values_list("date", flat=True)) == dt.date(2026, 12, 31)
        warning = calendar_warning(today=dt.date(2026, 12, 28))
        assert "2027年的节假日安排尚未发布" in warning and "2026-12-31" in warning
        assert calendar_warning(today=dt.date(2026, 9, 30)) == ""
        with time_machine.travel(dt.datetime(2026, 12, 28, 10, 0, tzinfo=TZ), tick=False):
            client.force_login(admin_user)
            page = client.get("/admin/booking/slot/")
        assert "2027年的节假日安排尚未发布" in page.content.decode()

    def test_a_published_year_opens_again(self, hall, matter):
        from apps.shared.workcalendar.models import PublishedYear

        PublishedYear.objects.create(year=2027)
        slots_generate(today=dt.date(2026, 12, 28), horizon=5)
        assert max(Slot.objects.values_list("date", flat=True)) > dt.date(2026, 12, 31)
        assert calendar_warning(today=dt.date(2026, 12, 28)) == ""


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈建国", is_staff=True)
    StaffPost.objects.create(user=user, hall=hall)
    return user


class TestSupervisorAdmin:
    def test_a_supervisor_sees_and_edits_only_their_own_hall(self, client, supervisor, hall, other_hall, matter):
        client.force_login(supervisor)
        groups = client.get("/admin/booking/windowgroup/").content.decode()
        assert hall.name in groups and other_hall.name not in groups
        other_group = other_hall.groups.get()
        # Another hall's group does not exist for them: the admin sends them back to its index.
        refused = client.get(f"/admin/booking/windowgroup/{other_group.id}/change/")
        assert (refused.status_code, refused.url) == (302, "/admin/")
        mine = hall.groups.get()
        page = client.get(f"/admin/booking/windowgroup/{mine.id}/change/")
        assert page.status_code == 200 and "网上预约占比" in page.content.decode()
        data = {
            "hall": hall.id,
            "letter": "A",
            "name": "综合受理",
            "people_per_window": 2,
            "slot_minutes": 20,
            "online_percent": 80,
            "horizon_workdays": 5,
            "release_time": "09:00",
            "min_notice_hours": "",
            "windows-TOTAL_FORMS": 1,
            "windows-INITIAL_FORMS": 1,
            "windows-MIN_NUM_FORMS": 0,
            "windows-MAX_NUM_FORMS": 1000,
            "windows-0-id": mine.windows.get().id,
            "windows-0-group": mine.id,
            "windows-0-number": 1,
            "matter_links-TOTAL_FORMS": 1,
            "matter_links-INITIAL_FORMS": 1,
            "matter_links-MIN_NUM_FORMS": 0,
            "matter_links-MAX_NUM_FORMS": 1000,
            "matter_links-0-id": GroupMatter.objects.get(group=mine).id,
            "matter_links-0-group": mine.id,
            "matter_links-0-matter_code": matter.code,
            "matter_links-0-min_notice_hours": "24",
        }
        response = client.post(f"/admin/booking/windowgroup/{mine.id}/change/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        mine.refresh_from_db()
        assert (mine.slot_minutes, mine.online_percent, mine.horizon_workdays, mine.release_time) == (
            20,
            80,
            5,
            dt.time(9, 0),
        )
        assert GroupMatter.objects.get(group=mine).min_notice_hours == 24
        # Moving the group to another hall is not possible: the hall choices are their own.
        data["hall"] = other_hall.id
        assert client.post(f"/admin/booking/windowgroup/{mine.id}/change/", data).status_code == 200
        assert WindowGroup.objects.get(id=mine.id).hall_id == hall.id

    def test_a_supervisor_edits_opening_hours_of_their_hall(self, client, supervisor, hall, other_hall):
        client.force_login(supervisor)
        halls = client.get("/admin/booking/hall/").content.decode()
        assert hall.name in halls and other_hall.name not in halls
        data = {
            "name": hall.name,
            "address": hall.address,
            "opening_hours": "工作日 9:00-12:00",
            "sessions-TOTAL_FORMS": 1,
            "sessions-INITIAL_FORMS": 0,
            "sessions-MIN_NUM_FORMS": 0,
            "sessions-MAX_NUM_FORMS": 1000,
            "sessions-0-weekday": 0,
            "sessions-0-start": "09:00",
            "sessions-0-end": "12:00",
        }
        response = client.post(f"/admin/booking/hall/{hall.id}/change/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert list(OpeningSession.objects.filter(hall=hall).values_list("weekday", "start", "end")) == [
            (0, dt.time(9), dt.time(12))
        ]
        assert Hall.objects.get(id=hall.id).code == "TZ"
        refused = client.get(f"/admin/booking/hall/{other_hall.id}/change/")
        assert (refused.status_code, refused.url) == (302, "/admin/")
        client.post(f"/admin/booking/hall/{other_hall.id}/change/", {**data, "name": "改名"})
        assert Hall.objects.get(id=other_hall.id).name != "改名"

    def test_a_clerk_or_citizen_has_no_admin(self, client, clerk, citizen):
        for user in (clerk, citizen):
            client.force_login(user)
            assert client.get("/admin/booking/windowgroup/").status_code == 302
