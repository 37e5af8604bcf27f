"""The demo (issue 15): a company with its 经办人 and a citizen with an authorised relative, seeded by the front's
seed_demo through booking's demo hooks, once; central's demo registers hold the same company and people."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.front.mandates.demo import COMPANY, COMPANY_MATTERS, PEOPLE, RELATIVE_MATTER
from apps.front.mandates.models import Act, Company, Mandate
from apps.front.mandates.selectors import authority_check
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Matter
from govservice.lib import creditcode

CENTRAL = Path(__file__).resolve().parents[3] / "apps" / "central" / "registry"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_has_a_company_with_an_agent_and_a_citizen_with_an_authorised_relative(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    printed = seed()
    company = Company.objects.get(credit_code=COMPANY[0])
    assert company.representative.username == "citizen2" and company.account.role == Role.COMPANY
    agent, relative, citizen = (User.objects.get(username=name) for name in ("agent", "relative", "citizen"))
    assert agent.is_real_name_verified and relative.is_real_name_verified
    today = timezone.localdate()
    for code in COMPANY_MATTERS:
        matter = Matter.objects.get(code=code, is_current=True)
        assert matter.serves_companies and authority_check(
            agent=agent, principal=company.account, act=Act.APPLY, matter=matter, today=today
        )
    social_card = Matter.objects.get(code=RELATIVE_MATTER, is_current=True)
    assert authority_check(agent=relative, principal=citizen, act=Act.COLLECT, matter=social_card, today=today)
    assert all(m.letter.read().startswith(b"%PDF") for m in Mandate.objects.all())
    assert "relative" in printed and "agent" in printed and "/acting/" in printed
    # Once: a second run changes nothing.
    assert "nothing changed" in seed()
    assert Mandate.objects.count() == 2 and Company.objects.count() == 1


def test_central_demo_registers_hold_the_demo_company_and_people():
    companies = {c["credit_code"]: c for c in json.loads((CENTRAL / "demo_companies.json").read_text(encoding="utf-8"))}
    assert all(creditcode.is_valid(code) for code in companies)
    company = companies[COMPANY[0]]
    assert (company["name"], company["representative_name"]) == (COMPANY[1], "欧阳晓雯")
    people = {p["id_number"]: p["name"] for p in json.loads((CENTRAL / "demo_people.json").read_text(encoding="utf-8"))}
    assert people[company["representative_id_number"]] == "欧阳晓雯"
    for _username, name, id_number, _phone in PEOPLE:
        assert people[id_number] == name
