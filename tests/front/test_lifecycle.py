"""govservice.lib.lifecycle, the one status mover, on a real lifecycle with an event table (the front's case):
one code for every refusal, one winner among concurrent moves, the event row committed or rolled back
with its move."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.hashers import make_password
from django.db import DataError, connection, transaction
from django.utils import translation

from apps.front.intake.models import Case, CaseEvent, CaseStatus
from govservice.api import status_for
from govservice.lib import lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(citizen, hall, matter, clerk):
    return Case.objects.create(
        number="TZ2026120100042",
        query_password_hash=make_password("246810"),
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.RECEIVED,
    )


def moves(case: Case) -> list[tuple[str, str]]:
    return list(CaseEvent.objects.filter(case=case).values_list("from_status", "to_status"))


class TestRefusal:
    def test_it_refuses_a_move_the_map_does_not_list_with_the_one_code(self, case):
        with pytest.raises(lifecycle.TransitionRefused) as refused, translation.override("zh-hans"):
            lifecycle.move(case, CaseStatus.DELIVERED)
        assert refused.value.error_code == lifecycle.REFUSED == "invalid_state"
        assert status_for(refused.value) == 409
        assert "已收件" in str(refused.value.detail)  # the status it is in, as the citizen reads it
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED and moves(case) == []

    def test_it_refuses_a_row_someone_else_moved_with_the_same_code(self, case):
        stale = Case.objects.get(id=case.id)
        lifecycle.move(case, CaseStatus.ACCEPTED)
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            lifecycle.move(stale, CaseStatus.REJECTED_AT_INTAKE, stale="changed")
        assert refused.value.error_code == "invalid_state" and str(refused.value.detail) == "changed"
        assert Case.objects.get(id=case.id).status == CaseStatus.ACCEPTED
        assert moves(case) == [(CaseStatus.RECEIVED, CaseStatus.ACCEPTED)]

    def test_it_refuses_when_the_extra_condition_fails(self, case, clerk):
        with pytest.raises(lifecycle.TransitionRefused):
            lifecycle.move(case, CaseStatus.ACCEPTED, where={"clerk__isnull": True})
        assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED

    def test_it_refuses_by_pk_outside_the_given_sources(self, case):
        with pytest.raises(lifecycle.TransitionRefused):
            lifecycle.move_pk(Case, case.id, CaseStatus.WITHDRAWN, sources={CaseStatus.SUBMITTED})
        assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED

    def test_it_will_not_take_sources_the_map_does_not_allow(self, case):
        with pytest.raises(ValueError, match="closed"):
            lifecycle.move_pk(Case, case.id, CaseStatus.WITHDRAWN, sources={CaseStatus.CLOSED})


class TestMove:
    def test_it_sets_the_fields_and_stamps_auto_now_in_the_same_update(self, case, clerk):
        before = Case.objects.get(id=case.id).updated_at
        moved = lifecycle.move(
            case,
            CaseStatus.REJECTED_AT_INTAKE,
            fields={"refusal_reason": "不属于本机关职权范围"},
            event={"actor": clerk, "note": "不予受理"},
        )
        assert moved is case and case.status == CaseStatus.REJECTED_AT_INTAKE
        row = Case.objects.get(id=case.id)
        assert (row.status, row.refusal_reason) == (CaseStatus.REJECTED_AT_INTAKE, "不属于本机关职权范围")
        assert row.updated_at > before
        event = CaseEvent.objects.get(case=case)
        assert (event.from_status, event.to_status, event.actor, event.note) == (
            CaseStatus.RECEIVED,
            CaseStatus.REJECTED_AT_INTAKE,
            clerk,
            "不予受理",
        )

    def test_it_moves_by_pk_from_any_allowed_source_and_records_the_true_one(self, case):
        moved = lifecycle.move_pk(Case, case.id, CaseStatus.WITHDRAWN)
        assert moved.status == CaseStatus.WITHDRAWN
        assert moves(case) == [(CaseStatus.RECEIVED, CaseStatus.WITHDRAWN)]

    def test_it_answers_the_cheap_checks_from_the_same_map(self, case):
        assert lifecycle.allows(case, CaseStatus.ACCEPTED) and not lifecycle.allows(case, CaseStatus.DELIVERED)
        assert case.can_withdraw and case.awaits_intake
        assert lifecycle.sources_of(Case, CaseStatus.RESULT_READY) == {CaseStatus.DECIDED}


class TestInTheCallersTransaction:
    def test_it_leaves_the_callers_transaction_usable_after_a_refusal(self, case):
        """Callers catch a refusal and carry on (an expired offer, a ticket already taken): nothing was
        written, so their transaction must not be doomed."""
        stale = Case.objects.get(id=case.id)
        with transaction.atomic():
            lifecycle.move(case, CaseStatus.ACCEPTED)
            with pytest.raises(lifecycle.TransitionRefused):
                lifecycle.move(stale, CaseStatus.ACCEPTED)
            with pytest.raises(lifecycle.TransitionRefused):
                lifecycle.move_pk(Case, case.id, CaseStatus.DECIDED, sources={CaseStatus.IN_REVIEW})
            with pytest.raises(lifecycle.TransitionRefused):
                lifecycle.move_pk(Case, case.id, CaseStatus.CLOSED)  # several sources: the locked read refuses
            assert Case.objects.get(id=case.id).status == CaseStatus.ACCEPTED

    def test_it_costs_the_update_and_the_event_insert_and_no_savepoint(self, case, django_assert_num_queries):
        with transaction.atomic(), django_assert_num_queries(2):
            lifecycle.move(case, CaseStatus.ACCEPTED)


class TestEventRowWithTheMove:
    def test_it_rolls_the_event_back_with_the_move(self, case):
        with pytest.raises(RuntimeError), transaction.atomic():
            lifecycle.move(case, CaseStatus.ACCEPTED)
            assert moves(case) == [(CaseStatus.RECEIVED, CaseStatus.ACCEPTED)]
            raise RuntimeError("the caller's next step failed")
        assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED and moves(case) == []

    @pytest.mark.django_db(transaction=True)
    def test_it_rolls_the_move_back_when_the_event_cannot_be_written(self, case):
        # Outside any transaction (transaction=True), as a periodic job calls it: the move is its own.
        with pytest.raises(DataError):
            lifecycle.move(case, CaseStatus.ACCEPTED, event={"actor_label": "x" * 65})  # longer than the column
        assert Case.objects.get(id=case.id).status == CaseStatus.RECEIVED and moves(case) == []


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_concurrent_moves_win(case):
    """Eight connections read the same received case and move it at once, each to a different allowed
    target: exactly one move lands, every other is refused with the one code, one event row."""
    targets = [CaseStatus.ACCEPTED, CaseStatus.REJECTED_AT_INTAKE, CaseStatus.WITHDRAWN] * 3
    targets = targets[:8]
    barrier = threading.Barrier(len(targets), timeout=30)
    results: list[str] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(target: str) -> None:
        try:
            mine = Case.objects.get(id=case.id)
            barrier.wait()
            try:
                lifecycle.move(mine, target)
                outcome = f"won:{target}"
            except lifecycle.TransitionRefused as exc:
                outcome = exc.error_code
            with lock:
                results.append(outcome)
        except BaseException as exc:  # reported below
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not crashes, crashes
    assert len(results) == len(targets)
    winners = [r for r in results if r.startswith("won:")]
    assert len(winners) == 1, results
    assert results.count("invalid_state") == len(targets) - 1
    won = winners[0].removeprefix("won:")
    assert Case.objects.get(id=case.id).status == won
    assert moves(case) == [(CaseStatus.RECEIVED, won)]
