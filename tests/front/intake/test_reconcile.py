import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from apps.front.intake.services import cases_reconcile
from apps.shared.exchange.models import OutboxMessage


@pytest.mark.django_db
def test_it_asks_central_about_quiet_cases_once_per_quiet_period(citizen, hall, matter, clerk, central_peer, settings):
    settings.RECONCILE_QUIET_HOURS = 24
    quiet, _fresh, done = (
        Case.objects.create(
            number=f"TZ20261124000{i}",
            query_password_hash="x",
            citizen=citizen,
            matter=matter,
            hall=hall,
            clerk=clerk,
            status=status,
        )
        for i, status in ((1, CaseStatus.IN_REVIEW), (2, CaseStatus.IN_REVIEW), (3, CaseStatus.CLOSED))
    )
    Case.objects.filter(id__in=[quiet.id, done.id]).update(updated_at=timezone.now() - dt.timedelta(hours=30))
    assert cases_reconcile() == 1
    message = OutboxMessage.objects.get(kind="case.resync")
    assert message.payload == {"numbers": [quiet.number]}
    # Asked already: not again within the quiet period, and asking did not count as news.
    assert cases_reconcile() == 0
    quiet.refresh_from_db()
    assert quiet.updated_at < timezone.now() - dt.timedelta(hours=29)


@pytest.mark.django_db
def test_after_a_restore_every_case_waiting_on_central_is_asked_about_once(
    citizen, hall, matter, clerk, central_peer, settings
):
    settings.RECONCILE_QUIET_HOURS = 24
    waiting = [
        Case.objects.create(
            number=f"TZ20261124100{i}",
            query_password_hash="x",
            citizen=citizen,
            matter=matter,
            hall=hall,
            clerk=clerk,
            status=status,
        )
        for i, status in enumerate(
            (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.IN_REVIEW, CaseStatus.TRANSFERRED)
        )
    ]
    Case.objects.create(
        number="TZ202611241009",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.CLOSED,
    )
    # Recent cases: the hourly job would leave them alone; --all asks about every one, in batches, once.
    out = io.StringIO()
    call_command("cases_reconcile", "--all", stdout=out)
    assert "asked central about 4 cases" in out.getvalue()
    asked = sorted(n for m in OutboxMessage.objects.filter(kind="case.resync") for n in m.payload["numbers"])
    assert asked == sorted(c.number for c in waiting)
    assert cases_reconcile() == 0
