"""The front's API under schemathesis (tests/api_fuzz.py): random requests unauthenticated, as a verified
citizen, as a hall clerk and as a kiosk terminal, and systematic ones as whoever may call the operation —
no 5xx, and every answer as the schema documents it.

Each test runs in a small hall (a matter, a slot, the citizen's appointment, a waiting ticket, a case under
review, a consultation, an inbox message, a rectification), at a frozen Monday morning; path parameters
are drawn from their names' real values half of the time, so that the generated bodies reach the services
and not only the 404 of an unknown identifier."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, settings

from apps.front.booking.models import Appointment, WaitlistEntry
from apps.front.consult.services import ticket_ask
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case, CaseStatus
from apps.front.notifications.models import Notification
from apps.front.ratings.models import Evaluation, Rectification, RectificationStatus, ServiceKind
from tests.api_fuzz import KNOWN, first_allowed, in_test_transaction, site_schema, token_headers
from tests.factories import make_user
from tests.front.mandates.conftest import make_company, make_mandate
from tests.personas_front import TERMINAL_TOKEN, make_slot

pytestmark = pytest.mark.slow

fuzzing = site_schema("fuzzing")
coverage = site_schema("coverage")

PERSONAS = ["anonymous", "citizen", "clerk", "terminal"]
MONDAY_MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def small_hall(hall, matter, citizen, clerk) -> dict[str, list]:
    """The identifiers the path parameters name, by parameter name."""
    slot = make_slot(hall, capacity=3)
    appointment = Appointment.objects.create(
        code="FZ000001", citizen=citizen, matter=matter, matter_code=matter.code, slot=slot, hall=hall
    )
    group = hall.groups.get()
    ticket = Ticket.objects.create(
        hall=hall,
        group=group,
        service_date=timezone.localdate(),
        number=1,
        prefix="A",
        matter=matter,
        status=TicketStatus.WAITING,
        citizen=citizen,
        checked_in_at=timezone.now(),
    )
    case = Case.objects.create(
        number="TZ2026030200001",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )
    consultation = ticket_ask(
        citizen=citizen, matter_code=matter.code, kind="consultation", title="如何办理", content="需要带哪些材料？"
    )
    notification = Notification.objects.create(
        recipient=citizen, event="fuzz", channel="inbox", subject="通知", body="正文"
    )
    evaluation = Evaluation.objects.create(
        kind=ServiceKind.TICKET,
        ticket=ticket,
        citizen=citizen,
        score=5,
        hall=hall,
        matter=matter,
        department=matter.department,
    )
    rectification = Rectification.objects.create(
        evaluation=evaluation,
        hall=hall,
        department=matter.department,
        status=RectificationStatus.OPEN,
        due_date=timezone.localdate() + dt.timedelta(days=7),
        appeal_due=timezone.localdate() + dt.timedelta(days=3),
    )
    entry = WaitlistEntry.objects.create(citizen=citizen, matter_code=matter.code, hall=hall, date=slot.date)
    # The citizen acts for someone (a person's mandate) and represents a company (issue 15).
    principal = make_user("fuzz-principal", real_name="钱委托", phone="13700009999")
    mandate = make_mandate(principal, citizen, matter_codes=[matter.code])
    company = make_company(citizen)
    return {
        "code": [appointment.code, matter.code, consultation.code],
        "number": [case.number, mandate.number],
        "principal_id": [principal.id, company.account_id],
        "credit_code": [company.credit_code],
        "ticket_id": [ticket.id],
        "notification_id": [notification.id],
        "rectification_id": [rectification.id],
        "entry_id": [entry.id],
        "courier": ["dev-express"],
    }


@pytest.fixture
def personas(hall, matter, citizen, clerk, terminal, central_peer):
    """Headers by persona, in the order the coverage test tries them."""
    with time_machine.travel(MONDAY_MORNING, tick=True), in_test_transaction():
        KNOWN.clear()
        KNOWN.update(small_hall(hall, matter, citizen, clerk))
        yield {
            "citizen": token_headers(citizen),
            "clerk": token_headers(clerk),
            "terminal": {"Authorization": f"Terminal {TERMINAL_TOKEN}"},
            "anonymous": {},
        }
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
