"""Central's business metrics, scraped after making what they count: open cases near and past their
limits per department, and a remote-window session ringing."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from apps.central.review.models import ReviewCase, ReviewStatus
from tests.central.remote.conftest import open_payload, relay
from tests.factories import make_matter
from tests.observability_helpers import scraped, value

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))  # a Monday
_numbers = itertools.count(1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def open_case(matter, platform, *, used: int) -> ReviewCase:
    """A case in review whose clock has run ``used`` working days before today and runs on."""
    return ReviewCase.objects.create(
        platform=platform,
        front_number=f"TZ2026{next(_numbers):09d}",
        matter=matter,
        department=matter.department,
        hall_name="北京城市副中心政务服务中心",
        applicant_name="王小明",
        applicant_id_number="11010519491231002X",
        status=ReviewStatus.IN_REVIEW,
        accepted_at=NOW - dt.timedelta(days=30),
        promised_limit=matter.promised_days,
        legal_limit=matter.legal_days,
        clock_used=used,
        clock_running_since=NOW.date(),
    )


def test_cases_near_and_past_their_limits_per_department(client, frozen, matter, platform):
    assert matter.promised_days == 5
    open_case(matter, platform, used=0)  # green
    open_case(matter, platform, used=4)  # one working day left: near
    open_case(matter, platform, used=6)  # past the promise
    open_case(matter, platform, used=matter.legal_days + 1)  # past the law too

    families = scraped(client)
    department = matter.department.code
    assert value(families, "cloudwindow_review_cases", department=department, state="open") == 4
    assert value(families, "cloudwindow_review_cases", department=department, state="near_limit") == 1
    assert value(families, "cloudwindow_review_cases", department=department, state="overdue") == 2
    assert value(families, "cloudwindow_review_cases", department=department, state="beyond_legal") == 1


def test_open_remote_sessions(client, platform, department):
    matter = make_matter("RSJ-REMOTE", department=department, remote_window=True)
    assert relay(client, open_payload(matter)).status_code == 200
    families = scraped(client)
    assert value(families, "cloudwindow_remote_sessions_open", status="ringing") == 1
    assert value(families, "cloudwindow_remote_sessions_open", status="active") == 0
