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
from apps.front.intake.services import cases_commitment_enforce, cases_commitment_remind
from apps.front.notifications.models import Notification
from apps.shared.catalog.models import Material
from apps.shared.exchange.models import OutboxMessage
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
        assert promised.commitment_deadline == timezone.localdate() + dt.timedelta(days=7)
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

    def test_a_decided_case_owes_nothing_more(self, promised):
        Case.objects.filter(id=promised.id).update(status=CaseStatus.DECIDED, commitment_deadline=DEADLINE)
        assert cases_commitment_enforce(today=DEADLINE + dt.timedelta(days=1)) == 0
        assert cases_commitment_remind(today=DEADLINE - dt.timedelta(days=1)) == 0
        assert not CreditRecord.objects.exists()
