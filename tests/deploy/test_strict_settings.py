"""A typo in a boolean or number stops each site at start-up, naming the variable (issue 11 point 7).

Run as a subprocess, like the deploy check: settings and the apps' conf modules are read once per
process, and the point is that the process refuses to start.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check(role, **variables):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(variables, SITE_ROLE=role)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("role", ["front", "central"])
@pytest.mark.parametrize("variable", ["SECURE_SSL_REDIRECT", "AXES_ENABLED", "SESSION_COOKIE_SECURE", "DEBUG"])
def test_it_refuses_to_start_on_an_unknown_boolean(role, variable):
    result = check(role, **{variable: "Ture"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{variable}='Ture' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("HALL_WALK_IN_OPENING_HOURS_ONLY", "ture", "is not a boolean"),  # apps/front/floor/conf.py
        ("RECTIFICATION_LIMIT_WORKING_DAYS", "maybe", "is not a boolean"),  # apps/front/ratings/conf.py
        ("BOOKING_SLOT_MINUTES", "thirty", "is not a whole number"),  # apps/front/booking/conf.py
    ],
)
def test_the_front_refuses_to_start_on_a_malformed_business_knob(variable, value, message):
    result = check("front", **{variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r} {message}" in result.stderr


def test_it_starts_with_the_accepted_spellings():
    result = check("front", AXES_ENABLED=" Yes ", SECURE_HSTS_PRELOAD="OFF", HALL_WALK_IN_OPENING_HOURS_ONLY="0")
    assert result.returncode == 0, result.stderr
