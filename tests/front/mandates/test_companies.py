"""A legal person's account (issue 15): opened by its legal representative, a verified person, after the register
of companies at central (a real server, over the signed wire) matched the credit code, the name and the
representative; then the representative authorises 经办人 for all or some matters, revokes them at once, and
follows every case of the company."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.front.mandates.models import Company, Mandate, MandateStatus
from apps.shared.accounts.models import Role, User
from apps.shared.exchange.models import Peer
from apps.shared.privacy.models import Consent
from tests.factories import make_user
from tests.registry_central import WANG_FANG

from .conftest import CREDIT_CODE, make_mandate

pytestmark = pytest.mark.django_db
CANYIN = {"credit_code": "91110112MA01YCW9JL", "name": "北京通州示例餐饮有限公司"}  # central's demo register


@pytest.fixture
def wang_fang(db):
    """The representative of 北京通州示例餐饮有限公司 in central's demo register."""
    return make_user("wangfang", real_name=WANG_FANG.name, id_number=WANG_FANG.id_number, phone="13566667777")


def register(api, who, **body):
    return api(who).post("/api/v1/companies/", {**CANYIN, "consent": True, **body}, format="json")


class TestRegister:
    def test_the_representative_opens_the_companys_account_after_the_register_matched(self, api, registry, wang_fang):
        made = register(api, wang_fang, credit_code="91110112ma01 ycw9jl")
        assert made.status_code == 201, made.content
        assert made.json()["credit_code"] == "91110112MA01YCW9JL" and made.json()["representative"] == "王芳"
        company = Company.objects.get()
        account = company.account
        assert account.role == Role.COMPANY and account.is_company and not account.has_usable_password()
        assert account.id_number == "91110112MA01YCW9JL" and account.real_name == CANYIN["name"]
        assert account.is_real_name_verified and account.identity_verified_via == "company_register"
        assert Consent.objects.filter(user=wang_fang, purpose="registry_check", reference="91110112MA01YCW9JL").exists()
        # Central recorded the question, with its purpose.
        platform, purpose, matched = registry.queries()[-1]
        assert platform == "BJ-TZ" and "legal person" in purpose and matched is True
        again = register(api, wang_fang)
        assert again.status_code == 409 and again.json()["code"] == "company_registered"

    def test_someone_who_is_not_its_representative_is_refused(self, api, registry, citizen):
        refused = register(api, citizen)
        assert refused.status_code == 400 and refused.json()["code"] == "company_mismatch"
        assert not Company.objects.exists() and not User.objects.filter(role=Role.COMPANY).exists()

    def test_a_wrong_name_is_refused(self, api, registry, wang_fang):
        refused = register(api, wang_fang, name="北京通州示例餐饮股份有限公司")
        assert refused.status_code == 400 and refused.json()["code"] == "company_mismatch"

    @pytest.mark.parametrize(
        ("change", "status", "code"),
        [
            ({"credit_code": "91110112MA01YCW9JM"}, 400, "invalid_credit_code"),
            ({"credit_code": "9111011"}, 400, "invalid_credit_code"),
            ({"consent": False}, 400, "consent_required"),
            ({"name": "  "}, 400, "invalid"),
        ],
    )
    def test_it_refuses_without_asking_the_register(self, api, wang_fang, central_peer, change, status, code):
        refused = register(api, wang_fang, **change)
        assert refused.status_code == status, refused.content
        assert refused.json()["code"] == code
        assert not Company.objects.exists()

    def test_the_register_away_is_a_clear_try_again(self, api, wang_fang, central_peer):
        Peer.objects.filter(pk=central_peer.pk).update(base_url="http://127.0.0.1:9")
        refused = register(api, wang_fang)
        assert refused.status_code == 503 and refused.json()["code"] == "registry_unavailable"
        assert not Company.objects.exists()

    def test_an_unverified_person_cannot_open_one(self, api, central_peer):
        unverified = make_user("unverified", verified=False)
        assert register(api, unverified).status_code == 403

    def test_the_page_opens_it(self, registry, wang_fang):
        page = Client()
        page.force_login(wang_fang)
        assert page.get("/companies/").status_code == 200
        bad = page.post("/companies/", {**CANYIN, "credit_code": "91110112MA01YCW9JM", "consent": "1"})
        assert bad.status_code == 400 and "校验位" in bad.content.decode()
        done = page.post("/companies/", {**CANYIN, "consent": "1"})
        assert done.status_code == 302 and done["Location"] == "/companies/91110112MA01YCW9JL/"
        assert "北京通州示例餐饮有限公司" in page.get(done["Location"]).content.decode()


class TestAgents:
    def test_the_representative_authorises_an_agent_for_some_matters(
        self, api, company, representative, agent, company_matter
    ):
        made = api(representative).post(
            f"/api/v1/companies/{CREDIT_CODE}/agents/",
            {"agent_id_number": agent.id_number, "agent_name": agent.real_name, "matter_codes": [company_matter.code]},
            format="json",
        )
        assert made.status_code == 201, made.content
        body = made.json()
        assert (
            body["status"] == "active"
            and body["in_force"]
            and body["matter_codes"] == [company_matter.code]
            and not body["all_matters"]
        )
        mandate = Mandate.objects.get()
        assert mandate.kind == "staff" and mandate.principal == company.account and mandate.granted_by == representative
        assert mandate.letter.read().startswith(b"%PDF")
        acting = api(agent).get("/api/v1/acting/").json()
        assert [(p["name"], p["kind"], p["credit_code"]) for p in acting] == [
            ("北京云窗科技有限公司", "company", CREDIT_CODE)
        ]
        # Revoked by the representative: at once, the company is gone from the agent's list.
        revoked = api(representative).post(
            f"/api/v1/mandates/{mandate.number}/revoke/", {"reason": "离职"}, format="json"
        )
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        assert api(agent).get("/api/v1/acting/").json() == []

    def test_only_the_representative_manages_the_companys_agents(self, api, company, agent, stranger, company_matter):
        mandate = make_mandate(company.account, agent, matter_codes=[company_matter.code])
        body = {"agent_id_number": stranger.id_number, "agent_name": stranger.real_name, "all_matters": True}
        for who in (agent, stranger):
            assert api(who).post(f"/api/v1/companies/{CREDIT_CODE}/agents/", body, format="json").status_code == 404
            assert api(who).get(f"/api/v1/companies/{CREDIT_CODE}/agents/").status_code == 404
            assert api(who).get(f"/api/v1/companies/{CREDIT_CODE}/cases/").status_code == 404
            assert api(who).post(f"/api/v1/mandates/{mandate.number}/revoke/", {}, format="json").status_code == 404
        assert Mandate.objects.get(pk=mandate.pk).status == MandateStatus.ACTIVE

    def test_a_person_matter_cannot_be_given_to_a_companys_agent(self, api, company, representative, agent, matter):
        refused = api(representative).post(
            f"/api/v1/companies/{CREDIT_CODE}/agents/",
            {"agent_id_number": agent.id_number, "agent_name": agent.real_name, "matter_codes": [matter.code]},
            format="json",
        )
        assert refused.status_code == 422 and refused.json()["code"] == "matter_not_for_companies"
        nothing = api(representative).post(
            f"/api/v1/companies/{CREDIT_CODE}/agents/",
            {"agent_id_number": agent.id_number, "agent_name": agent.real_name},
            format="json",
        )
        assert nothing.status_code == 400 and nothing.json()["code"] == "scope_required"
        assert not Mandate.objects.exists()

    def test_the_representative_acts_for_the_company_without_a_mandate(
        self, api, company, representative, company_matter, slot
    ):
        acting = api(representative).get("/api/v1/acting/").json()
        assert acting[0]["as_representative"] is True and acting[0]["mandates"] == []
        booked = api(representative).post(
            f"/api/v1/acting/{company.account_id}/appointments/",
            {"slot": slot.id, "matter": company_matter.code},
            format="json",
        )
        assert booked.status_code == 201, booked.content
        assert booked.json()["agent"] == "欧阳晓雯"

    def test_the_representatives_page_grants_and_lists(self, company, representative, agent, company_matter):
        page = Client()
        page.force_login(representative)
        url = f"/companies/{CREDIT_CODE}/"
        done = page.post(
            url,
            {
                "agent_name": agent.real_name,
                "agent_id_number": agent.id_number,
                "matter_codes": [company_matter.code],
                "may_apply": "1",
                "may_collect": "1",
            },
        )
        assert done.status_code == 302, done.content.decode()[:500]
        html = page.get(url).content.decode()
        assert "张丽" in html and Mandate.objects.get().matter_codes == [company_matter.code]
        other = Client()
        other.force_login(agent)
        assert other.get(url).status_code == 404
