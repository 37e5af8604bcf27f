"""What every decision needs first (issue 13 point 6): the case claimed by the decider and its review
steps passed in order. Tests about something else reach the decision step through these."""

from __future__ import annotations

from apps.central.review import services
from apps.central.review.models import DECISION_STEP


def to_decision(api, user, case) -> None:
    """Through the API: claim, then pass each step before the decision."""
    client = api(user)
    for action in ("claim", *("pass",) * DECISION_STEP):
        response = client.post(f"/api/v1/cases/{case.id}/{action}/", {}, format="json")
        assert response.status_code == 200, (action, response.content)


def to_decision_by_services(user, case_id: int, *, claim: bool = True) -> None:
    """Through the services, for tests below the API."""
    if claim:
        services.case_claim(approver=user, case_id=case_id)
    for _ in range(DECISION_STEP):
        services.case_step(approver=user, case_id=case_id, forward=True)
