"""容缺受理 at central (issue 13): the commitment arrives with the case and is shown; a breach reported by the front
suspends the review (clock stopped, no decision) until the items come; the last item resumes it and the front
learns the new promised date. Through the signed inbox, the API and the approver's page.

TestTheSuspensionsPeriod: the suspension's lawful ends — the items within its period (REVIEW_SUSPENSION_WORKDAYS
working days, 调休 counted, an unpublished year never guessed) resume the review; past it the case is closed by
the job, once, and the front told. TestABreachAwayFromReview: a breach while the case is in a correction or a
special procedure suspends it when it comes back to review, and no decision is taken meanwhile."""

import base64
import datetime as dt
import hashlib
import json
import uuid

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.central.review import services
from apps.central.review.models import DeferredCommitment, ReviewCase, ReviewStatus
from apps.shared.exchange.models import OutboxMessage
from apps.shared.workcalendar.models import CalendarOverride, PublishedYear
from tests.central.test_review import PDF, package, send
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NUMBER = "TZ2026112400001"


def message(kind: str, payload: dict, files: tuple[str, ...] = ()) -> tuple[str, bytes]:
    message_id = str(uuid.uuid4())
    body = {
        "id": message_id,
        "kind": kind,
        "payload": payload,
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(PDF).hexdigest(),
                "content_type": "application/pdf",
                "content_b64": base64.b64encode(PDF).decode(),
            }
            for name in files
        ],
    }
    return message_id, json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def promised(client, platform, matter, approver):
    """A case accepted at the front on a commitment to bring 户口簿 and 健康证明 by 2026-12-15; the approver has
    claimed it and passed its first two steps."""
    assert send(client, *package(matter, number=NUMBER)).status_code == 200
    made = send(
        client,
        *message("case.commitment_made", {"number": NUMBER, "items": ["户口簿", "健康证明"], "deadline": "2026-12-15"}),
    )
    assert made.status_code == 200, made.content
    case = ReviewCase.objects.get(front_number=NUMBER)
    api = client_for(approver)
    assert api.post(f"/api/v1/cases/{case.id}/claim/").status_code == 200
    for _ in range(2):
        assert api.post(f"/api/v1/cases/{case.id}/pass/", {}, format="json").status_code == 200
    return ReviewCase.objects.get(id=case.id)


def broken(client, outstanding=("户口簿", "健康证明")):
    payload = {"number": NUMBER, "outstanding": list(outstanding), "deadline": "2026-12-15", "credit_recorded": True}
    return send(client, *message("case.commitment_broken", payload))


def test_the_commitment_is_recorded_once_and_shown_to_the_approver(client, approver, promised):
    commitment = DeferredCommitment.objects.get(case=promised)
    assert commitment.items == ["户口簿", "健康证明"] and commitment.deadline == dt.date(2026, 12, 15)
    page = Client()
    page.force_login(approver)
    html = page.get(f"/cases/{promised.id}/").content.decode()
    assert 'id="deferred-commitment"' in html and "户口簿、健康证明" in html and "2026-12-15" in html
    assert promised.events.filter(note__contains="容缺受理").count() == 1


def test_it_waits_for_the_case_before_its_commitment(client, platform):
    early = send(
        client,
        *message("case.commitment_made", {"number": "TZ-NOT-YET", "items": ["户口簿"], "deadline": "2026-12-15"}),
    )
    assert early.status_code == 409  # not ready: the sender retries once the case is there


def test_a_breach_suspends_the_review_and_no_decision_is_taken(client, approver, promised):
    response = broken(client)
    assert response.status_code == 200, response.content
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.SUSPENDED and case.clock_running_since is None
    commitment = DeferredCommitment.objects.get(case=case)
    assert commitment.broken_at is not None and commitment.credit_recorded
    api = client_for(approver)
    decided = api.post(f"/api/v1/cases/{case.id}/decide/", {"decision": "approved", "reason": ""}, format="json")
    assert decided.status_code == 409 and decided.json()["code"] == "invalid_state"
    assert (
        api.post(
            f"/api/v1/cases/{case.id}/correction/", {"items": ["x"], "deadline": "2026-12-30"}, format="json"
        ).status_code
        == 409
    )
    assert ReviewCase.objects.get(id=case.id).status == ReviewStatus.SUSPENDED
    page = Client()
    page.force_login(approver)
    html = page.get(f"/cases/{case.id}/").content.decode()
    assert "中止审查" in html and "不得作出决定" in html and "已记入申请人信用记录" in html
    # The same breach again changes nothing.
    assert broken(client).status_code == 200
    assert case.events.filter(to_status=ReviewStatus.SUSPENDED).count() == 1


def test_the_last_item_resumes_the_review_and_tells_the_front_the_new_date(client, approver, promised):
    broken(client)
    first = send(
        client,
        *message(
            "case.deferred_supplied", {"number": NUMBER, "items": ["户口簿"], "outstanding": ["健康证明"]}, ("户口簿",)
        ),
    )
    assert first.status_code == 200, first.content
    assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.SUSPENDED
    last = send(
        client,
        *message("case.deferred_supplied", {"number": NUMBER, "items": ["健康证明"], "outstanding": []}, ("健康证明",)),
    )
    assert last.status_code == 200, last.content
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.IN_REVIEW and case.clock_running_since is not None
    assert set(case.materials.values_list("name", flat=True)) >= {"户口簿", "健康证明"}
    commitment = DeferredCommitment.objects.get(case=case)
    assert commitment.fulfilled_at is not None and commitment.supplied == ["户口簿", "健康证明"]
    [resumed] = OutboxMessage.objects.filter(kind="case.review_resumed")
    assert resumed.payload["number"] == NUMBER and "promised_date" in resumed.payload
    # Decidable again.
    api = client_for(approver)
    assert (
        api.post(f"/api/v1/cases/{case.id}/decide/", {"decision": "approved", "reason": ""}, format="json").status_code
        == 200
    )


def test_items_supplied_in_time_meet_the_commitment_without_a_suspension(client, promised):
    supplied = send(
        client,
        *message(
            "case.deferred_supplied",
            {"number": NUMBER, "items": ["户口簿", "健康证明"], "outstanding": []},
            ("户口簿", "健康证明"),
        ),
    )
    assert supplied.status_code == 200
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.IN_REVIEW and DeferredCommitment.objects.get(case=case).fulfilled_at is not None
    assert not OutboxMessage.objects.filter(kind="case.review_resumed").exists()


def test_a_breach_during_a_correction_is_recorded_and_the_clock_stays_stopped(client, approver, promised):
    api = client_for(approver)
    assert (
        api.post(
            f"/api/v1/cases/{promised.id}/correction/", {"items": ["照片模糊"], "deadline": "2099-01-10"}, format="json"
        ).status_code
        == 200
    )
    assert broken(client).status_code == 200
    case = ReviewCase.objects.get(id=promised.id)
    assert case.status == ReviewStatus.CORRECTION and case.clock_running_since is None
    assert DeferredCommitment.objects.get(case=case).broken_at is not None
    assert case.events.filter(note__contains="容缺材料逾期").exists()


def test_a_suspended_case_may_still_be_withdrawn(client, promised):
    broken(client)
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "kind": "case.withdraw_requested",
            "payload": {"number": NUMBER, "reason": "不办了"},
            "files": [],
        }
    ).encode()
    assert send(client, json.loads(body)["id"], body).status_code == 200
    assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.WITHDRAWN
    assert OutboxMessage.objects.filter(kind="case.withdrawn").exists()


# --- The ends of a suspension (issue 13): the items come, or its period passes and the case is closed ----------
# The wire checks its signature's timestamp against the real clock, so the breach is applied through central's
# handler directly under frozen time (as tests/central/test_review_lifecycle.py does).


def breach_on(day: dt.date, case: ReviewCase, outstanding=("户口簿", "健康证明")) -> None:
    from apps.central.review import deferred
    from apps.shared.exchange import contract

    payload = contract.CaseCommitmentBroken(number=NUMBER, outstanding=list(outstanding), deadline=day)
    with time_machine.travel(at(day), tick=False):
        deferred.commitment_broken(case.platform, "m-broken", payload, [])


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def close_on(day: dt.date) -> int:
    with time_machine.travel(at(day), tick=False):
        return services.cases_close_suspended()


class TestTheSuspensionsPeriod:
    def test_it_runs_ten_working_days_counting_the_make_up_day_and_skipping_the_holiday(self, promised):
        # 2026-09-28 (Mon) + 10 working days: 29, 30 Sep; National Day 1–7 Oct off; 8, 9, 10 (Saturday, 调休),
        # 12–16 Oct.
        breach_on(dt.date(2026, 9, 28), promised)
        case = ReviewCase.objects.get(id=promised.id)
        assert case.status == ReviewStatus.SUSPENDED
        assert (case.suspended_on, case.suspension_deadline) == (dt.date(2026, 9, 28), dt.date(2026, 10, 16))
        [told] = OutboxMessage.objects.filter(kind="case.review_suspended")
        assert told.payload == {"number": NUMBER, "outstanding": ["户口簿", "健康证明"], "deadline": "2026-10-16"}
        assert case.events.filter(note__contains="须于2026-10-16前补齐").exists()

    def test_on_its_last_day_nothing_happens_and_the_day_after_the_case_is_closed_once(self, client, promised):
        breach_on(dt.date(2026, 9, 28), promised)
        assert close_on(dt.date(2026, 10, 16)) == 0
        assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.SUSPENDED
        assert close_on(dt.date(2026, 10, 17)) == 1
        case = ReviewCase.objects.get(id=promised.id)
        assert case.status == ReviewStatus.CLOSED_NO_CORRECTION and case.finished
        assert case.events.filter(note__contains="中止期限2026-10-16已过，容缺材料仍未补齐").exists()
        [closed] = OutboxMessage.objects.filter(kind="case.closed_no_correction")
        assert closed.payload == {"number": NUMBER, "deadline": "2026-10-16"}
        # Once: the job again changes nothing, and reconciliation re-tells the same end.
        assert close_on(dt.date(2026, 10, 20)) == 0
        services.cases_resync(platform=case.platform, numbers=[NUMBER])
        assert [m.payload for m in OutboxMessage.objects.filter(kind="case.closed_no_correction")] == [
            closed.payload
        ] * 2
        # Items arriving too late change nothing.
        late = send(
            client,
            *message("case.deferred_supplied", {"number": NUMBER, "items": ["户口簿", "健康证明"], "outstanding": []}),
        )
        assert (
            late.status_code == 200 and ReviewCase.objects.get(id=case.id).status == ReviewStatus.CLOSED_NO_CORRECTION
        )

    def test_items_supplied_within_it_resume_the_review_and_clear_it(self, client, promised):
        breach_on(dt.date(2026, 9, 28), promised)
        supplied = send(
            client,
            *message(
                "case.deferred_supplied",
                {"number": NUMBER, "items": ["户口簿", "健康证明"], "outstanding": []},
                ("户口簿", "健康证明"),
            ),
        )
        assert supplied.status_code == 200, supplied.content
        case = ReviewCase.objects.get(id=promised.id)
        assert case.status == ReviewStatus.IN_REVIEW and case.clock_running_since is not None
        assert case.suspended_on is None and case.suspension_deadline is None
        assert close_on(dt.date(2026, 12, 31)) == 0

    @pytest.mark.unpublished_calendar
    def test_a_period_reaching_an_unpublished_year_is_never_guessed_then_fixed_and_told(self, promised):
        breach_on(dt.date(2026, 12, 24), promised)
        case = ReviewCase.objects.get(id=promised.id)
        assert case.status == ReviewStatus.SUSPENDED and case.suspension_deadline is None
        assert OutboxMessage.objects.get(kind="case.review_suspended").payload["deadline"] == ""
        assert close_on(dt.date(2027, 3, 1)) == 0  # never closed on a guess
        assert ReviewCase.objects.get(id=case.id).status == ReviewStatus.SUSPENDED
        PublishedYear.objects.create(year=2027)
        CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False)
        # Published: the day is fixed and told before anything is closed on it, then the case closes after it.
        assert close_on(dt.date(2027, 3, 1)) == 0
        case = ReviewCase.objects.get(id=case.id)
        # 12-25, 28–31 Dec; 1 Jan off; 4–8 Jan.
        assert case.suspension_deadline == dt.date(2027, 1, 8)
        told = OutboxMessage.objects.filter(kind="case.review_suspended")
        assert sorted(m.payload["deadline"] for m in told) == ["", "2027-01-08"]
        assert close_on(dt.date(2027, 3, 1)) == 1


class TestABreachAwayFromReview:
    def test_a_breach_during_a_correction_suspends_the_case_when_the_correction_comes(self, client, approver, promised):
        api = client_for(approver)
        corrected = api.post(
            f"/api/v1/cases/{promised.id}/correction/", {"items": ["照片模糊"], "deadline": "2099-01-10"}, format="json"
        )
        assert corrected.status_code == 200
        assert broken(client).status_code == 200
        assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.CORRECTION
        supplement = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "kind": "case.supplement",
                "payload": {"number": NUMBER},
                "files": json.loads(message("x", {}, ("照片",))[1])["files"],
            },
            ensure_ascii=False,
        ).encode()
        answered = send(client, json.loads(supplement)["id"], supplement)
        assert answered.status_code == 200, answered.content
        case = ReviewCase.objects.get(id=promised.id)
        assert case.status == ReviewStatus.SUSPENDED and case.clock_running_since is None
        assert case.suspension_deadline is not None
        assert list(case.events.values_list("from_status", "to_status"))[-2:] == [
            (ReviewStatus.CORRECTION, ReviewStatus.IN_REVIEW),
            (ReviewStatus.IN_REVIEW, ReviewStatus.SUSPENDED),
        ]
        assert OutboxMessage.objects.filter(kind="case.review_suspended").count() == 1

    def test_a_breach_during_a_special_procedure_bars_the_decision_and_suspends_on_its_end(
        self, client, approver, promised
    ):
        api = client_for(approver)
        started = api.post(
            f"/api/v1/cases/{promised.id}/special/",
            {"kind": "inspection", "reason": "现场核查", "expected_days": 5},
            format="json",
        )
        assert started.status_code == 200, started.content
        assert broken(client).status_code == 200
        decided = api.post(
            f"/api/v1/cases/{promised.id}/decide/", {"decision": "approved", "reason": ""}, format="json"
        )
        assert decided.status_code == 409 and decided.json()["code"] == "commitment_owed"
        before = set(OutboxMessage.objects.values_list("id", flat=True))
        ended = api.post(f"/api/v1/cases/{promised.id}/special-end/", {"reason": "核查完毕"}, format="json")
        assert ended.status_code == 200, ended.content
        assert ReviewCase.objects.get(id=promised.id).status == ReviewStatus.SUSPENDED
        # The front hears the one true thing: back from the procedure and suspended (no "resumed" first).
        assert list(OutboxMessage.objects.exclude(id__in=before).values_list("kind", flat=True)) == [
            "case.review_suspended"
        ]
