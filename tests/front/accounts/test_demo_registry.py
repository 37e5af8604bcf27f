"""The demo's citizens are verified and in central's demo registry (apps/central/registry/demo_people.json,
loaded by central's seed_demo), so the demo's real-name checks pass for them and for nobody invented."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.front.booking.management.commands.seed_demo import USERS
from apps.front.mandates.demo import PEOPLE
from apps.shared.accounts.models import Role, User
from govservice.lib.idcard import check_char

DEMO_REGISTRY = Path(__file__).resolve().parents[3] / "apps" / "central" / "registry" / "demo_people.json"


def test_the_demo_registry_holds_every_demo_citizen_under_their_name():
    registry = {p["id_number"]: p["name"] for p in json.loads(DEMO_REGISTRY.read_text(encoding="utf-8"))}
    citizens = [spec for spec in USERS if spec.role == Role.CITIZEN]
    assert citizens
    for spec in citizens:
        assert registry[spec.id17 + check_char(spec.id17)] == spec.real_name
    # The people the mandates' demo adds (a relative, a company's 经办人).
    for _username, name, id_number, _phone in PEOPLE:
        assert registry[id_number] == name


@pytest.mark.django_db
def test_the_demo_citizens_are_verified(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    citizens = User.objects.filter(role=Role.CITIZEN)
    assert citizens.count() == len([s for s in USERS if s.role == Role.CITIZEN]) + len(PEOPLE)
    assert all(user.is_real_name_verified for user in citizens)
