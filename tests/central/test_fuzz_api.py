"""Central's API under schemathesis (tests/api_fuzz.py): random requests unauthenticated, as an approver
and as central's supervisor, and systematic ones as whoever may call the operation — no 5xx, and every
answer as the schema documents it.

Each test runs with one case received over the signed wire (the real inbox) in the approver's department,
at a frozen Monday morning; path parameters are drawn from their names' real values half of the time. The
wire endpoint itself is outside the schema (tests/api_fuzz.py says why)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings

from apps.central.review.models import ReviewCase
from apps.shared.accounts.models import Role
from apps.shared.exchange.models import PeerKey
from tests.api_fuzz import KNOWN, first_allowed, in_test_transaction, site_schema, token_headers
from tests.central.test_review import package, send
from tests.factories import make_user

pytestmark = pytest.mark.slow

fuzzing = site_schema("fuzzing")
coverage = site_schema("coverage")

PERSONAS = ["anonymous", "approver", "supervisor"]
MONDAY_MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def personas(platform, matter, approver):
    """Headers by persona, in the order the coverage test tries them."""
    supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
    PeerKey.objects.filter(peer=platform).update(not_before=MONDAY_MORNING - dt.timedelta(days=30))
    with time_machine.travel(MONDAY_MORNING, tick=True):
        # Before in_test_transaction: Django's test client connects again what that disconnects.
        send(Client(), *package(matter))
        case = ReviewCase.objects.get()
        with in_test_transaction():
            KNOWN.clear()
            KNOWN.update({"case_id": [case.id], "code": [matter.code]})
            yield {"approver": token_headers(approver), "supervisor": token_headers(supervisor), "anonymous": {}}
            KNOWN.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@fuzzing.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_random_requests_as_each_persona(case, persona, personas):
    case.call_and_validate(headers=personas[persona])


@pytest.mark.django_db
@coverage.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_systematic_requests_as_who_may_call(case, personas, request):
    case.call_and_validate(headers=personas[first_allowed(request.node.operation_label, personas)])
