"""The journey's wait for the new day near local midnight (tests/e2e/journey.wait_out_midnight): the servers
run on the real clock, so the journey's "slot in ten minutes" must not straddle the end of a hall day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.e2e import journey


class _Site:
    """A site whose database says how many seconds are left until local midnight (``left``), or asks the real one."""

    def __init__(self, left: float | None = None):
        self.left, self.statements = left, []

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        self.statements.append(query)
        if self.left is not None:
            return [(self.left,)]
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()


@pytest.fixture
def slept(monkeypatch):
    naps: list[float] = []
    monkeypatch.setattr(journey.time, "sleep", naps.append)
    return naps


@pytest.mark.parametrize(
    ("left", "expected"), [(journey.BEFORE_MIDNIGHT, 0.0), (12 * 3600, 0.0), (90.0, 95.0), (0.5, 5.5)]
)
def test_the_journey_waits_for_the_new_day_only_close_to_midnight(slept, left, expected):
    assert journey.wait_out_midnight(_Site(left)) == expected
    assert slept == ([expected] if expected else [])


@pytest.mark.django_db
def test_the_database_answers_the_seconds_left_of_the_local_day(slept):
    """The statement itself, on PostgreSQL: the seconds from now to the next Beijing midnight, as this process's
    clock counts them (both read the same machine's clock)."""
    now = timezone.localtime()
    midnight = timezone.make_aware(dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time()))
    expected_left = (midnight - now).total_seconds()
    waited = journey.wait_out_midnight(_Site())
    if waited:  # the database found less than BEFORE_MIDNIGHT left (this clock may differ by the test's own time)
        assert expected_left < journey.BEFORE_MIDNIGHT + 2 and waited == pytest.approx(expected_left + 5, abs=2)
    else:
        assert expected_left > journey.BEFORE_MIDNIGHT - 2
    assert slept == ([waited] if waited else [])
