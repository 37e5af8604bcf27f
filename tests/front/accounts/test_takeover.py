"""Someone registered another person's ID number first (issue 12, blocker 1): the real person proves
themselves at a hall window with the ID card. The clerk's look-up is a logged reveal; confirming freezes
the old account, moves its appointments, cases and evidence to the person, tells both by SMS and leaves
the takeover in the audit trail. The registry is central, live."""

import pytest
from django.utils import timezone

from apps.front.booking.services import appointment_book
from apps.front.intake.models import Case, CaseStatus, EvidenceItem, TrustLevel
from apps.shared.accounts.models import AccountTakeover, PersonalDataAccess, User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from tests.factories import make_user
from tests.registry_central import LI_MING

from .conftest import last_code, sms_to

PAGE = "/workbench/identity/"


@pytest.fixture
def attacker(db):
    """A verified account holding 李明's leaked ID number (registered before he did)."""
    return make_user("attacker", real_name=LI_MING.name, id_number=LI_MING.id_number, phone="13911110000")


@pytest.fixture
def claimant(anon, registry, attacker):
    """李明 registers online: the phone proved, then refused because the number is held."""
    started = anon.post(
        "/api/v1/accounts/register/",
        {
            "username": "liming",
            "password": "Tongzhou-2026!",
            "real_name": LI_MING.name,
            "id_number": LI_MING.id_number,
            "phone": "13812345678",
            "consent": True,
        },
        format="json",
    )
    refused = anon.post(
        "/api/v1/accounts/register/confirm/",
        {"registration": started.json()["registration"], "code": last_code("13812345678")},
        format="json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "id_registered"
    return User.objects.get(username="liming")


def form(**extra):
    return {
        "id_number": LI_MING.id_number,
        "claimant_username": "liming",
        "reason": "本人持身份证到窗口找回账户",
        **extra,
    }


@pytest.mark.django_db
class TestTakeover:
    def test_it_moves_everything_to_the_person_with_the_id_card(
        self, client, clerk, attacker, claimant, slot, matter, hall, django_capture_on_commit_callbacks
    ):
        appointment = appointment_book(citizen=attacker, slot_id=slot.id, matter_code=matter.code)
        case = Case.objects.create(
            number="TZ2026112400099",
            query_password_hash="x",
            citizen=attacker,
            matter=matter,
            hall=hall,
            clerk=clerk,
            status=CaseStatus.ACCEPTED,
            accepted_at=timezone.now(),
            promised_date=timezone.localdate(),
        )
        evidence = EvidenceItem.objects.create(
            citizen=attacker,
            name="居民身份证",
            trust_level=TrustLevel.B,
            file="vault/id.png",
            content_type="image/png",
            size=10,
            sha256="e" * 64,
        )
        client.force_login(clerk)
        assert client.get(PAGE).status_code == 200

        looked = client.post(PAGE, form(action="lookup"))
        assert looked.status_code == 200
        html = looked.content.decode()
        assert "attacker" in html and "139****0000" in html and "13911110000" not in html
        # The clerk's look-up is a logged view of the holder's personal data.
        reveal = PersonalDataAccess.objects.get()
        assert (reveal.viewer, reveal.subject, reveal.case_reference) == (clerk, attacker, "account-takeover")
        assert "找回" in reveal.reason

        unchecked = client.post(PAGE, form(action="confirm"))
        assert unchecked.status_code == 400
        assert User.objects.get(pk=attacker.pk).is_active

        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(PAGE, form(action="confirm", card_checked="1"))
        assert done.status_code == 302
        attacker.refresh_from_db()
        claimant.refresh_from_db()
        assert not attacker.is_active and attacker.frozen_at is not None and attacker.identity_verified_at is None
        assert claimant.is_real_name_verified and claimant.identity_verified_via == "window"
        assert citizen_verified_by_id_number(LI_MING.id_number) == claimant
        appointment.refresh_from_db()
        case.refresh_from_db()
        evidence.refresh_from_db()
        assert appointment.citizen == case.citizen == evidence.citizen == claimant
        record = AccountTakeover.objects.get()
        assert (record.clerk, record.old_account, record.new_account) == (clerk, attacker, claimant)
        # Done at a window: the record names the clerk's hall (their staff post), not an empty one.
        assert record.hall == hall.name == "北京城市副中心政务服务中心"
        assert (
            record.moved["booking.appointments"] == 1
            and record.moved["intake.cases"] == 1
            and record.moved["intake.evidence"] == 1
        )
        assert record.audit_trail.count() == 1
        assert any("已冻结" in text for text in sms_to("13911110000"))
        assert any("完成实名核验" in text for text in sms_to("13812345678"))
        # The frozen account can no longer sign in (nor keep a token); the person can.
        token = "/api/v1/auth/token/"
        assert client.post(token, {"username": "attacker", "password": "pass-Word-2026"}).status_code == 401
        assert client.post(token, {"username": "liming", "password": "Tongzhou-2026!"}).status_code == 200

    def test_it_is_for_hall_staff_only(self, client, citizen, anon):
        client.force_login(citizen)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, form(action="lookup")).status_code == 403
        assert not PersonalDataAccess.objects.exists()

    def test_it_refuses_a_claimant_whose_phone_is_not_proved(self, client, clerk, attacker):
        make_user("liming", real_name=LI_MING.name, id_number=LI_MING.id_number, phone="13812345678", verified=False)
        client.force_login(clerk)
        response = client.post(PAGE, form(action="lookup"))
        assert response.status_code == 409
        assert "短信验证" in response.content.decode()
        assert not PersonalDataAccess.objects.exists()
