"""Consultation tickets: a hall supervisor, a second department with its liaison, and a helper that
asks a question at a frozen moment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.front.booking.models import StaffPost
from apps.front.consult.models import ConsultDesk, ConsultTicket
from apps.front.consult.services import ticket_ask
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department
from tests.factories import make_user


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in Beijing time."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@pytest.fixture
def supervisor(hall):
    user = make_user("hall_boss", Role.HALL_SUPERVISOR, real_name="钱主管", phone="13700007777")
    StaffPost.objects.create(user=user, hall=hall)
    return user


@pytest.fixture
def other_department(db):
    return Department.objects.create(code="YBJ", name="区医疗保障局")


@pytest.fixture
def liaison(other_department, other_hall):
    """The medical-insurance bureau's liaison, posted in the other hall."""
    user = make_user("ybj_liaison", Role.CLERK, real_name="吴联络", phone="13600006666")
    StaffPost.objects.create(user=user, hall=other_hall)
    ConsultDesk.objects.create(user=user, department=other_department)
    return user


@pytest.fixture
def ask(citizen, matter):
    def _ask(
        *,
        when: dt.datetime | None = None,
        kind: str = "consultation",
        who=None,
        title: str = "社保卡丢了怎么补办",
        content: str = "我的社保卡丢了，需要带什么材料？",
    ) -> ConsultTicket:
        if when is None:
            return ticket_ask(citizen=who or citizen, matter_code=matter.code, kind=kind, title=title, content=content)
        with time_machine.travel(when, tick=False):
            return ticket_ask(citizen=who or citizen, matter_code=matter.code, kind=kind, title=title, content=content)

    return _ask
