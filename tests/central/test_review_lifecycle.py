"""Every status of central's lifecycles is reached and left by a test (issue 13, "Done when").

Each edge of REVIEW_TRANSITIONS and EXTENSION_TRANSITIONS is made here through the service a person or a
job uses, from a fresh case; the first test fails when the map gains an edge nothing makes (or loses one).
Statuses: IN_REVIEW is where a case arrives (review.handlers.case_submitted); every other status is the
target of some edge, and every status that is not final is the source of one. Central's other lifecycles (the
remote window's session) are covered in tests/central/test_status_reach.py, which also fails when central gains a
lifecycle nobody covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.utils import timezone

from apps.central.review import deferred, services
from apps.central.review.models import (
    EXTENSION_TRANSITIONS,
    FINISHED,
    REVIEW_TRANSITIONS,
    ExtensionRequest,
    ExtensionStatus,
    ReviewCase,
)
from apps.central.review.models import ReviewStatus as R
from apps.shared.accounts.models import Role
from apps.shared.exchange import contract
from tests.central.reviewing import to_decision_by_services
from tests.central.test_review import package, send
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


class World:
    """A received case, its approver and a supervisor; ``reach`` brings the case to a status."""

    def __init__(self, client, matter, approver, supervisor):
        # Sent before any time travel: the signed wire checks its timestamp against the real clock.
        assert send(client, *package(matter)).status_code == 200
        self.case = ReviewCase.objects.get()
        self.approver, self.supervisor = approver, supervisor

    def claim(self) -> None:
        services.case_claim(approver=self.approver, case_id=self.case.id)

    @property
    def id(self) -> int:
        return self.case.id

    def locked(self) -> ReviewCase:
        return ReviewCase.objects.select_for_update().select_related("platform", "department", "matter").get(id=self.id)

    def reach(self, status: str) -> None:
        if status == R.CORRECTION:
            deadline = timezone.localdate() + dt.timedelta(days=3)
            services.case_request_correction(
                approver=self.approver, case_id=self.id, items=["户口簿"], deadline=deadline
            )
        elif status == R.SPECIAL_PROCEDURE:
            # A hearing at the decision step: the steps before it are passed, so it may end in a decision.
            to_decision_by_services(self.approver, self.id, claim=False)
            services.case_start_special_procedure(
                approver=self.approver, case_id=self.id, kind="inspection", reason="核查", expected_days=5
            )
        elif status == R.TRANSFERRED:
            services.case_transfer(
                supervisor=self.supervisor, case_id=self.id, department_code="MZJ", reason="民政职责"
            )
        elif status == R.SUSPENDED:
            self.suspend()

    # The moves, each through its service.
    def decide(self) -> None:
        if ReviewCase.objects.get(id=self.id).status == R.IN_REVIEW:
            to_decision_by_services(self.approver, self.id, claim=False)
        services.case_decide(approver=self.approver, case_id=self.id, decision="approved", reason="")

    def withdraw(self) -> None:
        services.withdrawal_apply(self.locked(), reason="不办了")

    def void(self) -> None:
        services.case_void(supervisor=self.supervisor, case_id=self.id, reason="误立")

    def transfer(self) -> None:
        elsewhere = "MZJ" if ReviewCase.objects.get(id=self.id).department.code == "RSJ" else "RSJ"
        services.case_transfer(supervisor=self.supervisor, case_id=self.id, department_code=elsewhere, reason="转办")

    def take_up(self) -> None:
        services.case_take_over(supervisor=self.supervisor, case_id=self.id, reason="接收转办")

    def supplement(self) -> None:
        services.supplement_apply(self.locked(), names=["户口簿.pdf"])

    def close(self) -> None:
        later = ReviewCase.objects.get(id=self.id).correction_deadline + dt.timedelta(days=10)
        with time_machine.travel(timezone.make_aware(dt.datetime.combine(later, dt.time(1))), tick=False):
            assert services.cases_close_uncorrected() == 1

    def close_suspended(self) -> None:
        later = ReviewCase.objects.get(id=self.id).suspension_deadline + dt.timedelta(days=1)
        with time_machine.travel(timezone.make_aware(dt.datetime.combine(later, dt.time(1))), tick=False):
            assert services.cases_close_suspended() == 1

    def suspend(self) -> None:
        """容缺受理 broken: the front's two messages, through central's handlers (review/deferred.py)."""
        case = ReviewCase.objects.get(id=self.id)
        deadline = TODAY + dt.timedelta(days=7)
        number = case.front_number
        deferred.commitment_made(
            case.platform, "m-made", contract.CaseCommitmentMade(number=number, items=["户口簿"], deadline=deadline), []
        )
        deferred.commitment_broken(
            case.platform,
            "m-broken",
            contract.CaseCommitmentBroken(number=number, outstanding=["户口簿"], deadline=deadline),
            [],
        )

    def resume(self) -> None:
        case = ReviewCase.objects.get(id=self.id)
        payload = contract.CaseDeferredSupplied(number=case.front_number, items=["户口簿"], outstanding=[])
        deferred.deferred_supplied(case.platform, "m-supplied", payload, [])

    def end_special(self) -> None:
        services.case_end_special_procedure(approver=self.approver, case_id=self.id, note="核查完毕")


EDGES: dict[tuple[str, str], Callable[[World], None]] = {
    (R.IN_REVIEW, R.CORRECTION): lambda w: w.reach(R.CORRECTION),
    (R.IN_REVIEW, R.SPECIAL_PROCEDURE): lambda w: w.reach(R.SPECIAL_PROCEDURE),
    (R.IN_REVIEW, R.DECIDED): World.decide,
    (R.IN_REVIEW, R.WITHDRAWN): World.withdraw,
    (R.IN_REVIEW, R.TRANSFERRED): World.transfer,
    (R.IN_REVIEW, R.VOIDED): World.void,
    (R.CORRECTION, R.IN_REVIEW): World.supplement,
    (R.CORRECTION, R.WITHDRAWN): World.withdraw,
    (R.CORRECTION, R.CLOSED_NO_CORRECTION): World.close,
    (R.CORRECTION, R.VOIDED): World.void,
    (R.SPECIAL_PROCEDURE, R.IN_REVIEW): World.end_special,
    (R.SPECIAL_PROCEDURE, R.DECIDED): World.decide,
    (R.SPECIAL_PROCEDURE, R.WITHDRAWN): World.withdraw,
    (R.SPECIAL_PROCEDURE, R.VOIDED): World.void,
    (R.TRANSFERRED, R.IN_REVIEW): World.take_up,
    (R.TRANSFERRED, R.TRANSFERRED): World.transfer,
    (R.TRANSFERRED, R.WITHDRAWN): World.withdraw,
    (R.TRANSFERRED, R.VOIDED): World.void,
    (R.IN_REVIEW, R.SUSPENDED): lambda w: w.reach(R.SUSPENDED),
    (R.SUSPENDED, R.IN_REVIEW): World.resume,
    (R.SUSPENDED, R.WITHDRAWN): World.withdraw,
    (R.SUSPENDED, R.CLOSED_NO_CORRECTION): World.close_suspended,
    (R.SUSPENDED, R.TRANSFERRED): World.transfer,
    (R.SUSPENDED, R.VOIDED): World.void,
}


def test_every_edge_of_the_map_is_made_below_and_every_status_is_reached_and_left():
    edges = {(source, target) for source, targets in REVIEW_TRANSITIONS.items() for target in targets}
    assert set(EDGES) == edges
    reached = {R.IN_REVIEW} | {target for _, target in edges}
    left = {source for source, _ in edges}
    assert reached == set(R.values)
    assert left == set(R.values) - FINISHED


@pytest.mark.parametrize(("source", "target"), list(EDGES), ids=[f"{s}->{t}" for s, t in EDGES])
def test_the_edge_is_made_by_its_service(client, platform, matter, approver, other_department, source, target):
    supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
    world = World(client, matter, approver, supervisor)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10))), tick=False):
        world.claim()
        world.reach(source)
        assert ReviewCase.objects.get(id=world.id).status == source
    EDGES[(source, target)](world)
    assert ReviewCase.objects.get(id=world.id).status == target


EXTENSION_EDGES = {
    (ExtensionStatus.REQUESTED, ExtensionStatus.APPROVED): lambda w: services.case_extension_approve(
        supervisor=w.supervisor, case_id=w.id
    ),
    (ExtensionStatus.REQUESTED, ExtensionStatus.REFUSED): lambda w: services.case_extension_refuse(
        supervisor=w.supervisor, case_id=w.id, reason="时限内可完成"
    ),
    (ExtensionStatus.REQUESTED, ExtensionStatus.LAPSED): World.void,
}


def test_every_extension_edge_is_made_below():
    assert set(EXTENSION_EDGES) == {(s, t) for s, targets in EXTENSION_TRANSITIONS.items() for t in targets}


@pytest.mark.parametrize(("source", "target"), list(EXTENSION_EDGES), ids=[f"{s}->{t}" for s, t in EXTENSION_EDGES])
def test_the_extension_edge_is_made_by_its_service(client, platform, matter, approver, source, target):
    world = World(client, matter, approver, make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管"))
    world.claim()
    services.case_extension_request(approver=approver, case_id=world.id, reason="需征求意见")
    assert ExtensionRequest.objects.get().status == source
    EXTENSION_EDGES[(source, target)](world)
    assert ExtensionRequest.objects.get().status == target
