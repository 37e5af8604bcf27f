"""服务对象 online (issue 15; DOMAIN.md §9): a matter serves persons, companies or both, and that holds for everyone
who applies online — a person for themselves (start, submission, every part of a bundle), not only an agent. The
one rule is the catalog's (apps/shared/catalog/applicants.py)."""

from __future__ import annotations

import pytest

from apps.front.intake.models import Case
from apps.front.online.models import BundleApplication, OnlineApplication
from apps.shared.catalog.models import Matter, Target
from tests.front.mandates.conftest import make_company, make_mandate

from .conftest import fill, make_online_matter, start, submit

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/online/applications/"


def serving(matter: Matter, target: str) -> Matter:
    Matter.objects.filter(id=matter.id).update(target=target)
    matter.target = target
    return matter


class TestOneApplication:
    def test_a_person_cannot_start_an_application_for_a_matter_serving_companies(self, api, citizen, online_matter):
        serving(online_matter, Target.ORGANISATION)
        refused = api(citizen).post(APPLICATIONS, {"matter": online_matter.code}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "matter_not_for_persons")
        assert "面向法人办理" in refused.json()["detail"]
        english = api(citizen).post(
            APPLICATIONS, {"matter": online_matter.code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "serves companies" in english.json()["detail"]
        assert not OnlineApplication.objects.exists()

    def test_a_draft_is_not_submitted_once_the_matter_serves_companies_only(
        self, api, citizen, online_matter, central_peer
    ):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code)
        serving(online_matter, Target.ORGANISATION)
        refused = submit(api, citizen, code, status=422)
        assert refused["code"] == "matter_not_for_persons"
        assert not Case.objects.exists()

    def test_a_matter_for_both_is_applied_for_by_a_person(self, api, citizen, online_matter, central_peer):
        serving(online_matter, Target.BOTH)
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code)
        assert submit(api, citizen, code)["case"]["number"]

    def test_a_companys_agent_applies_for_a_matter_serving_companies(
        self, api, representative, agent, hall, central_peer
    ):
        company = make_company(representative)
        matter = serving(make_online_matter(hall, code="ON-C02", name="企业职工参保登记"), Target.ORGANISATION)
        make_mandate(company.account, agent, matter_codes=[matter.code])
        body = api(agent).post(APPLICATIONS, {"matter": matter.code, "principal": company.account.pk}, format="json")
        assert body.status_code == 201, body.content
        fill(api, agent, body.json()["code"])
        case = Case.objects.get(number=submit(api, agent, body.json()["code"])["case"]["number"])
        assert (case.citizen, case.agent) == (company.account, agent)


class TestBundle:
    def test_every_part_serves_the_applicant(self, api, citizen, newborn):
        Matter.objects.filter(code="NB-SB").update(target=Target.ORGANISATION)
        refused = api(citizen).post("/api/v1/online/bundle-applications/", {"bundle": "newborn"}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "matter_not_for_persons")
        assert "社会保障卡申领" in refused.json()["detail"]
        assert not BundleApplication.objects.exists()

    def test_parts_serving_both_are_fine(self, api, citizen, newborn):
        Matter.objects.filter(code__in=["NB-HK", "NB-SB"]).update(target=Target.BOTH)
        started = api(citizen).post("/api/v1/online/bundle-applications/", {"bundle": "newborn"}, format="json")
        assert started.status_code == 201, started.content
