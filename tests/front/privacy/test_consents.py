"""Consent where personal data is shared (issue 12; DOMAIN.md §9 数据共享; PIPL Art. 14): the name and ID number
go to the population registry, and vault evidence into a case, only after the person ticked their consent —
checked by the server, recorded with who, what, when, which version of the text and where — and the citizen
sees their consents on /me/privacy/ and over the API."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.front.intake.models import Case, EvidenceItem, TrustLevel
from apps.shared.accounts.models import PhoneChallenge, User
from apps.shared.privacy.models import Consent
from tests.factories import make_user
from tests.front.accounts.conftest import sms_to
from tests.journey_helpers import shift_slot_to_now
from tests.personas_front import TERMINAL_TOKEN, make_slot
from tests.registry_central import PEOPLE

REGISTER = "/api/v1/accounts/register/"


def registration(**extra):
    person = PEOPLE[7]
    return {
        "username": "consenting",
        "password": "Tongzhou-2026!",
        "real_name": person.name,
        "id_number": person.id_number,
        "phone": "13812349876",
        **extra,
    }


@pytest.mark.django_db
class TestRegistryConsent:
    def test_registration_without_consent_creates_nothing(self, api):
        missing = api(None).post(REGISTER, registration(), format="json")
        assert missing.status_code == 400 and "consent" in missing.json()["errors"]
        refused = api(None).post(REGISTER, registration(consent=False), format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "consent_required"
        assert refused.json()["detail"] == "请阅读并同意实名核验的个人信息处理说明。"
        english = api(None).post(REGISTER, registration(consent=False), format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert english.json()["detail"].startswith("Please read and accept")
        assert not User.objects.filter(username="consenting").exists() and not Consent.objects.exists()
        assert sms_to("13812349876") == []

    def test_registration_records_the_consent_on_its_text_version(self, api):
        started = api(None).post(REGISTER, registration(consent=True), format="json")
        assert started.status_code == 202, started.content
        consent = Consent.objects.get()
        assert consent.user == User.objects.get(username="consenting")
        assert (consent.purpose, consent.version, consent.channel) == ("registry_check", "2026.1", "api")
        assert consent.reference == started.json()["registration"] and consent.recorded_by is None

    def test_the_page_asks_for_the_tick_and_records_it(self):
        client = Client()
        page = client.get("/register/").content.decode()
        assert 'name="consent"' in page and "人口信息库核验" in page
        refused = client.post("/register/", registration())
        assert refused.status_code == 400 and "请阅读并同意实名核验的个人信息处理说明" in refused.content.decode()
        assert not User.objects.filter(username="consenting").exists()
        done = client.post("/register/", registration(consent="on"))
        assert done.status_code == 302
        assert Consent.objects.get().channel == "web"

    def test_an_older_account_consents_before_its_verification(self):
        legacy = make_user("legacy", verified=False, phone="13612349999")
        client = Client()
        client.force_login(legacy)
        assert 'name="consent"' in client.get("/accounts/verify/").content.decode()
        refused = client.post("/accounts/verify/")
        assert refused.status_code == 400 and not PhoneChallenge.objects.exists() and sms_to("13612349999") == []
        assert client.post("/accounts/verify/", {"consent": "1"}).status_code == 302
        consent = Consent.objects.get(user=legacy)
        assert consent.purpose == "registry_check" and consent.reference == str(PhoneChallenge.objects.get().id)


def called_ticket(api, citizen, clerk, hall, matter):
    slot = make_slot(hall, hour=9)
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    shift_slot_to_now(slot.id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    return api(clerk).post("/api/v1/workbench/call-next/").json()


@pytest.mark.django_db
class TestVaultConsent:
    def test_vault_evidence_enters_a_case_only_with_the_applicants_consent(
        self, api, citizen, clerk, hall, matter, terminal, central_peer
    ):
        id_card = matter.materials.get(name="居民身份证")
        evidence = EvidenceItem.objects.create(
            citizen=citizen,
            name="居民身份证",
            trust_level=TrustLevel.B,
            file="vault/x.png",
            content_type="image/png",
            size=10,
            sha256="c" * 64,
        )
        ticket = called_ticket(api, citizen, clerk, hall, matter)
        page = Client()
        page.force_login(clerk)
        assert 'name="vault_consent"' in page.get(f"/workbench/tickets/{ticket['id']}/").content.decode()

        accept = f"/api/v1/workbench/tickets/{ticket['id']}/accept/"
        refused = api(clerk).post(accept, {f"reuse_{id_card.id}": str(evidence.id)}, format="multipart")
        assert refused.status_code == 400 and refused.json()["code"] == "consent_required"
        assert "须经申请人同意" in refused.json()["detail"]
        assert not Case.objects.exists() and not Consent.objects.exists()

        done = api(clerk).post(
            accept, {f"reuse_{id_card.id}": str(evidence.id), "vault_consent": "true"}, format="multipart"
        )
        assert done.status_code == 201, done.content
        consent = Consent.objects.get()
        assert (consent.user, consent.purpose, consent.channel, consent.recorded_by) == (
            citizen,
            "vault_reuse",
            "window",
            clerk,
        )
        assert consent.reference == done.json()["number"] and consent.version == "2026.2"

    def test_no_consent_is_asked_when_nothing_is_reused(
        self, api, citizen, clerk, hall, matter, terminal, central_peer
    ):
        from tests.journey_helpers import upload

        ticket = called_ticket(api, citizen, clerk, hall, matter)
        id_card = matter.materials.get(name="居民身份证")
        done = api(clerk).post(
            f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
            {f"material_{id_card.id}": upload()},
            format="multipart",
        )
        assert done.status_code == 201, done.content
        assert not Consent.objects.exists()


@pytest.mark.django_db
def test_the_citizen_sees_their_consents(api, citizen, clerk):
    from apps.shared.privacy.consents import consent_record

    consent_record(user=citizen, purpose="registry_check", channel="web", reference="r-1")
    consent_record(
        user=citizen, purpose="vault_reuse", channel="window", reference="TZ2026030200009", recorded_by=clerk
    )
    rows = api(citizen).get("/api/v1/me/consents/").json()
    assert [row["purpose"] for row in rows] == ["vault_reuse", "registry_check"]
    assert rows[0]["reference"] == "TZ2026030200009" and "证照库" in rows[0]["text"] and rows[0]["version"] == "2026.2"
    english = api(citizen).get("/api/v1/me/consents/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english[1]["text"].startswith("I agree that my name and citizen ID number")
    client = Client()
    client.force_login(citizen)
    html = client.get("/me/privacy/").content.decode()
    assert "调取证照库材料用于办件" in html and "TZ2026030200009" in html and "大厅窗口" in html
    assert api(None).get("/api/v1/me/consents/").status_code == 401
