"""Login lockout (issue 12, the edge): wrong passwords lock the pair of username and address together, not
either alone — ten wrong passwords typed against a clerk's name from anywhere must not lock that clerk out
everywhere —, the address is the one the rate limits use (X-Forwarded-For only behind NUM_PROXIES proxies),
and a failure during the lockout does not extend it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.shared.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Lockout-pass-2026"
ATTACKER, CLERK_DESK = "203.0.113.9", "198.51.100.7"


def _clerk():
    user = make_user("lock_clerk", Role.CLERK)
    user.set_password(PASSWORD)
    user.save()
    return user


def _try(password: str, ip: str, **headers):
    return Client().post(
        "/accounts/login/", {"username": "lock_clerk", "password": password}, REMOTE_ADDR=ip, **headers
    )


def _lock_out(settings, ip: str = ATTACKER, **headers) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    answers = [_try("wrong-password", ip, **headers).status_code for _ in range(limit)]
    # The form again, with its error, until the try that reaches the limit locks the pair out.
    assert answers == [200] * (limit - 1) + [429]


def test_wrong_passwords_from_one_address_do_not_lock_the_clerk_out_elsewhere(settings):
    _clerk()
    _lock_out(settings)
    assert _try(PASSWORD, ATTACKER).status_code == 429  # that address, that name: locked
    assert _try(PASSWORD, CLERK_DESK).status_code == 302  # the clerk at their own desk signs in


def test_a_failure_during_the_lockout_does_not_extend_it(settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    _clerk()
    _lock_out(settings)
    time_machine.shift(dt.timedelta(minutes=50))
    assert _try("wrong-again", ATTACKER).status_code == 429
    time_machine.shift(dt.timedelta(minutes=11))  # an hour after the lockout began, not after the last try
    assert _try(PASSWORD, ATTACKER).status_code == 302


def test_a_forged_forwarded_address_is_not_believed_without_a_proxy(settings):
    _clerk()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try("wrong-password", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert _try(PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
