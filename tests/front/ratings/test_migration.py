"""The migration that generalised Evaluation keeps the rows carried over from apps.front.notifications: each becomes a
case evaluation (一事一评) with its hall, unit, matter and department filled in from its case."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from apps.front.ratings.models import Evaluation, ServiceKind

BEFORE = [("ratings", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_existing_evaluations(citizen, hall, matter, clerk):
    case = Case.objects.create(
        number="TZ2026030100001",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.DECIDED,
        decision="approved",
        decided_at=timezone.now(),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("ratings", "Evaluation")
    old.objects.create(
        case_id=case.id, citizen_id=citizen.id, score=5, comment="旧评价", channel="web", created_at=timezone.now()
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    evaluation = Evaluation.objects.get()
    assert (evaluation.kind, evaluation.case_id, evaluation.ticket_id) == (ServiceKind.CASE, case.id, None)
    assert (evaluation.score, evaluation.comment, evaluation.tags) == (5, "旧评价", [])
    assert evaluation.hall == hall and evaluation.matter == matter and evaluation.department == matter.department
    assert evaluation.unit == hall.groups.get()
