"""The ends central reaches on its own, applied at the front (issue 13 point 7): a transfer, a void, a
closure without correction move the citizen's case, show one plain sentence and the reason (DOMAIN.md §5:
"each state has one plain-language sentence for the citizen"), and tell the citizen once.
The central side: tests/central/test_case_ends.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import CASE_STATUS_SENTENCES, Case, CaseEvent, CaseStatus
from apps.front.notifications.models import Notification
from apps.shared.exchange.models import OutboxMessage
from tests.front.intake.test_central_events import event

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(citizen, hall, matter, clerk, central_peer):
    return Case.objects.create(
        number="TZ2026112400031",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )


def told(citizen, event_name: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=citizen, event=event_name, channel="inbox").values_list("body", flat=True)
    )


def shown(citizen, case) -> str:
    page = Client()
    page.force_login(citizen)
    return page.get(f"/cases/{case.number}/").content.decode()


def test_a_transfer_tells_the_citizen_where_and_why_and_the_case_comes_back_to_review(client, citizen, case):
    payload = {"number": case.number, "department": "区民政局", "reason": "申请事项属民政部门职责"}
    event(client, "case.transferred", payload)
    event(client, "case.transferred", payload)  # a repeat changes nothing
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED
    [body] = told(citizen, "case.transferred")
    assert "已转至区民政局办理：申请事项属民政部门职责" in body and "审批时限连续计算" in body
    html = shown(citizen, case)
    assert str(CASE_STATUS_SENTENCES[CaseStatus.TRANSFERRED][0]) in html and "申请事项属民政部门职责" in html
    # Quiet while transferred: reconciliation asks central about it like any case central is working on.
    from apps.front.intake.services import WAITING_ON_CENTRAL

    assert CaseStatus.TRANSFERRED in WAITING_ON_CENTRAL
    # The new department takes it up: back in review.
    event(client, "case.review_resumed", {"number": case.number, "promised_date": "2026-12-22"})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert [e.to_status for e in CaseEvent.objects.filter(case=case).order_by("id")][-2:] == [
        CaseStatus.TRANSFERRED,
        CaseStatus.IN_REVIEW,
    ]


def test_a_case_sent_on_again_tells_the_citizen_where_it_is_now(client, citizen, case):
    event(client, "case.transferred", {"number": case.number, "department": "区民政局", "reason": "民政职责"})
    event(
        client,
        "case.transferred",
        {"number": case.number, "department": "区住房和城乡建设委员会", "reason": "涉及住房保障"},
    )
    case.refresh_from_db()
    assert (
        case.status == CaseStatus.TRANSFERRED
        and case.procedure_note == "已转至区住房和城乡建设委员会办理：涉及住房保障"
    )
    assert len(told(citizen, "case.transferred")) == 2


def test_a_transferred_case_may_still_be_withdrawn(client, api, citizen, case):
    event(client, "case.transferred", {"number": case.number, "department": "区民政局", "reason": "民政职责"})
    response = api(citizen).post(f"/api/v1/cases/{case.number}/withdraw/", {}, format="json")
    assert response.status_code == 202
    assert OutboxMessage.objects.filter(kind="case.withdraw_requested").count() == 1
    event(client, "case.withdrawn", {"number": case.number})
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.ACCEPTED,
        CaseStatus.IN_REVIEW,
        CaseStatus.CORRECTION,
        CaseStatus.SPECIAL_PROCEDURE,
        CaseStatus.TRANSFERRED,
    ],
)
def test_a_void_ends_the_case_with_its_reason(client, citizen, case, status):
    Case.objects.filter(id=case.id).update(status=status)
    event(client, "case.voided", {"number": case.number, "reason": "同一申请重复报送"})
    case.refresh_from_db()
    assert case.status == CaseStatus.VOIDED and case.procedure_note == "作废理由：同一申请重复报送"
    [body] = told(citizen, "case.voided")
    assert "已作废" in body and "同一申请重复报送" in body
    assert "本件已作废。" in shown(citizen, case)


def test_a_closure_without_correction_ends_the_case_once(client, citizen, case):
    event(
        client,
        "case.correction_requested",
        {"number": case.number, "items": ["补充户口簿首页"], "deadline": "2026-11-27"},
    )
    payload = {"number": case.number, "deadline": "2026-11-27"}
    event(client, "case.closed_no_correction", payload)
    event(client, "case.closed_no_correction", payload)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED_NO_CORRECTION
    [body] = told(citizen, "case.closed_no_correction")
    assert "未在补正期限2026-11-27前补正材料，已终止办理" in body
    html = shown(citizen, case)
    assert "因逾期未补正，本件已终止。" in html and "提交补正" not in html


def test_a_closure_crossing_a_late_supplement_still_ends_the_case(client, api, citizen, case):
    """The citizen uploaded after central had closed the case: central's closure counts (IN_REVIEW → closed)."""
    from tests.journey_helpers import upload

    event(client, "case.correction_requested", {"number": case.number, "items": ["户口簿"], "deadline": "2026-11-27"})
    assert (
        api(citizen)
        .post(f"/api/v1/cases/{case.number}/supplement/", {"extra": upload()}, format="multipart")
        .status_code
        == 200
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    event(client, "case.closed_no_correction", {"number": case.number, "deadline": "2026-11-27"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED_NO_CORRECTION


def test_an_end_that_does_not_fit_changes_nothing(client, citizen, case):
    Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
    event(client, "case.voided", {"number": case.number, "reason": "误立"})
    event(client, "case.closed_no_correction", {"number": case.number, "deadline": ""})
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.procedure_note == ""
    assert not told(citizen, "case.voided") and not told(citizen, "case.closed_no_correction")


def test_the_messages_read_in_english_too(client, citizen, case):
    from apps.front.notifications.models import NotificationPreference

    NotificationPreference.objects.update_or_create(user=citizen, defaults={"language": "en"})
    event(client, "case.transferred", {"number": case.number, "department": "区民政局", "reason": "民政职责"})
    [body] = told(citizen, "case.transferred")
    assert body.startswith("[Cloud Window]") and "The time limit keeps running" in body


class TestASuspensionForDeferredItems:
    """容缺 items owed past their deadline (issue 13): central suspends the review until a last day and tells the
    front, which shows it and tells the citizen; when the day passes with the items still owed, central closes the
    case and the citizen reads why — not "逾期未补正" of a correction they were never asked for."""

    @pytest.fixture
    def owing(self, case):
        Case.objects.filter(id=case.id).update(
            commitment_items=["户口簿"], commitment_deadline="2026-09-25", commitment_broken_at=timezone.now()
        )
        case.refresh_from_db()
        return case

    def test_the_suspension_and_its_last_day_are_shown_and_told_once(self, client, citizen, owing):
        payload = {"number": owing.number, "outstanding": ["户口簿"], "deadline": "2026-10-16"}
        event(client, "case.review_suspended", payload)
        event(client, "case.review_suspended", payload)  # a repeat changes nothing
        owing.refresh_from_db()
        assert owing.status == CaseStatus.IN_REVIEW
        assert owing.procedure_note == "容缺材料（户口簿）逾期未补齐，审批中止；请于2026-10-16前补齐，逾期将终止办理"
        [body] = told(citizen, "case.review_suspended")
        assert "请于2026-10-16前补齐" in body
        html = shown(citizen, owing)
        assert "请于2026-10-16前补齐" in html and "在中止期限内补齐材料后审批继续" in html

    def test_its_end_closes_the_case_with_its_own_sentence(self, client, citizen, owing):
        event(client, "case.closed_no_correction", {"number": owing.number, "deadline": "2026-10-16"})
        owing.refresh_from_db()
        assert owing.status == CaseStatus.CLOSED_NO_CORRECTION and owing.closed_for_commitment
        assert owing.procedure_note == "中止期限2026-10-16已过，容缺材料仍未补齐，办件终止"
        [body] = told(citizen, "case.closed_commitment_unmet")
        assert "中止期限2026-10-16已过" in body and not told(citizen, "case.closed_no_correction")
        assert "因容缺材料逾期未补齐，本件已终止" in shown(citizen, owing)

    def test_a_suspended_case_is_still_voided(self, client, citizen, owing):
        """Central voids a suspended case opened in error (tests/central/test_case_ends.py TestASuspendedCase)."""
        event(
            client,
            "case.review_suspended",
            {"number": owing.number, "outstanding": ["户口簿"], "deadline": "2026-10-16"},
        )
        event(client, "case.voided", {"number": owing.number, "reason": "同一申请重复报送"})
        owing.refresh_from_db()
        assert owing.status == CaseStatus.VOIDED and owing.procedure_note == "作废理由：同一申请重复报送"
        [body] = told(citizen, "case.voided")
        assert "同一申请重复报送" in body
        assert "本件已作废。" in shown(citizen, owing)

    def test_a_suspended_case_is_transferred_and_taken_up_still_suspended_told_once(self, client, citizen, owing):
        """Central sends the transfer, then at the take-up only the suspension again (tests/central/test_case_ends.py
        TestASuspendedCase): the case page keeps the deferred items open meanwhile, the mirror comes back to review
        showing the same last day, and the applicant, told of that suspension already, is not told it again."""
        Case.objects.filter(id=owing.id).update(promised_date="2026-10-30")
        suspended = {"number": owing.number, "outstanding": ["户口簿"], "deadline": "2026-10-16"}
        event(client, "case.review_suspended", suspended)
        event(client, "case.transferred", {"number": owing.number, "department": "区民政局", "reason": "民政职责"})
        owing.refresh_from_db()
        assert owing.status == CaseStatus.TRANSFERRED and owing.procedure_note == "已转至区民政局办理：民政职责"
        assert len(told(citizen, "case.transferred")) == 1
        # On its way the items are still owed, and may still be supplied (central takes them: the suspension ends).
        assert owing.commitment_open
        html = shown(citizen, owing)
        assert "补交容缺材料" in html and "在中止期限内补齐材料后审批继续" in html
        # Taken up by the new department: back in review, suspended with the same last day, told once in all.
        event(client, "case.review_suspended", suspended)
        owing.refresh_from_db()
        assert owing.status == CaseStatus.IN_REVIEW and "请于2026-10-16前补齐" in owing.procedure_note
        assert str(owing.promised_date) == "2026-10-30"
        assert len(told(citizen, "case.review_suspended")) == 1

    def test_a_suspension_at_the_end_of_a_special_procedure_brings_the_case_back_to_review(
        self, client, citizen, owing
    ):
        """A breach during a special procedure: central ends it with the suspension alone
        (tests/central/test_deferred.py TestABreachAwayFromReview); the applicant is told it, once."""
        Case.objects.filter(id=owing.id).update(status=CaseStatus.SPECIAL_PROCEDURE)
        event(
            client,
            "case.review_suspended",
            {"number": owing.number, "outstanding": ["户口簿"], "deadline": "2026-10-16"},
        )
        owing.refresh_from_db()
        assert owing.status == CaseStatus.IN_REVIEW and "请于2026-10-16前补齐" in owing.procedure_note
        assert len(told(citizen, "case.review_suspended")) == 1

    def test_the_same_suspension_reworded_is_not_told_again(self, client, citizen, owing, monkeypatch):
        """Told once is a fact of the suspension — its items and last day, as central sent them — not of the note
        that says it: received again after its wording changed (a new release, a translation), the case page says
        it the new way and the applicant, who heard of it already, is not told it again."""
        from apps.front.intake import handlers

        suspended = {"number": owing.number, "outstanding": ["户口簿"], "deadline": "2026-10-16"}
        event(client, "case.review_suspended", suspended)
        monkeypatch.setattr(
            handlers,
            "_suspension_note",
            lambda payload: f"审批中止，请于{payload.deadline}前补交：{'、'.join(payload.outstanding)}",
        )
        event(client, "case.review_suspended", suspended)
        owing.refresh_from_db()
        assert owing.status == CaseStatus.IN_REVIEW and owing.procedure_note == "审批中止，请于2026-10-16前补交：户口簿"
        assert len(told(citizen, "case.review_suspended")) == 1
        assert (
            CaseEvent.objects.filter(
                case=owing, suspension={"outstanding": ["户口簿"], "deadline": "2026-10-16"}
            ).count()
            == 2
        )

    def test_a_different_suspension_is_told_again(self, client, citizen, owing):
        """Another suspension is news: a last day fixed once its year's holidays are published, then other items
        owed (the first told with no day)."""
        event(client, "case.review_suspended", {"number": owing.number, "outstanding": ["户口簿"], "deadline": ""})
        [body] = told(citizen, "case.review_suspended")
        assert "补齐期限待节假日安排公布后确定" in body
        event(
            client,
            "case.review_suspended",
            {"number": owing.number, "outstanding": ["户口簿"], "deadline": "2026-10-16"},
        )
        assert len(told(citizen, "case.review_suspended")) == 2
        event(
            client,
            "case.review_suspended",
            {"number": owing.number, "outstanding": ["户口簿", "健康证明"], "deadline": "2026-10-16"},
        )
        bodies = told(citizen, "case.review_suspended")
        assert len(bodies) == 3 and any("容缺材料（户口簿、健康证明）" in body for body in bodies)
