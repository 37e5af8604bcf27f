"""The admin's rating lists: the hall and unit columns (nullable keys) are read with the list, not once per row."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.front.ratings.models import EvaluationChannel, Rectification
from apps.front.ratings.services import evaluation_submit_for_ticket
from tests.factories import make_user

from .conftest import make_ticket

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_evaluation_and_rectification_lists_take_the_same_queries_for_many_rows(frozen, hall, matter):
    client = Client()
    client.force_login(make_user("ratings_admin", role="admin", is_staff=True, is_superuser=True))
    counts = []
    for first, last in ((1, 1), (2, 5)):
        for number in range(first, last + 1):
            ticket = make_ticket(hall, matter, number=number)
            evaluation_submit_for_ticket(
                ticket_id=ticket.id, hall_id=hall.id, score=5, channel=EvaluationChannel.TABLET
            )
        evaluations, html = _queries(client, "/admin/ratings/evaluation/")
        assert html.count(f">{hall.name}</td>") == last
        rectifications, html = _queries(client, "/admin/ratings/rectification/")
        unit = Rectification.objects.select_related("unit").first().unit
        assert unit is not None and html.count(f">{unit}</td>") == last
        counts.append((evaluations, rectifications))
    assert counts[0] == counts[1]
