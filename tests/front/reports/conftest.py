"""A known data set for the hall reports, built on a fixed day so every figure can be checked exactly.

Hall TZ (the supervisor's), in the last 30 days up to 2026-06-15:
- appointments on 2026-06-12: 3 completed, 1 no-show, 1 cancelled, 1 still booked; a no-show 40 days back;
- tickets on 2026-06-13: waits 2/4/6 min at window 1 (services 5/10/15), 8 min at window 2 (service 20),
  10 min at window 2 then missed, one still waiting;
- cases: 3 accepted (one after a one-time notice), 1 refused, 1 with a notice only, 1 filed online only;
- evaluations: 社保卡 scores 1, 2, 3, 4 (fixed and answered), 5 (appeal upheld, so not counted); 医保 score 5
  (rectification open).
Hall YS has one of each, which the TZ supervisor must never see.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from apps.front.booking.models import Appointment, AppointmentStatus, Hall, Slot, StaffPost, Window
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case, CaseStatus
from apps.front.ratings.models import Evaluation, Rectification, RectificationStatus, ServiceKind
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department
from tests.factories import make_matter, make_user

TODAY = dt.date(2026, 6, 15)
NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
SERVICE_DAY = dt.date(2026, 6, 13)

_numbers = itertools.count(1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def at(day: dt.date, hour: int = 9, minute: float = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))) + dt.timedelta(minutes=minute)


def slot_on(hall: Hall, day: dt.date) -> Slot:
    group = hall.groups.get(letter="A")
    start = at(day)
    return Slot.objects.get_or_create(
        group=group,
        start=start,
        defaults={"hall": hall, "date": day, "end": start + dt.timedelta(minutes=30), "capacity": 20},
    )[0]


def appointment(hall: Hall, matter, citizen, status: str, day: dt.date) -> Appointment:
    return Appointment.objects.create(
        code=f"R{next(_numbers):07d}",
        citizen=citizen,
        matter=matter,
        matter_code=matter.code,
        slot=slot_on(hall, day),
        hall=hall,
        status=status,
    )


def ticket(
    hall: Hall, matter, *, window: Window | None, wait: float | None, service: float | None, status: str
) -> Ticket:
    checked_in = at(SERVICE_DAY, 9, next(_numbers))
    called = checked_in + dt.timedelta(minutes=wait) if wait is not None else None
    started = called + dt.timedelta(minutes=1) if called and service is not None else None
    finished = started + dt.timedelta(minutes=service) if started and service is not None else None
    group = hall.groups.get(letter="A")
    return Ticket.objects.create(
        hall=hall,
        group=group,
        service_date=SERVICE_DAY,
        number=next(_numbers),
        prefix="A",
        matter=matter,
        status=status,
        checked_in_at=checked_in,
        called_at=called,
        started_at=started,
        finished_at=finished,
        window=window,
    )


def case(
    hall: Hall,
    matter,
    citizen,
    *,
    status: str,
    accepted: bool = False,
    notice: bool = False,
    deemed: bool = False,
    day: dt.date = SERVICE_DAY,
) -> Case:
    received = at(day, 10)
    return Case.objects.create(
        number=f"{hall.case_prefix}{next(_numbers):011d}",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        status=status,
        received_at=received,
        # Accepted by law (Art. 32 (4)): as of the receipt, recorded by the job days later.
        accepted_at=received if deemed else received + dt.timedelta(hours=1) if accepted else None,
        deemed_accepted_at=received + dt.timedelta(days=8) if deemed else None,
        notice_sent_at=received + dt.timedelta(minutes=30) if notice else None,
    )


def evaluate(
    *,
    hall: Hall,
    matter,
    score: int,
    ticket: Ticket | None = None,
    case: Case | None = None,
    rectification: str | None = None,
) -> Evaluation:
    evaluation = Evaluation.objects.create(
        kind=ServiceKind.TICKET if ticket else ServiceKind.CASE,
        ticket=ticket,
        case=case,
        score=score,
        hall=hall,
        matter=matter,
        department=matter.department,
        created_at=at(SERVICE_DAY, 16),
    )
    if rectification:
        Rectification.objects.create(
            evaluation=evaluation,
            hall=hall,
            department=matter.department,
            status=rectification,
            due_date=SERVICE_DAY + dt.timedelta(days=7),
            appeal_due=SERVICE_DAY + dt.timedelta(days=3),
            replied_at=at(SERVICE_DAY + dt.timedelta(days=1)) if rectification == RectificationStatus.CLOSED else None,
        )
    return evaluation


@pytest.fixture
def supervisor(hall):
    user = make_user("hallsup", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=user, hall=hall)
    return user


@pytest.fixture
def admin_user(db):
    return make_user("siteadmin", Role.ADMIN, real_name="管理员")


@pytest.fixture
def known_data(frozen, hall, other_hall, matter, citizen, other_citizen):
    window_1 = hall.windows.get(number=1)
    window_2 = Window.objects.create(hall=hall, group=window_1.group, number=2)
    health = make_matter(
        "M-YB01",
        name="城乡居民医保参保登记",
        department=Department.objects.create(code="YBJ", name="区医疗保障局"),
    )
    day = SERVICE_DAY - dt.timedelta(days=1)
    for status in [AppointmentStatus.COMPLETED] * 3 + [
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED_BY_CITIZEN,
        AppointmentStatus.BOOKED,
    ]:
        appointment(hall, matter, citizen, status, day)
    appointment(hall, matter, citizen, AppointmentStatus.NO_SHOW, TODAY - dt.timedelta(days=40))  # outside
    appointment(other_hall, matter, other_citizen, AppointmentStatus.NO_SHOW, day)

    served = [
        ticket(hall, matter, window=window_1, wait=2, service=5, status=TicketStatus.DONE),
        ticket(hall, matter, window=window_1, wait=4, service=10, status=TicketStatus.DONE),
        ticket(hall, matter, window=window_1, wait=6, service=15, status=TicketStatus.DONE),
        ticket(hall, matter, window=window_2, wait=8, service=20, status=TicketStatus.DONE),
    ]
    ticket(hall, matter, window=window_2, wait=10, service=None, status=TicketStatus.MISSED)
    ticket(hall, matter, window=None, wait=None, service=None, status=TicketStatus.WAITING)
    other_ticket = ticket(
        other_hall, matter, window=other_hall.windows.get(), wait=90, service=60, status=TicketStatus.DONE
    )

    case(hall, matter, citizen, status=CaseStatus.ACCEPTED, accepted=True)
    case(hall, matter, citizen, status=CaseStatus.DECIDED, accepted=True)
    case(hall, matter, citizen, status=CaseStatus.IN_REVIEW, accepted=True, notice=True)
    case(hall, matter, citizen, status=CaseStatus.REJECTED_AT_INTAKE)
    case(hall, matter, citizen, status=CaseStatus.RECEIVED, notice=True)
    case(hall, matter, citizen, status=CaseStatus.IN_REVIEW, deemed=True)  # the hall let the limit pass
    case(hall, matter, citizen, status=CaseStatus.SUBMITTED)  # never received at a window
    case(other_hall, matter, other_citizen, status=CaseStatus.REJECTED_AT_INTAKE)
    decided_health = case(
        hall, health, citizen, status=CaseStatus.DECIDED, accepted=True, day=TODAY - dt.timedelta(days=60)
    )

    evaluate(hall=hall, matter=matter, score=1, ticket=served[0])
    evaluate(hall=hall, matter=matter, score=2, ticket=served[1])
    evaluate(hall=hall, matter=matter, score=4, ticket=served[2], rectification=RectificationStatus.CLOSED)
    evaluate(hall=hall, matter=matter, score=5, ticket=served[3], rectification=RectificationStatus.VOIDED)
    evaluate(
        hall=hall, matter=matter, score=3, case=Case.objects.get(hall=hall, status=CaseStatus.DECIDED, matter=matter)
    )
    evaluate(hall=hall, matter=health, score=5, case=decided_health, rectification=RectificationStatus.OPEN)
    evaluate(hall=other_hall, matter=matter, score=5, ticket=other_ticket, rectification=RectificationStatus.OPEN)
    return {"health": health, "window_2": window_2}
