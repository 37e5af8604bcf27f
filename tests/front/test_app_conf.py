"""Each front app's business knobs live in its conf.py (govservice/lib/knobs.py): defined once, read from
the environment variable of the same name, and overridden by a Django setting of that name at read time."""

import re
from pathlib import Path

import pytest

import govservice.settings as settings_module
from apps.front.booking.conf import booking_conf
from apps.front.consult.conf import consult_conf
from apps.front.delivery.conf import delivery_conf
from apps.front.floor.conf import floor_conf
from apps.front.intake.conf import intake_conf
from apps.front.mandates.conf import mandates_conf
from apps.front.notifications.conf import notifications_conf
from apps.front.ratings.conf import ratings_conf
from apps.front.remote.conf import remote_conf
from govservice.lib.envvars import env_bool, env_int
from govservice.lib.knobs import AppConf, Knob

ROOT = Path(__file__).resolve().parents[2]
CONFS = [
    booking_conf,
    consult_conf,
    floor_conf,
    intake_conf,
    delivery_conf,
    ratings_conf,
    notifications_conf,
    mandates_conf,
    remote_conf,
]
KNOBS = {name: conf for conf in CONFS for name in type(conf).knobs()}


def test_it_defines_each_knob_once_outside_the_framework_settings():
    assert len(KNOBS) == sum(len(type(conf).knobs()) for conf in CONFS) >= 50
    assert not [name for name in KNOBS if hasattr(settings_module, name)]


def test_every_knob_keeps_its_variable_in_env_example():
    example = (ROOT / ".env.example").read_text()
    assert not [name for name in KNOBS if not re.search(rf"^# {name}=", example, re.M)]


def test_no_app_reads_a_knob_from_django_settings():
    pattern = re.compile(r"\bsettings\.(" + "|".join(KNOBS) + r")\b")
    readers = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for folder in ("apps", "govservice", "bench")
        for path in (ROOT / folder).rglob("*.py")
        for match in pattern.finditer(path.read_text())
    ]
    assert readers == []


def test_a_django_setting_overrides_a_knob_when_it_is_read(settings):
    assert booking_conf.BOOKING_SLOT_MINUTES == 30
    settings.BOOKING_SLOT_MINUTES = 45
    assert booking_conf.BOOKING_SLOT_MINUTES == 45
    del settings.BOOKING_SLOT_MINUTES
    assert booking_conf.BOOKING_SLOT_MINUTES == 30


def test_the_suites_own_overrides_reach_the_apps():
    # tests/conftest.py sets these with pytest-django's settings fixture for every test.
    assert notifications_conf.NOTIFY_QUIET_HOURS == ""
    assert floor_conf.HALL_WALK_IN_OPENING_HOURS_ONLY is False


def test_the_environment_gives_the_default_and_a_setting_still_wins(monkeypatch, settings):
    monkeypatch.setenv("GS_TEST_LIMIT", "7")
    monkeypatch.setenv("GS_TEST_SWITCH", "off")

    class ExampleConf(AppConf):
        GS_TEST_LIMIT = Knob(env_int, 3)
        GS_TEST_SWITCH = Knob(env_bool, True)
        GS_TEST_UNSET = Knob(env_int, 5)

    conf = ExampleConf()
    assert (conf.GS_TEST_LIMIT, conf.GS_TEST_SWITCH, conf.GS_TEST_UNSET) == (7, False, 5)
    settings.GS_TEST_LIMIT = 9
    assert conf.GS_TEST_LIMIT == 9
    with pytest.raises(AttributeError):
        conf.GS_TEST_LIMIT = 1
