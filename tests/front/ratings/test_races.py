"""Two at once, with real threads (each its own PostgreSQL connection, released by a barrier): one
evaluation per service event, an SMS link used once, one staff member calling back."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from apps.front.ratings.models import Evaluation, EvaluationChannel, Invitation, Rectification
from apps.front.ratings.services import (
    evaluation_submit_by_invitation,
    evaluation_submit_for_ticket,
    invitation_token,
    invitations_send_due,
    rectification_assign,
)
from govservice.api import DomainError

from .conftest import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], object]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call):
        try:
            connection.ensure_connection()
            barrier.wait()
            try:
                call()
                results.append("ok")
            except DomainError as exc:
                results.append(exc.error_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def test_the_tablet_and_the_terminal_at_once_give_one_evaluation_and_one_rectification(hall, matter, citizen):
    for number in range(1, 6):
        ticket = make_ticket(hall, matter, citizen=citizen, number=number)
        results = _race(
            lambda t=ticket: evaluation_submit_for_ticket(
                ticket_id=t.id, hall_id=hall.id, score=5, channel=EvaluationChannel.TABLET
            ),
            lambda t=ticket: evaluation_submit_for_ticket(
                ticket_id=t.id, hall_id=hall.id, score=4, channel=EvaluationChannel.TERMINAL
            ),
        )
        assert results == ["already_rated", "ok"]
        assert Evaluation.objects.filter(ticket=ticket).count() == 1
        assert Rectification.objects.filter(evaluation__ticket=ticket).count() == 1


def test_one_sms_link_tapped_twice_at_once_rates_once(hall, matter, citizen, settings):
    settings.RATING_INVITE_DELAY_MINUTES = 0
    make_ticket(hall, matter, citizen=citizen, number=1)
    assert invitations_send_due() == 1
    token = invitation_token(Invitation.objects.get())
    results = _race(
        lambda: evaluation_submit_by_invitation(token=token, score=2),
        lambda: evaluation_submit_by_invitation(token=token, score=3),
    )
    assert results == ["already_rated", "ok"]
    assert Evaluation.objects.count() == 1 and Invitation.objects.get().used_at is not None


def test_two_clerks_taking_the_same_rectification_make_one_assignee(hall, matter, clerk, colleague):
    ticket = make_ticket(hall, matter, number=1)
    evaluation = evaluation_submit_for_ticket(
        ticket_id=ticket.id, hall_id=hall.id, score=5, channel=EvaluationChannel.TERMINAL
    )
    rectification_id = evaluation.rectification.id
    results = _race(
        lambda: rectification_assign(actor=clerk, rectification_id=rectification_id),
        lambda: rectification_assign(actor=colleague, rectification_id=rectification_id),
    )
    assert results == ["forbidden", "ok"]
    rectification = Rectification.objects.get()
    assert rectification.assignee in (clerk, colleague)
    assert rectification.events.filter(action="assign").count() == 1
