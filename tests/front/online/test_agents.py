"""Someone applying online for another (issue 15; DOMAIN.md §9): the mandates' one rule, as at a window — an agent
outside their scope refused with the reason, a revocation counting at once (also for a bundle's part sent later),
both people recorded on every act (the application, the case, the mandate's events); the principal sees what the
agent filed; an agent never sees the principal's other applications."""

from __future__ import annotations

import pytest

from apps.front.intake.models import Case
from apps.front.mandates.models import EventKind, MandateEvent, MandateStatus
from apps.front.mandates.services import mandate_revoke
from apps.front.notifications.models import Language, Notification
from apps.front.notifications.services import preference_update
from apps.front.online.models import BundleApplication, OnlineApplication
from apps.shared.catalog.models import Target
from tests.factories import make_user
from tests.front.mandates.conftest import make_company, make_mandate
from tests.journey_helpers import PDF, PNG, upload

from .conftest import ANSWERS, fill, make_online_matter, start, submit
from .test_bundles import ANSWERS as BUNDLE_ANSWERS
from .test_bundles import accept_and_decide, parts

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/online/applications/"


def start_for(api, agent, principal, matter, status=201) -> dict:
    response = api(agent).post(APPLICATIONS, {"matter": matter.code, "principal": principal.pk}, format="json")
    assert response.status_code == status, response.content
    return response.json()


class TestAuthority:
    def test_an_agent_within_the_mandate_applies_and_both_people_are_recorded(
        self, api, citizen, agent, clerk, online_matter, central_peer
    ):
        mandate = make_mandate(citizen, agent, matter_codes=[online_matter.code])
        body = start_for(api, agent, citizen, online_matter)
        assert (body["applicant_name"], body["agent"]) == (citizen.real_name, agent.real_name)
        application = OnlineApplication.objects.get(code=body["code"])
        assert (application.applicant, application.filed_by) == (citizen, agent)
        fill(api, agent, body["code"])
        sent = submit(api, agent, body["code"])
        case = Case.objects.get(number=sent["case"]["number"])
        assert (case.citizen, case.agent) == (citizen, agent)
        assert "代办人 张丽" in case.events.first().note
        acts = list(MandateEvent.objects.filter(mandate=mandate, kind=EventKind.APPLIED_ONLINE).order_by("id"))
        assert [(e.actor, e.reference) for e in acts] == [(agent, body["code"]), (agent, case.number)]
        # The principal sees what the agent did: the application with both names, and the acts under the mandate.
        mine = api(citizen).get(APPLICATIONS).json()
        assert [(a["code"], a["agent"]) for a in mine] == [(body["code"], agent.real_name)]
        listed = api(citizen).get(f"/api/v1/mandates/{mandate.number}/").json()
        assert case.number in str(listed)
        # The hall's clerk reads both people in the pre-review.
        from django.test import Client

        desk = Client()
        desk.force_login(clerk)
        page = desk.get(f"/workbench/prereview/{case.number}/").content.decode()
        assert 'id="case-agent"' in page and agent.masked_name in page
        # Accepted, the case goes to central naming who filed it and under which 委托书 (issue 15).
        assert api(clerk).post(f"/api/v1/workbench/prereview/{case.number}/accept/").status_code == 200
        from apps.shared.exchange.models import OutboxMessage

        wire = OutboxMessage.objects.get(kind="case.submitted").payload
        assert (wire["agent"]["name"], wire["agent"]["mandate"]) == (agent.real_name, mandate.number)
        assert agent.id_number not in str(wire["agent"]) and wire["agent"]["id_masked"].endswith(agent.id_number[-4:])

    def test_an_agent_outside_the_scope_is_refused_with_the_reason(
        self, api, citizen, agent, stranger, online_matter, hall
    ):
        other = make_online_matter(hall, code="ON-009", name="就业创业证申领")
        make_mandate(citizen, agent, matter_codes=[other.code])
        refused = api(agent).post(APPLICATIONS, {"matter": online_matter.code, "principal": citizen.pk}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (403, "mandate_out_of_scope")
        collect_only = make_mandate(citizen, stranger, matter_codes=[online_matter.code], may_apply=False)
        refused = api(stranger).post(
            APPLICATIONS, {"matter": online_matter.code, "principal": citizen.pk}, format="json"
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "mandate_out_of_scope")
        assert collect_only.may_collect and not OnlineApplication.objects.exists()

    def test_someone_who_was_never_authorised_learns_nothing(self, api, citizen, agent, online_matter):
        response = api(agent).post(APPLICATIONS, {"matter": online_matter.code, "principal": citizen.pk}, format="json")
        assert response.status_code == 404 and not OnlineApplication.objects.exists()

    def test_a_matter_the_applicant_must_do_in_person_refuses_agents(self, api, citizen, agent, online_matter):
        online_matter.agents_allowed = False
        online_matter.save(update_fields=["agents_allowed"])
        make_mandate(citizen, agent, matter_codes=[online_matter.code])
        refused = api(agent).post(APPLICATIONS, {"matter": online_matter.code, "principal": citizen.pk}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "agents_not_allowed")

    def test_a_revocation_counts_at_once_on_a_draft_and_on_the_submission(
        self, api, citizen, agent, online_matter, central_peer
    ):
        mandate = make_mandate(citizen, agent, matter_codes=[online_matter.code])
        code = start_for(api, agent, citizen, online_matter)["code"]
        fill(api, agent, code)
        mandate_revoke(by=citizen, number=mandate.number)
        assert Case.objects.count() == 0
        base = f"{APPLICATIONS}{code}/"
        # The revoked agent neither sees the draft any more nor sends it.
        assert api(agent).get(base).status_code == 404
        assert api(agent).post(f"{base}submit/", {"declaration": True}, format="json").status_code == 404
        assert api(agent).get(APPLICATIONS).json() == []
        assert not Case.objects.exists()
        # The principal still has it, with what the agent filled in, and may send it themselves.
        assert api(citizen).get(base).json()["agent"] == agent.real_name
        sent = submit(api, citizen, code)
        assert Case.objects.get(number=sent["case"]["number"]).agent is None

    def test_a_mandate_revoked_between_a_read_and_a_write_refuses_the_write(
        self, api, citizen, agent, online_matter, monkeypatch
    ):
        """The write checks the mandate itself, not only the list it was found in."""
        import apps.front.online.selectors.applications  # noqa: F401  (the module the read looks the scope up in)
        from apps.front.online import selectors

        mandate = make_mandate(citizen, agent, matter_codes=[online_matter.code])
        code = start_for(api, agent, citizen, online_matter)["code"]
        mandate.status = MandateStatus.REVOKED
        mandate.save(update_fields=["status"])
        monkeypatch.setattr(
            selectors.applications, "acting_scope_q", lambda user, by_matter=True: selectors.Q(filed_by=user)
        )
        refused = api(agent).patch(f"{APPLICATIONS}{code}/", {"form_values": ANSWERS}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (403, "mandate_revoked")
        assert OnlineApplication.objects.get(code=code).form_values == {}


class TestOwnership:
    def test_an_agent_never_sees_the_principals_other_applications(
        self, api, citizen, agent, online_matter, hall, central_peer
    ):
        make_mandate(citizen, agent, matter_codes=[online_matter.code])
        own = start(api, citizen, online_matter)["code"]  # the principal's own draft for the same matter
        other = make_online_matter(hall, code="ON-010", name="灵活就业登记")
        theirs = start(api, citizen, other)["code"]
        assert api(agent).get(APPLICATIONS).json() == []
        for code in (own, theirs):
            assert api(agent).get(f"{APPLICATIONS}{code}/").status_code == 404
            assert api(agent).delete(f"{APPLICATIONS}{code}/").status_code == 404
        # Starting for the principal does not open the principal's own draft for the matter: it is theirs alone.
        refused = api(agent).post(APPLICATIONS, {"matter": online_matter.code, "principal": citizen.pk}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (409, "draft_exists")
        assert own not in str(refused.json())

    def test_a_companys_agent_applies_for_the_company_and_its_representative_follows(
        self, api, representative, agent, stranger, hall, central_peer
    ):
        company = make_company(representative)
        matter = make_online_matter(hall, code="ON-C01", name="企业职工参保登记")
        matter.target = Target.ORGANISATION
        matter.save(update_fields=["target"])
        make_mandate(company.account, agent, matter_codes=[matter.code])
        code = start_for(api, agent, company.account, matter)["code"]
        fill(api, agent, code, files=("id-card", "proof"))
        sent = submit(api, agent, code)
        case = Case.objects.get(number=sent["case"]["number"])
        assert (case.citizen, case.agent) == (company.account, agent)
        # The legal representative sees the company's applications; a stranger nothing.
        assert [a["code"] for a in api(representative).get(APPLICATIONS).json()] == [code]
        assert api(stranger).get(f"{APPLICATIONS}{code}/").status_code == 404
        # A person's matter is not the company's.
        person_matter = make_online_matter(hall, code="ON-P01", name="个人参保登记")
        refused = api(representative).post(
            APPLICATIONS, {"matter": person_matter.code, "principal": company.account.pk}, format="json"
        )
        assert (refused.status_code, refused.json()["code"]) == (422, "matter_not_for_companies")


class TestBundles:
    def _start(self, api, agent, principal, status=201):
        response = api(agent).post(
            "/api/v1/online/bundle-applications/", {"bundle": "newborn", "principal": principal.pk}, format="json"
        )
        assert response.status_code == status, response.content
        return response.json()

    def _submit(self, api, agent, code):
        base = f"/api/v1/online/bundle-applications/{code}/"
        assert api(agent).patch(base, {"form_values": BUNDLE_ANSWERS}, format="json").status_code == 200
        for key, content in (("birth-certificate", PDF), ("household-register", PDF + b"hk"), ("photo", PNG)):
            name, kind = ("photo.png", "image/png") if key == "photo" else (f"{key}.pdf", "application/pdf")
            sent = api(agent).post(f"{base}files/", {"material": key, "file": upload(name, content, kind)})
            assert sent.status_code == 201, sent.content
        done = api(agent).post(f"{base}submit/", {"declaration": True}, format="json")
        assert done.status_code == 201, done.content
        return done.json()

    def test_a_bundle_needs_every_matter_in_the_scope(self, api, citizen, agent, newborn):
        make_mandate(citizen, agent, matter_codes=["NB-HK", "NB-SB"])
        refused = api(agent).post(
            "/api/v1/online/bundle-applications/", {"bundle": "newborn", "principal": citizen.pk}, format="json"
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "mandate_out_of_scope")
        assert not BundleApplication.objects.exists()

    def test_a_waiting_part_is_not_sent_once_the_mandate_is_revoked(
        self, api, client, citizen, agent, clerk, newborn, central_peer
    ):
        mandate = make_mandate(citizen, agent, matter_codes=["NB-HK", "NB-YB", "NB-SB"])
        body = self._submit(api, agent, self._start(api, agent, citizen)["code"])
        assert body["agent"] == agent.real_name
        sent = parts(body)
        assert {Case.objects.get(number=p["case"]["number"]).agent for p in sent.values() if p["case"]} == {agent}
        mandate_revoke(by=citizen, number=mandate.number)
        accept_and_decide(api, client, clerk, sent["NB-HK"]["case"]["number"])
        waiting = OnlineApplication.objects.get(matter_code="NB-YB")
        assert waiting.case is None and waiting.cancelled_at is not None
        assert "撤销" in waiting.cancel_reason
        # The principal reads the bundle and what became of the part; the agent no longer sees the bundle.
        shown = api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json()
        assert parts(shown)["NB-YB"]["state"] == "dropped"
        assert api(agent).get(f"/api/v1/online/bundle-applications/{body['code']}/").status_code == 404

    def test_the_agent_who_filed_is_told_too_each_in_their_own_language(
        self, api, client, citizen, agent, clerk, newborn, central_peer
    ):
        make_mandate(citizen, agent, matter_codes=["NB-HK", "NB-YB", "NB-SB"])
        preference_update(user=citizen, sms=False, email=False, language=Language.EN)
        body = self._submit(api, agent, self._start(api, agent, citizen)["code"])
        sent = parts(body)
        accept_and_decide(api, client, clerk, sent["NB-HK"]["case"]["number"], decision="denied")
        [dropped] = Notification.objects.filter(recipient=agent, event="bundle.part_dropped_agent", channel="inbox")
        assert dropped.language == "zh-hans"
        assert citizen.masked_name in dropped.body and "医保参保登记" in dropped.body and "不予许可" in dropped.body
        assert (
            Notification.objects.get(recipient=citizen, event="bundle.part_dropped", channel="inbox").language == "en"
        )
        accept_and_decide(api, client, clerk, sent["NB-SB"]["case"]["number"])
        [mine] = Notification.objects.filter(recipient=agent, event="bundle.completed_agent", channel="inbox")
        assert f"您代{citizen.masked_name}申请的“新生儿出生一件事”" in mine.body
        assert "户口登记：不予许可；医保参保登记：未提交；社会保障卡申领：准予许可" in mine.body
        [theirs] = Notification.objects.filter(recipient=citizen, event="bundle.completed", channel="inbox")
        assert "户口登记: Not granted; 医保参保登记: not submitted; 社会保障卡申领: Granted" in theirs.body
        # Each message once, to each of the two people.
        assert Notification.objects.filter(event__startswith="bundle.completed", channel="inbox").count() == 2

    def test_an_agent_whose_mandate_was_revoked_is_not_told(
        self, api, client, citizen, agent, clerk, newborn, central_peer
    ):
        mandate = make_mandate(citizen, agent, matter_codes=["NB-HK", "NB-YB", "NB-SB"])
        sent = parts(self._submit(api, agent, self._start(api, agent, citizen)["code"]))
        mandate_revoke(by=citizen, number=mandate.number)
        accept_and_decide(api, client, clerk, sent["NB-HK"]["case"]["number"], decision="denied")
        accept_and_decide(api, client, clerk, sent["NB-SB"]["case"]["number"])
        assert Notification.objects.filter(recipient=citizen, event="bundle.completed").exists()
        assert not Notification.objects.filter(recipient=agent, event__startswith="bundle.").exists()


class TestPages:
    def test_the_agent_applies_from_the_principals_page_and_the_principal_sees_who(
        self, citizen, agent, online_matter, central_peer
    ):
        from django.test import Client

        make_mandate(citizen, agent, matter_codes=[online_matter.code])
        desk = Client()
        desk.force_login(agent)
        page = desk.get(f"/acting/{citizen.pk}/").content.decode()
        link = f"/matters/{online_matter.code}/apply/?for={citizen.pk}"
        assert link in page
        started = desk.get(link)
        assert started.status_code == 302, started.content.decode()[:500]
        application = OnlineApplication.objects.get()
        assert (application.applicant, application.filed_by) == (citizen, agent)
        shown = desk.get(started["Location"]).content.decode()
        assert 'id="application-people"' in shown and "张丽" in shown
        assert "张丽" in desk.get("/online/").content.decode()
        own = Client()
        own.force_login(citizen)
        assert "代办人 张丽" in own.get("/online/").content.decode()
        # Someone never authorised gets 404 for ?for=.
        assert Client().get(link).status_code == 302  # signed out: to the login page
        other = Client()
        other.force_login(make_user("other-agent", real_name="钱七", phone="13511117777"))
        assert other.get(link).status_code == 404
