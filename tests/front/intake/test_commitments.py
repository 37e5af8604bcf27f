"""容缺受理 followed to its end (DOMAIN.md §4, issue 13): only materials the matter marks as deferrable may be
promised for later (never the ID card or the application form); the applicant is reminded before the deadline,
supplies the items online or at a window and they follow the case to central; a deadline passed with items
owed writes a credit record (which bars 容缺受理 while in force) and suspends the review at central."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus, CreditRecord, TrustLevel
from apps.front.intake.selectors import credit_barred
from apps.front.intake.services import cases_commitment_enforce, cases_commitment_remind, cases_fill_open_dates
from apps.front.intake.services.periods import periods_fill
from apps.front.notifications.models import Notification
from apps.shared.catalog.models import Material
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from apps.shared.workcalendar.selectors import calendar_get
from tests.journey_helpers import upload

from .test_held_cases import call_again
from .test_outcomes import called_ticket, page_client, required  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 3, 10)


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


@pytest.fixture
def deferrable(matter):
    household = Material.objects.create(matter=matter, position=3, name="户口簿", required=True, deferrable=True)
    health = Material.objects.create(matter=matter, position=4, name="健康证明", required=True, deferrable=True)
    return household, health


@pytest.fixture
def promised(api, clerk, matter, deferrable, called_ticket):  # noqa: F811
    """Accepted on the applicant's signed commitment to bring 户口簿 and 健康证明 later."""
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/",
        {
            f"material_{required(matter).id}": upload(),
            "commitment_items": ["户口簿", "健康证明"],
            "commitment_signed": "true",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(number=response.json()["number"])


def messages_of(kind: str) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(kind=kind).order_by("created_at")]


class TestWhatMayBeDeferred:
    def test_the_id_card_and_any_material_not_marked_deferrable_are_refused(
        self,
        api,
        clerk,
        matter,
        deferrable,
        called_ticket,  # noqa: F811
    ):
        url = f"/api/v1/workbench/tickets/{called_ticket['id']}/accept/"
        for items in (["居民身份证"], ["户口簿", "居民身份证"]):
            refused = api(clerk).post(url, {"commitment_items": items, "commitment_signed": "true"}, format="multipart")
            assert refused.status_code == 422 and refused.json()["code"] == "commitment_invalid", items
            assert "居民身份证" in refused.json()["detail"]
        # Deferring the minor items does not excuse the key one: it is named as missing.
        missing = api(clerk).post(
            url, {"commitment_items": ["户口簿", "健康证明"], "commitment_signed": "true"}, format="multipart"
        )
        assert missing.status_code == 422 and missing.json()["code"] == "materials_missing"
        assert not Case.objects.exists()

    def test_acceptance_tells_central_the_items_and_their_deadline(self, promised):
        assert promised.status == CaseStatus.ACCEPTED and promised.commitment_items == ["户口簿", "健康证明"]
        # Seven calendar days, moved to the next working day if the seventh is a day off (民法典 Art. 203).
        assert promised.commitment_deadline == calendar_get().period_end(timezone.localdate() + dt.timedelta(days=7))
        [submitted] = messages_of("case.submitted")
        assert submitted["commitment_items"] == ["户口簿", "健康证明"]
        assert messages_of("case.commitment_made") == [
            {
                "number": promised.number,
                "items": ["户口簿", "健康证明"],
                "deadline": promised.commitment_deadline.isoformat(),
            }
        ]
        # In the order written: central has the case before its commitment.
        kinds = list(OutboxMessage.objects.order_by("created_at").values_list("kind", flat=True))
        assert kinds.index("case.submitted") < kinds.index("case.commitment_made")


class TestFollowUp:
    def test_the_applicant_is_reminded_two_days_before_the_deadline_once(self, citizen, promised):
        Case.objects.filter(id=promised.id).update(commitment_deadline=DEADLINE)
        with at(DEADLINE - dt.timedelta(days=3), 20):
            assert cases_commitment_remind() == 0
        with at(DEADLINE - dt.timedelta(days=2)):
            assert cases_commitment_remind() == 1
            assert cases_commitment_remind() == 0
        sms = Notification.objects.get(recipient=citizen, event="case.commitment_reminder", channel="sms")
        assert "户口簿；健康证明" in sms.body and DEADLINE.isoformat() in sms.body

    def test_the_applicant_supplies_online_item_by_item_and_the_last_meets_the_commitment(
        self, api, citizen, other_citizen, matter, deferrable, promised
    ):
        household, health = deferrable
        url = f"/api/v1/cases/{promised.number}/deferred/"
        assert (
            api(other_citizen).post(url, {f"material_{household.id}": upload()}, format="multipart").status_code == 404
        )
        wrong = api(citizen).post(url, {f"material_{required(matter).id}": upload()}, format="multipart")
        assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_material"
        first = api(citizen).post(url, {f"material_{household.id}": upload("hukou.png")}, format="multipart")
        assert first.status_code == 200, first.content
        assert first.json()["commitment_outstanding"] == ["健康证明"] and first.json()["commitment_met_at"] is None
        # The page takes the second one.
        done = page_client(citizen).post(
            f"/cases/{promised.number}/deferred/", {f"material_{health.id}": upload("health.png")}
        )
        assert done.status_code == 302
        case = Case.objects.get(id=promised.id)
        assert case.commitment_met_at is not None and case.commitment_outstanding == []
        # Uploaded by the applicant: C-level until a clerk sees the originals.
        assert set(case.materials.filter(name__in=["户口簿", "健康证明"]).values_list("trust_level", flat=True)) == {
            TrustLevel.C
        }
        supplied = list(OutboxMessage.objects.filter(kind="case.deferred_supplied").order_by("created_at"))
        assert [m.payload for m in supplied] == [
            {"number": case.number, "items": ["户口簿"], "outstanding": ["健康证明"]},
            {"number": case.number, "items": ["健康证明"], "outstanding": []},
        ]
        assert [len(m.files) for m in supplied] == [1, 1]
        again = api(citizen).post(url, {f"material_{health.id}": upload()}, format="multipart")
        assert again.status_code == 409 and again.json()["code"] == "invalid_state"
        assert cases_commitment_enforce(today=case.commitment_deadline + dt.timedelta(days=1)) == 0

    def test_a_window_receives_the_items_as_verified_originals(self, clerk, other_hall_clerk, deferrable, promised):
        household, health = deferrable
        listing = page_client(clerk).get("/workbench/cases/").content.decode()
        assert 'id="commitment-cases"' in listing and promised.number in listing
        page = page_client(clerk).post(
            f"/workbench/cases/{promised.number}/",
            {"action": "deferred", f"material_{household.id}": upload(), f"material_{health.id}": upload("h.png")},
        )
        assert page.status_code == 302
        case = Case.objects.get(id=promised.id)
        assert case.commitment_met_at is not None
        assert set(case.materials.filter(name__in=["户口簿", "健康证明"]).values_list("trust_level", flat=True)) == {
            TrustLevel.B
        }
        assert (
            page_client(other_hall_clerk)
            .post(f"/workbench/cases/{promised.number}/", {"action": "deferred"})
            .status_code
            == 404
        )


class TestBreach:
    def test_a_deadline_passed_writes_the_credit_record_and_suspends_the_review_once(self, citizen, promised):
        Case.objects.filter(id=promised.id).update(commitment_deadline=DEADLINE)
        with at(DEADLINE, 23):
            assert cases_commitment_enforce() == 0  # the deadline day is still the applicant's
        with at(DEADLINE + dt.timedelta(days=1)):
            assert cases_commitment_enforce() == 1
            assert cases_commitment_enforce() == 0
        case = Case.objects.get(id=promised.id)
        assert case.commitment_broken_at is not None and case.commitment_met_at is None
        record = CreditRecord.objects.get(citizen=citizen)
        assert record.case == case and record.in_force_until == DEADLINE + dt.timedelta(days=366)
        assert messages_of("case.commitment_broken") == [
            {
                "number": case.number,
                "outstanding": ["户口簿", "健康证明"],
                "deadline": DEADLINE.isoformat(),
                "credit_recorded": True,
            }
        ]
        told = Notification.objects.get(recipient=citizen, event="case.commitment_broken", channel="inbox")
        assert "已记入信用记录" in told.body and "户口簿" in told.body
        page = page_client(citizen).get(f"/cases/{case.number}/").content.decode()
        assert "审批已中止" in page and "补交容缺材料" in page  # and still how to supply them

    def test_the_record_bars_another_commitment_while_in_force(
        self, api, clerk, citizen, matter, terminal, deferrable, promised
    ):
        Case.objects.filter(id=promised.id).update(commitment_deadline=DEADLINE)
        with at(DEADLINE + dt.timedelta(days=1)):
            cases_commitment_enforce()
        assert credit_barred(citizen=citizen)
        assert not credit_barred(citizen=citizen, today=DEADLINE + dt.timedelta(days=367))
        ticket = call_again(api, clerk, terminal, citizen, matter)
        page = page_client(clerk).get(f"/workbench/tickets/{ticket['id']}/").content.decode()
        assert 'name="commitment_items"' not in page  # not offered
        refused = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
            {f"material_{required(matter).id}": upload(), "commitment_items": ["户口簿"], "commitment_signed": "true"},
            format="multipart",
        )
        assert refused.status_code == 422 and refused.json()["code"] == "commitment_refused"

    def test_items_supplied_after_the_breach_let_the_review_resume(self, api, citizen, deferrable, promised):
        household, health = deferrable
        Case.objects.filter(id=promised.id).update(commitment_deadline=DEADLINE)
        with at(DEADLINE + dt.timedelta(days=1)):
            cases_commitment_enforce()
        response = api(citizen).post(
            f"/api/v1/cases/{promised.number}/deferred/",
            {f"material_{household.id}": upload(), f"material_{health.id}": upload("h.png")},
            format="multipart",
        )
        assert response.status_code == 200, response.content
        assert messages_of("case.deferred_supplied")[-1] == {
            "number": promised.number,
            "items": ["户口簿", "健康证明"],
            "outstanding": [],
        }
        # The credit record stays: the breach happened.
        assert CreditRecord.objects.filter(citizen=citizen).count() == 1

    def test_a_case_on_its_way_to_another_department_still_owes_and_takes_the_items(
        self, api, citizen, deferrable, promised
    ):
        """Transferred at central (TRANSFERRED here): the commitment stays open — its breach is reported (central
        suspends the case when the new department takes it up) and the items are still taken, online too
        (central lifts the suspension on the way: tests/central/test_case_ends.py TestASuspendedCase)."""
        household, health = deferrable
        Case.objects.filter(id=promised.id).update(status=CaseStatus.TRANSFERRED, commitment_deadline=DEADLINE)
        with at(DEADLINE + dt.timedelta(days=1)):
            assert cases_commitment_enforce() == 1
        assert [m["number"] for m in messages_of("case.commitment_broken")] == [promised.number]
        response = api(citizen).post(
            f"/api/v1/cases/{promised.number}/deferred/",
            {f"material_{household.id}": upload(), f"material_{health.id}": upload("h.png")},
            format="multipart",
        )
        assert response.status_code == 200, response.content
        assert messages_of("case.deferred_supplied")[-1]["outstanding"] == []

    def test_a_decided_case_owes_nothing_more(self, promised):
        Case.objects.filter(id=promised.id).update(status=CaseStatus.DECIDED, commitment_deadline=DEADLINE)
        assert cases_commitment_enforce(today=DEADLINE + dt.timedelta(days=1)) == 0
        assert cases_commitment_remind(today=DEADLINE - dt.timedelta(days=1)) == 0
        assert not CreditRecord.objects.exists()


# 民法典 Art. 203: a period whose last day is a statutory day off ends on the first working day after it. Accepted
# on Monday 2026-09-28, the seventh day is Monday 2026-10-05, inside 国庆 (Oct 1–7): the last day is Thu Oct 8.
ACCEPTED_BEFORE_NATIONAL_DAY = dt.date(2026, 9, 28)
NATIONAL_DAY_NOMINAL = dt.date(2026, 10, 5)
AFTER_NATIONAL_DAY = dt.date(2026, 10, 8)
MAKE_UP_SATURDAY = dt.date(2026, 10, 10)  # 调休: a working day


@pytest.fixture
def held_since(api, clerk, called_ticket):  # noqa: F811
    """仅收件, as if on the Thursday before ACCEPTED_BEFORE_NATIONAL_DAY (its intake limit counted from then)."""
    response = api(clerk).post(f"/api/v1/workbench/tickets/{called_ticket['id']}/receive/", {}, format="multipart")
    assert response.status_code == 201, response.content
    number = response.json()["number"]

    def received(day: dt.date) -> str:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        Case.objects.filter(number=number).update(received_at=moment, intake_started_at=moment, intake_deadline=None)
        cases_fill_open_dates()
        return number

    return received


def accept_on_commitment(api, clerk, matter, number: str, day: dt.date) -> Case:
    """The hall accepts the held case on ``day`` on the applicant's commitment to bring 户口簿 and 健康证明."""
    with at(day, 10):
        response = api(clerk).post(
            f"/api/v1/workbench/cases/{number}/accept/",
            {
                f"material_{required(matter).id}": upload(),
                "commitment_items": ["户口簿", "健康证明"],
                "commitment_signed": "true",
            },
            format="multipart",
        )
    assert response.status_code == 200, response.content
    return Case.objects.get(number=number)


class TestTheDeadlineEndsOnAWorkingDay:
    def test_a_deadline_on_national_day_moves_to_the_first_working_day_after_it(
        self, api, clerk, citizen, matter, deferrable, held_since
    ):
        number = held_since(dt.date(2026, 9, 24))
        case = accept_on_commitment(api, clerk, matter, number, ACCEPTED_BEFORE_NATIONAL_DAY)
        assert case.commitment_deadline == AFTER_NATIONAL_DAY
        # Central and the commitment letter have the real last day.
        assert messages_of("case.commitment_made")[-1]["deadline"] == "2026-10-08"
        # The reminder counts to the real last day: not in the days before the nominal one, two days before Oct 8.
        for day in (dt.date(2026, 10, 3), NATIONAL_DAY_NOMINAL):
            with at(day):
                assert cases_commitment_remind() == 0, day
        with at(dt.date(2026, 10, 6)):
            assert cases_commitment_remind() == 1
        sms = Notification.objects.get(recipient=citizen, event="case.commitment_reminder", channel="sms")
        assert "2026-10-08" in sms.body
        # No breach, and no credit record, during the holiday nor on the last day itself.
        for day in (dt.date(2026, 10, 6), dt.date(2026, 10, 7)):
            with at(day):
                assert cases_commitment_enforce() == 0, day
        with at(AFTER_NATIONAL_DAY, 23):
            assert cases_commitment_enforce() == 0
        assert not CreditRecord.objects.exists()
        with at(AFTER_NATIONAL_DAY + dt.timedelta(days=1)):
            assert cases_commitment_enforce() == 1
            assert cases_commitment_enforce() == 0  # once
        assert CreditRecord.objects.filter(citizen=citizen).count() == 1
        assert messages_of("case.commitment_broken")[-1]["deadline"] == "2026-10-08"

    def test_a_deadline_stored_on_a_holiday_is_not_breached_during_it(self, citizen, promised):
        # A deadline written on a day off (before this rule, or while its year was not published).
        Case.objects.filter(id=promised.id).update(commitment_deadline=NATIONAL_DAY_NOMINAL)
        for day in (dt.date(2026, 10, 6), dt.date(2026, 10, 7), AFTER_NATIONAL_DAY):
            with at(day, 20):
                assert cases_commitment_enforce() == 0, day
        assert not CreditRecord.objects.exists()
        with at(AFTER_NATIONAL_DAY + dt.timedelta(days=1)):
            assert cases_commitment_enforce() == 1
        case = Case.objects.get(id=promised.id)
        assert case.commitment_broken_at is not None and case.commitment_deadline == AFTER_NATIONAL_DAY
        assert messages_of("case.commitment_broken")[-1]["deadline"] == "2026-10-08"
        sms = Notification.objects.get(recipient=citizen, event="case.commitment_broken", channel="sms")
        assert "2026-10-08" in sms.body

    def test_ends_stored_on_a_holiday_are_moved_by_date_not_case_by_case(self, promised, django_assert_num_queries):
        """Every periodic job runs periods_fill first: its cost does not grow with the open cases, one read per kind of
        period and one UPDATE per date that moves."""
        Case.objects.filter(id=promised.id).update(commitment_deadline=NATIONAL_DAY_NOMINAL)
        for n in range(5):
            twin = Case.objects.get(id=promised.id)
            twin.pk = twin.id = None
            twin.number, twin.appointment = f"{promised.number[:-2]}{90 + n}", None  # one-to-one: the original's
            twin.save()
        calendar = calendar_get()
        with django_assert_num_queries(3):
            assert periods_fill(calendar=calendar) == 6
        assert set(Case.objects.values_list("commitment_deadline", flat=True)) == {AFTER_NATIONAL_DAY}
        with django_assert_num_queries(2):
            assert periods_fill(calendar=calendar) == 0

    def test_a_make_up_saturday_is_a_valid_last_day(self, promised):
        assert calendar_get().period_end(MAKE_UP_SATURDAY) == MAKE_UP_SATURDAY
        Case.objects.filter(id=promised.id).update(commitment_deadline=MAKE_UP_SATURDAY)
        with at(MAKE_UP_SATURDAY - dt.timedelta(days=2)):
            assert cases_commitment_remind() == 1
        with at(MAKE_UP_SATURDAY, 23):
            assert cases_commitment_enforce() == 0
        # Sunday Oct 11: the Saturday was the last day, not moved to Monday.
        with at(MAKE_UP_SATURDAY + dt.timedelta(days=1)):
            assert cases_commitment_enforce() == 1
        assert Case.objects.get(id=promised.id).commitment_deadline == MAKE_UP_SATURDAY

    @pytest.mark.unpublished_calendar
    def test_a_deadline_in_an_unpublished_year_is_never_guessed_then_fixed_once_published(
        self, api, clerk, citizen, matter, deferrable, held_since
    ):
        # Accepted Monday 2026-12-28: the seventh day is 2027-01-04, in a year whose holidays nobody has entered.
        number = held_since(dt.date(2026, 12, 24))
        case = accept_on_commitment(api, clerk, matter, number, dt.date(2026, 12, 28))
        assert case.status == CaseStatus.ACCEPTED and case.commitment_deadline == dt.date(
            2027, 1, 4
        )  # the calendar date
        for day in (dt.date(2027, 1, 2), dt.date(2027, 1, 5), dt.date(2027, 1, 20)):
            with at(day):
                assert cases_commitment_remind() == 0, day
                assert cases_commitment_enforce() == 0, day
        assert not CreditRecord.objects.exists()
        # The administrator publishes 2027 with Jan 4 off: the last day is Tuesday Jan 5.
        PublishedYear.objects.create(year=2027)
        CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
        CalendarOverride.objects.create(date=dt.date(2027, 1, 4), is_workday=False, note="元旦（调休）")
        with at(dt.date(2027, 1, 5), 20):
            assert cases_commitment_enforce() == 0
        assert Case.objects.get(id=case.id).commitment_deadline == dt.date(2027, 1, 5)
        with at(dt.date(2027, 1, 6)):
            assert cases_commitment_enforce() == 1
        assert CreditRecord.objects.filter(citizen=citizen).count() == 1
