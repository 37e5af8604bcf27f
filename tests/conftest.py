"""Shared test set-up. One pytest process runs one site role (SITE_ROLE); the personas of that role
come from a plugin module, so the central run never imports front apps and vice versa."""

import datetime as dt
import os
import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import later_years

pytest_plugins = [
    "tests.personas_central" if os.environ.get("SITE_ROLE") == "central" else "tests.personas_front",
    "tests.browser_setup",
    "tests.lifecycle_trace",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """TEST_DB_SUFFIX=name gives a run its own test database, so two runs on one server never meet."""
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    if suffix:
        from pytest_django.fixtures import _set_suffix_to_test_databases

        _set_suffix_to_test_databases(suffix)


@pytest.fixture(autouse=True)
def _media_and_sms(settings, tmp_path):
    """Every test writes files and recorded SMS under its own temporary folder, and counts rate limits
    under its own cache prefix (changing CACHES makes Django rebuild the cache handler)."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    # A million PBKDF2 rounds per test user is the slowest thing in the suite and tests nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    # Messages go out at once whatever the hour the suite runs; tests/front/notifications tests quiet hours with frozen time.
    settings.NOTIFY_QUIET_HOURS = ""
    # Walk-in tickets at any hour the suite runs; tests/front/floor/test_walk_in_hours.py tests the opening hours.
    settings.HALL_WALK_IN_OPENING_HOURS_ONLY = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clock_moved_near_midnight():
    """A clock tests/journey_helpers.shift_slot_to_now moved away from midnight is put back after the test."""
    from tests.clock import TRAVELS

    yield
    while TRAVELS:
        TRAVELS.pop().stop()


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _later_years_published(request):
    """The statutory holiday data ends with 2026, and the product fails closed past it (limits left open,
    no slots). So that the suite means the same in the last weeks of a year as in June, the years after it
    up to two years ahead are published for every test that uses the database, as an administrator would:
    Monday–Friday with New Year's Day off. Tests marked ``unpublished_calendar`` are about exactly the year
    nobody has entered, and get no such rows."""
    if request.node.get_closest_marker("unpublished_calendar") or not (
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from apps.shared.workcalendar.models import CalendarOverride, PublishedYear

    for year in later_years():
        PublishedYear.objects.get_or_create(year=year, defaults={"note": "tests: Monday–Friday"})
        CalendarOverride.objects.get_or_create(date=dt.date(year, 1, 1), defaults={"is_workday": False, "note": "元旦"})


def client_for(user) -> APIClient:
    """An API client authenticated as ``user`` (None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    return client_for
