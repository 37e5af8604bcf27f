"""The migration that gave a case event its suspension reads it back from the notes written before, so that an
applicant told of a suspension is not told it again when central sends it once more (handlers.review_suspended)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.front.intake.models import Case, CaseEvent, CaseStatus

BEFORE = [("intake", "0017_originals_check")]


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_suspension_of_the_events_recorded_before(citizen, hall, matter, clerk):
    case = Case.objects.create(
        number="TZ2026112400077",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("intake", "CaseEvent")
    for note in (
        "容缺材料（户口簿、健康证明）逾期未补齐，审批中止；请于2026-10-16前补齐，逾期将终止办理",
        "容缺材料（户口簿）逾期未补齐，审批中止；补齐期限待节假日安排公布后确定",
        "容缺材料（户口簿）已补齐",
        "恢复审查",
    ):
        old.objects.create(case_id=case.id, to_status=CaseStatus.IN_REVIEW, note=note, at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(CaseEvent.objects.filter(case=case).order_by("id").values_list("suspension", flat=True)) == [
        {"outstanding": ["户口簿", "健康证明"], "deadline": "2026-10-16"},
        {"outstanding": ["户口簿"], "deadline": ""},
        None,
        None,
    ]
