"""DOMAIN.md §7: an SMS goes to the citizen's phone at each step central tells the front of — a correction
request (test_central_events.py::test_it_asks_the_citizen_for_a_correction_and_sends_the_answer_back), a special
procedure (with its reason and expected length), the decision. (Acceptance:
test_accept.py::test_it_accepts_a_case_and_puts_it_on_the_wire_in_one_transaction; result ready or posted with its tracking number:
tests/front/delivery/test_delivery.py.)"""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.front.notifications.models import Notification
from tests.front.intake.test_central_events import case, event  # noqa: F401 - the fixture and the signed sender

pytestmark = pytest.mark.django_db


def _sms(citizen, kind: str) -> Notification:
    return Notification.objects.get(recipient=citizen, event=kind, channel="sms")


def test_a_special_procedure_is_told_by_sms_with_its_reason_and_expected_length(client, citizen, case):  # noqa: F811
    event(
        client,
        "case.special_procedure",
        {
            "number": case.number,
            "kind": "hearing",
            "kind_label": "听证",
            "reason": "涉及相邻权利人",
            "expected_days": 15,
        },
    )
    body = _sms(citizen, "case.special_procedure").body
    assert "涉及相邻权利人" in body and "15" in body


def test_the_decision_is_told_by_sms(client, citizen, case):  # noqa: F811
    event(
        client,
        "case.decided",
        {
            "number": case.number,
            "decision": "approved",
            "reason": "材料齐全，符合法定条件",
            "decided_at": timezone.now().isoformat(),
        },
    )
    assert case.number in _sms(citizen, "case.decided").body
